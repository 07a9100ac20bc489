"""The store's two largest indexes, kept in two tiers so that a cycle's checkpoint stays small.

DuckDB (1.5.5, and 2.0.1 too) writes a table's whole ART index again at every checkpoint after
the table changed (duckdb/duckdb#24848), and every nkwatch connection checkpoints as it closes
(storage/db.py says why). A table that every cycle adds to would make every cycle pay for its
whole index: with 1M articles stored, adding 181 articles' band keys made the close take 8.4 s.

So the band keys (32 rows an article) and the search postings (about 220) are each two tables:
``store.<name>`` holds the bulk and changes only when rows are *folded* into it, and
``store.<name>_recent`` takes every new row. A look-up reads both, each through its own index.
When the recent table passes ``FOLD_AT`` rows, the end of a cycle folds it into the main one: that
cycle's checkpoint rewrites the main index once (seconds at 1M articles), the cycles in between
rewrite only the small one.
"""

from __future__ import annotations

import duckdb

# Recent-tier rows at which a fold is due: about 8,000 articles' band keys, 4,500 articles' postings.
# The recent index costs every cycle's checkpoint about 0.3 µs (band keys) to 1 µs (terms) a row.
FOLD_AT = {"article_bands": 250_000, "search_terms": 1_000_000}


def recent(table: str) -> str:
    return f"store.{table}_recent"


def both(table: str, columns: str, where: str) -> str:
    """A SELECT of ``columns`` from both tiers of ``table``; ``where`` goes into each, so each tier
    answers it from its own index."""
    return (f"SELECT {columns} FROM store.{table} WHERE {where}"
            f" UNION ALL SELECT {columns} FROM {recent(table)} WHERE {where}")


def folds_due(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """The tiered tables whose recent tier has reached ``FOLD_AT``, with its row count."""
    due = {}
    for table, limit in FOLD_AT.items():
        (rows,) = con.execute(f"SELECT count(*) FROM {recent(table)}").fetchone() or (0,)
        if rows >= limit:
            due[table] = rows
    return due


def fold(con: duckdb.DuckDBPyConnection, table: str) -> int:
    """Move the recent tier of ``table`` into the main one, in the caller's transaction."""
    (rows,) = con.execute(f"SELECT count(*) FROM {recent(table)}").fetchone() or (0,)
    con.execute(f"INSERT INTO store.{table} SELECT * FROM {recent(table)}")
    con.execute(f"DELETE FROM {recent(table)}")
    return int(rows)
