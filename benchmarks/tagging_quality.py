#!/usr/bin/env python3
"""How well the tagger finds the annotated figures: precision, recall, F1 and relevance accuracy per set.

Sets: the seeds (gold ``../shared/eval/seeds-gold.json`` beside the project, texts in ``seeds/``) and
every ``tests/data/tagging/<set>/gold.json`` (texts in its ``articles/`` folder). A predicted figure
matches a gold one with the same category, low and high; gold figures marked ``required: false``
are neither missed nor wrong. When ``../shared/tools/tagging_score.py`` exists it computes the
numbers (so they are the official ones) from a JSON-lines predictions file; otherwise the same rules
are applied here.

    python benchmarks/tagging_quality.py                 # every set
    python benchmarks/tagging_quality.py set-a --show    # one set, listing misses and wrong figures
    python benchmarks/tagging_quality.py --json          # one JSON object per set
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SCORER = SHARED / "tools" / "tagging_score.py"
SETS_DIR = ROOT / "tests" / "data" / "tagging"
sys.path.insert(0, str(ROOT))

from extractors.figures import tag
from extractors.lexicon import load_lexicon
from extractors.records import Tagging
from extractors.seeds import split_date_line


@dataclass(frozen=True)
class GoldSet:
    name: str
    gold: Path
    texts: Path


def gold_sets() -> list[GoldSet]:
    """The seeds (when ../shared is there) and every annotated set under tests/data/tagging/."""
    sets = []
    seeds_gold = SHARED / "eval" / "seeds-gold.json"
    if seeds_gold.exists():
        sets.append(GoldSet("seeds", seeds_gold, ROOT / "seeds"))
    for gold in sorted(SETS_DIR.glob("*/gold.json")):
        sets.append(GoldSet(gold.parent.name, gold, gold.parent / "articles"))
    return sets


def read_article(path: Path) -> tuple[str, date | None]:
    """The text to tag and the date of its metadata line (`` date YYYY-MM-DD``), which is stripped."""
    published, text = split_date_line(path.read_text(encoding="utf-8"))
    return text, published


def predict(gold_set: GoldSet) -> tuple[list[dict], dict[str, Tagging]]:
    """Tag every document of the set; returns prediction rows and, per file, its tagging."""
    lexicon = load_lexicon()
    rows, taggings = [], {}
    for doc in json.loads(gold_set.gold.read_text(encoding="utf-8"))["documents"]:
        text, meta_date = read_article(gold_set.texts / doc["file"])
        published = meta_date or (date.fromisoformat(doc["published"]) if doc.get("published") else None)
        tagging = tag(text, published, lexicon)
        taggings[doc["file"]] = tagging
        rows.append({"file": doc["file"], "relevant": tagging.relevant, "score": tagging.score,
                     "figures": [{k: v for k, v in asdict(f).items() if k not in ("quote", "as_of")}
                                 | {"as_of": f.as_of.isoformat() if f.as_of else None} for f in tagging.figures]})
    return rows, taggings


def score(gold_set: GoldSet, rows: list[dict]) -> dict:
    """Precision, recall, F1 and relevance accuracy: by the official scorer when it is there."""
    if SCORER.exists():
        with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as out:
            out.writelines(json.dumps(row) + "\n" for row in rows)
        done = subprocess.run([sys.executable, str(SCORER), str(gold_set.gold), out.name],
                              capture_output=True, text=True, check=True)
        Path(out.name).unlink()
        return json.loads(done.stdout.strip().splitlines()[-1])
    return _score_here(gold_set, rows)


def _key(figure: dict) -> tuple[str, float, float]:
    return figure["category"], float(figure["low"]), float(figure.get("high", figure["low"]))


def _score_here(gold_set: GoldSet, rows: list[dict]) -> dict:
    """The rules of ../shared/tools/tagging_score.py, for a checkout without ../shared."""
    preds = {Path(row["file"]).name: row for row in rows}
    tp = fp = fn = rel_ok = 0
    documents = json.loads(gold_set.gold.read_text(encoding="utf-8"))["documents"]
    for doc in documents:
        pred = preds.get(Path(doc["file"]).name, {"figures": [], "relevant": None})
        required = {_key(f) for f in doc["figures"] if f.get("required", True)}
        optional = {_key(f) for f in doc["figures"] if not f.get("required", True)}
        got = {_key(f) for f in pred["figures"]}
        tp += len(got & required)
        fp += len(got - required - optional)
        fn += len(required - got)
        rel_ok += bool(pred.get("relevant")) == bool(doc["relevant"])
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 3), "recall": round(r, 3), "f1": round(f, 3), "tp": tp, "fp": fp, "fn": fn,
            "relevance_accuracy": round(rel_ok / len(documents), 3) if documents else None,
            "documents": len(documents)}


def show(gold_set: GoldSet, taggings: dict[str, Tagging]) -> None:
    """Print, per document, the relevance verdict when wrong, the missed figures and the wrong ones."""
    for doc in json.loads(gold_set.gold.read_text(encoding="utf-8"))["documents"]:
        tagging = taggings[doc["file"]]
        gold = {_key(f): f for f in doc["figures"]}
        required = {k for k, f in gold.items() if f.get("required", True)}
        got = {(f.category, float(f.low), float(f.high)): f for f in tagging.figures}
        lines = []
        if tagging.relevant != bool(doc["relevant"]):
            lines.append(f"  relevance: said {tagging.relevant} (score {tagging.score}), gold {doc['relevant']}")
        for k in sorted(required - set(got)):
            lines.append(f"  missed {k}: {gold[k].get('quote', '')!r}")
        for k in sorted(set(got) - set(gold)):
            lines.append(f"  wrong  {k}: {got[k].quote[:160]!r}")
        if lines:
            print(f"{gold_set.name}/{doc['file']}:")
            print("\n".join(lines))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sets", nargs="*", help="set names (default: all): seeds, set-a, ...")
    parser.add_argument("--show", action="store_true", help="list missed and wrong figures")
    parser.add_argument("--json", action="store_true", help="print one JSON object per set")
    args = parser.parse_args(argv)
    chosen = [s for s in gold_sets() if not args.sets or s.name in args.sets]
    if not chosen:
        print(f"no gold set found{' named ' + ', '.join(args.sets) if args.sets else ''}", file=sys.stderr)
        return 1
    if not args.json:
        print(f"{'set':<10} {'docs':>5} {'precision':>9} {'recall':>7} {'f1':>6} {'tp':>4} {'fp':>4} {'fn':>4} {'relevance':>9}")
    for gold_set in chosen:
        rows, taggings = predict(gold_set)
        result = score(gold_set, rows)
        if args.json:
            print(json.dumps({"set": gold_set.name} | result))
        else:
            print(f"{gold_set.name:<10} {result['documents']:>5} {result['precision']:>9.3f} {result['recall']:>7.3f} "
                  f"{result['f1']:>6.3f} {result['tp']:>4} {result['fp']:>4} {result['fn']:>4} "
                  f"{result['relevance_accuracy']:>9.3f}")
        if args.show:
            show(gold_set, taggings)
    return 0


if __name__ == "__main__":
    sys.exit(main())
