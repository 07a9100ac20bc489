"""Ranked full-text search over stored articles with DuckDB's fts extension (BM25).

The extension ships as a registry package (duckdb-extension-fts) and is loaded from its file, so
search works offline. DuckDB's FTS index is not updated on insert: ``rebuild_index`` re-creates it
at the end of a cycle that stored new text (tens of milliseconds for thousands of articles).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

import duckdb_extension_fts


def _extension_file() -> Path:
    base = Path(duckdb_extension_fts.__file__).parent / "extensions"
    found = sorted(base.glob(f"v{duckdb.__version__}/fts.duckdb_extension"))
    if not found:
        raise RuntimeError(f"no fts extension for duckdb {duckdb.__version__} in {base}")
    return found[0]


def load_fts(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"LOAD '{_extension_file()}'")


def rebuild_index(con: duckdb.DuckDBPyConnection) -> None:
    load_fts(con)
    con.execute("PRAGMA create_fts_index('store.articles', 'id', 'title', 'text', overwrite=1)")


def has_index(con: duckdb.DuckDBPyConnection) -> bool:
    row = con.execute("SELECT count(*) FROM duckdb_schemas() WHERE schema_name = 'fts_store_articles'").fetchone()
    return bool(row and row[0])


@dataclass(frozen=True)
class Hit:
    article_id: str
    title: str
    published: datetime | None
    outlet: str
    url: str
    score: float
    text: str


def search(con: duckdb.DuckDBPyConnection, query: str, limit: int = 10) -> list[Hit]:
    """Originals only (a duplicate would repeat its original's hit), best first."""
    load_fts(con)
    rows = con.execute(
        "SELECT * FROM (SELECT id, coalesce(title, ''), published, coalesce(sitename, feed, seed_file, ''), url,"
        " fts_store_articles.match_bm25(id, ?) AS score, text FROM store.articles WHERE duplicate_of IS NULL)"
        " WHERE score IS NOT NULL ORDER BY score DESC LIMIT ?",
        [query, limit],
    ).fetchall()
    return [Hit(*r) for r in rows]
