"""The docs match the code: every query in docs/queries.md runs on a real store."""

from __future__ import annotations

import re

from flows.config import parse_settings
from flows.cycle import prepare
from storage.query import run_readonly

from .conftest import ROOT, SEEDS


def test_every_documented_query_runs(tmp_path):
    settings = parse_settings({"database": str(tmp_path / "nk.duckdb"), "seeds": str(SEEDS), "feeds": []})
    prepare(settings, "run-1")
    text = (ROOT / "docs" / "queries.md").read_text()
    queries = re.findall(r"```sql\n(.*?)\n```", text, re.S)
    assert len(queries) == 10
    for sql in queries:
        run_readonly(settings.database, sql)  # raises on any error


def test_readme_sql_examples_run(tmp_path):
    settings = parse_settings({"database": str(tmp_path / "nk.duckdb"), "seeds": str(SEEDS), "feeds": []})
    prepare(settings, "run-1")
    readme = (ROOT / "README.md").read_text()
    examples = re.findall(r'nkwatch query (?:--\S+ \S+ )?"([^"]+)"', readme)
    assert len(examples) >= 3
    for sql in examples:
        run_readonly(settings.database, sql)
