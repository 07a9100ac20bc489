#!/usr/bin/env python3
"""Extraction quality and speed on ../shared/benchmarks/article-extraction (181 real pages).

Runs `extract_article` (the code behind `nkwatch extract`) over every page in one process, scores
the bodies with ../shared/tools/extraction_score.py (the benchmark's own metric) and prints F1 and
pages/second. Skips cleanly when the benchmark folder is absent.

    python benchmarks/extraction_quality.py [--bench DIR] [--out predictions.json]
"""

from __future__ import annotations

import argparse
import gzip
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT.parent / "shared" / "benchmarks" / "article-extraction"
SCORER = ROOT.parent / "shared" / "tools" / "extraction_score.py"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bench", type=Path, default=DEFAULT)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    pages = sorted((args.bench / "html").glob("*.html.gz"))
    if not pages or not SCORER.exists():
        print(f"skipped: no benchmark pages under {args.bench} or no scorer at {SCORER}")
        return 0
    sys.path.insert(0, str(ROOT))
    from extractors.article import extract_article
    from extractors.records import Skipped

    html = {p.name.removesuffix(".html.gz"): gzip.decompress(p.read_bytes()) for p in pages}
    started = time.perf_counter()
    predictions = {}
    for key, body in html.items():
        result = extract_article(body, f"https://example.org/{key}")
        predictions[key] = {"articleBody": "" if isinstance(result, Skipped) else result.text}
    elapsed = time.perf_counter() - started
    out = args.out or Path(tempfile.mkstemp(suffix=".json")[1])
    out.write_text(json.dumps(predictions))
    score = json.loads(subprocess.run([sys.executable, str(SCORER), str(args.bench / "ground-truth.json"), str(out)],
                                      capture_output=True, text=True, check=True).stdout)
    print(f"pages: {len(html)}  F1: {score['f1']:.4f}  precision: {score['precision']:.4f}  "
          f"recall: {score['recall']:.4f}  pages/s (one process): {len(html) / elapsed:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
