"""Numbered schema steps, each applied once and recorded in ``store.schema_migrations``.

A step is a SQL file ``storage/sql/NNN_name.sql``. Views are not migrations: ``views.sql`` is
re-applied after the steps so a view's definition always matches the code that documents it.
"""

from __future__ import annotations

import logging
from importlib import resources

import duckdb

log = logging.getLogger(__name__)

_SQL = resources.files("storage") / "sql"


def _steps() -> list[tuple[int, str, str]]:
    steps = []
    for item in _SQL.iterdir():
        name = item.name
        if name.endswith(".sql") and name[:3].isdigit():
            steps.append((int(name[:3]), name.removesuffix(".sql"), item.read_text(encoding="utf-8")))
    return sorted(steps)


def _views() -> str:
    return (resources.files("storage") / "views.sql").read_text(encoding="utf-8")


def migrate(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Apply the steps this store has not seen; returns their names. Cheap when up to date."""
    con.execute("CREATE SCHEMA IF NOT EXISTS store")
    con.execute(
        "CREATE TABLE IF NOT EXISTS store.schema_migrations ("
        " step INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
    )
    done = {row[0] for row in con.execute("SELECT step FROM store.schema_migrations").fetchall()}
    steps = _steps()
    pending = [s for s in steps if s[0] not in done]
    if not pending and _views_current(con):
        return []
    if pending and done:  # an existing store: a step may rebuild indexes of millions of rows
        log.warning("nkwatch: upgrading the store (%s); a large store takes a minute or so, once",
                    ", ".join(name for _, name, _ in pending))
    con.execute("BEGIN TRANSACTION")
    try:
        for step, name, sql in pending:
            con.execute(sql)
            con.execute("INSERT INTO store.schema_migrations (step, name) VALUES (?, ?)", [step, name])
        if any(name == "004_search" for _, name, _ in pending):
            # A store from before the search tables: index what it holds, once every step is in
            # (the postings go to a table a later step makes).
            from storage.search import index_articles

            index_articles(con, None)
        con.execute(_views())
        con.execute("CREATE OR REPLACE TABLE store.schema_views AS SELECT ? AS digest", [_views_digest()])
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")
    return [name for _, name, _ in pending]


def _views_digest() -> str:
    import hashlib

    return hashlib.sha256(_views().encode()).hexdigest()


def _views_current(con: duckdb.DuckDBPyConnection) -> bool:
    try:
        row = con.execute("SELECT digest FROM store.schema_views").fetchone()
    except duckdb.CatalogException:
        return False
    return bool(row and row[0] == _views_digest())
