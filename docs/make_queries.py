#!/usr/bin/env python3
"""Regenerate docs/queries.md: ten analyst queries run on a fresh demo store (seeds + local site).

    .venv/bin/python docs/make_queries.py

tests/test_docs.py runs every query in docs/queries.md against a store, so the page cannot drift
from the schema.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

QUERIES = [
    ("Every figure that was new when it arrived, newest claims first",
     "SELECT as_of, category, low, high, qualifier, claimant, outlet FROM timeline\n"
     "WHERE novelty IN ('new', 'revision') ORDER BY as_of DESC NULLS LAST LIMIT 10"),
    ("How the estimates of the killed moved, and who said what",
     "SELECT as_of, low, high, qualifier, claimant, novelty, outlet FROM timeline\n"
     "WHERE category = 'killed' ORDER BY as_of NULLS LAST"),
    ("Each claimant's latest troop figure",
     "SELECT claimant, arg_max(low, as_of) AS low, arg_max(high, as_of) AS high, max(as_of) AS as_of\n"
     "FROM timeline WHERE category = 'troops_deployed' AND claimant IS NOT NULL GROUP BY claimant ORDER BY as_of DESC"),
    ("The most repeated figures (wire copy at work)",
     "SELECT category, low, high, repeat_count, repeat_outlets, article_url FROM figures\n"
     "WHERE novelty IN ('new', 'revision') ORDER BY repeat_count DESC LIMIT 5"),
    ("Revisions: a claimant changing its own number",
     "SELECT f.category, f.attribution, old.low AS was, f.low AS now, f.as_of, f.article_url\n"
     "FROM figures f JOIN figures old ON old.id = f.revises_id WHERE f.novelty = 'revision'"),
    ("Duplicates and what they copy",
     "SELECT a.feed, a.title, a.similarity, o.title AS original FROM articles a\n"
     "JOIN articles o ON o.id = a.duplicate_of ORDER BY a.similarity DESC"),
    ("New events by type",
     "SELECT type, count(*) AS events, min(date) AS first, max(date) AS last FROM events\n"
     "WHERE is_new GROUP BY type ORDER BY events DESC"),
    ("Source health",
     "SELECT feed, consecutive_failures, last_error, articles, duplicate_share, mean_extracted_chars FROM sources"),
    ("Relevant articles with the most figures",
     "SELECT a.title, a.feed, count(f.id) AS figures FROM articles a JOIN figures f ON f.article_id = a.id\n"
     "WHERE a.source = 'feed' GROUP BY a.title, a.feed ORDER BY figures DESC LIMIT 5"),
    ("What the digests said and where they went",
     "SELECT d.created_at, d.title, count(v.target) AS targets, count(v.sent_at) AS sent\n"
     "FROM digests d LEFT JOIN deliveries v ON v.digest_id = d.id GROUP BY d.created_at, d.title"),
]


def build_store(folder: Path) -> Path:
    from flows import prefect_env  # noqa: F401
    from flows.demo import write_demo_config
    from flows.localsite import build_demo_site
    from flows.monitor import monitor

    site = build_demo_site(ROOT / "seeds")
    site.start()
    try:
        config = write_demo_config(folder, site.base_url, ROOT / "seeds")
        monitor(str(config))
    finally:
        site.stop()
    return folder / "nkwatch.duckdb"


def main() -> int:
    from flows.output import table
    from storage.query import run_readonly

    with tempfile.TemporaryDirectory() as tmp:
        store = build_store(Path(tmp))
        parts = ["# Ten useful queries\n",
                 "Run on the demo store (`nkwatch demo`: the seeds plus the built-in local news site); generated",
                 "by `docs/make_queries.py`. Run them with `nkwatch query \"...\"` or in the DuckDB CLI",
                 "(`duckdb -readonly data/nkwatch.snapshot.duckdb`). Links point at the demo site's loopback",
                 "address.\n"]
        for i, (title, sql) in enumerate(QUERIES, 1):
            result = run_readonly(store, sql)
            parts += [f"## {i}. {title}\n", "```sql", sql, "```", "```", table(result.columns, result.rows, 48), "```\n"]
    (ROOT / "docs" / "queries.md").write_text("\n".join(parts))
    print(f"wrote {ROOT / 'docs' / 'queries.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
