"""The store's two largest indexes, in two tiers, so that a cycle's checkpoint stays small.

DuckDB (1.5.5, and 2.0.1 too) writes again, at every checkpoint, the part of an ART index that the
connection has read or changed (duckdb/duckdb#24848), and every nkwatch connection checkpoints as
it closes (storage/db.py says why). With 1M articles stored, a cycle's de-dup look-ups alone (five
batches of 40 articles' band keys) made the close take 7 to 11 s, whatever was written.

- **Band keys** (32 an article, read by every batch's near-duplicate look-up): the newest are in
  ``store.article_bands``; the bulk is in a DuckDB file of its own beside the store
  (``<store>.bands.duckdb``), attached read-only, so no checkpoint of the store ever writes its
  index. The same look-ups then closed in 0.10 s.
- **Search postings** (about 220 an article, never read by a cycle): the newest are in
  ``store.search_terms_recent``, the bulk in ``store.search_terms``, which only a fold changes.
  The bulk has no index (sql/008_postings_in_term_order.sql): each fold appends its postings in
  term order, and a search reads only the stretches of rows whose min and max term can hold its
  terms. With an index, every fold rewrote all of it (19 s at 22M postings, growing with them);
  now a fold costs about 1 s whatever the store holds.

A look-up reads both tiers. When a recent tier passes its ``fold_at`` rows, the end of a cycle
(after its digest) folds it into the main one; for band keys that cycle pays for writing the
main index once (seconds at 1M articles), the cycles in between only for the small one. A fold
empties a recent tier by making the table again (``empty_table``), not by deleting its rows.

The band-key file holds nothing the store does not: it is made from the articles' texts. A fold
writes it first and then empties the store's recent tier; a crash in between leaves rows in both,
which look-ups read as one (candidates are a set).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

BANDS_DB = "nkwatch_band_keys"  # the name the band-key file is attached under (not a store's own name)


class BandsFileBusy(Exception):
    """The band-key file could not be opened for writing (another program holds it)."""


@dataclass(frozen=True)
class Tiered:
    main: str
    recent: str
    fold_at: int  # recent rows at which a fold is due


# About 8,000 articles' band keys and 4,500 articles' postings. A recent tier of 1M postings added
# about 0.05 s to a cycle's close (measured at 1M articles stored).
BANDS = Tiered(f"{BANDS_DB}.article_bands", "store.article_bands", 250_000)
POSTINGS = Tiered("store.search_terms", "store.search_terms_recent", 1_000_000)
TIERED = {"article_bands": BANDS, "search_terms": POSTINGS}

_BANDS_SCHEMA = ("CREATE TABLE IF NOT EXISTS article_bands (band_key BIGINT NOT NULL, article_id TEXT NOT NULL);"
                 " CREATE INDEX IF NOT EXISTS idx_article_bands_band_key ON article_bands (band_key);")


def bands_path(store: Path) -> Path:
    return store.with_name(store.name.removesuffix(".duckdb") + ".bands.duckdb")


def use_bands_file(con: duckdb.DuckDBPyConnection, store: Path) -> None:
    """Tell a write connection to ``store`` where its band-key file is (attached when first read)."""
    con.execute(f"SET VARIABLE nkwatch_bands = '{_quoted(bands_path(store))}'")


def both(tiered: Tiered, columns: str, where: str, *, distinct: bool = False) -> str:
    """A SELECT of ``columns`` from both tiers; ``where`` goes into each, so that each tier answers
    it from its own index. ``distinct``: each row once, though it is in both tiers."""
    return (f"SELECT {columns} FROM {tiered.main} WHERE {where}"
            f" UNION {'' if distinct else 'ALL '}SELECT {columns} FROM {tiered.recent} WHERE {where}")


def attach_bands(con: duckdb.DuckDBPyConnection) -> bool:
    """Attach the band keys' main tier read-only, once per database; False when the connection was
    not told of a band-key file (a test's or a tool's own connection): it has the recent tier only."""
    if _attached(con):
        return True
    path = _bands_file(con)
    if path is None:
        return False
    ensure_bands_file(path)
    con.execute(f"ATTACH '{_quoted(path)}' AS {BANDS_DB} (READ_ONLY)")
    return True


def band_keys_sql(con: duckdb.DuckDBPyConnection, columns: str, where: str) -> str:
    """A SELECT of the band keys in every tier this connection has, each row once: a fold that
    stopped before emptying the store's tier leaves its keys in both."""
    if not attach_bands(con):
        return f"SELECT {columns} FROM {BANDS.recent} WHERE {where}"
    return both(BANDS, columns, where, distinct=True)


def folds_due(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """The tiered tables whose recent tier has reached its ``fold_at``, with its row count."""
    due = {}
    for name, tiered in TIERED.items():
        rows = _count(con, tiered.recent)
        if rows >= tiered.fold_at:
            due[name] = rows
    return due


def fold_postings(con: duckdb.DuckDBPyConnection) -> int:
    """Move the recent postings into the main table, in term order, in the caller's transaction.
    The main table has no index (sql/008_postings_in_term_order.sql): a search finds a term's
    postings there by the min and max term of each stretch of rows, so the fold costs the same
    whatever the store holds (1.0 s for 1M postings, against 19 s with an index at 22M stored)."""
    rows = _count(con, POSTINGS.recent)
    con.execute(f"INSERT INTO {POSTINGS.main} SELECT * FROM {POSTINGS.recent} ORDER BY term")
    empty_table(con, POSTINGS.recent)
    return rows


def fold_bands(con: duckdb.DuckDBPyConnection, between: Callable[[], None] | None = None) -> int:
    """Move the store's band keys into the band-key file: there first (its own transaction and
    checkpoint), then out of the store. Outside any transaction of the caller's. ``between`` is
    called once the file has them and the store still does (the crash trials stop there)."""
    from storage.db import transaction

    rows = _count(con, BANDS.recent)
    with writing_bands(con), transaction(con):
        # Rows already in the file (from a fold that stopped before its delete) are not copied again.
        con.execute(f"INSERT INTO {BANDS.main} SELECT r.band_key, r.article_id FROM {BANDS.recent} r"
                    f" WHERE NOT EXISTS (SELECT 1 FROM {BANDS.main} m"
                    "  WHERE m.band_key = r.band_key AND m.article_id = r.article_id)")
    if between is not None:
        between()
    _forget_folded_bands(con)
    return rows


@contextmanager
def writing_bands(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Inside the body, the band-key file this connection was told of is attached for writing;
    detaching it at the end checkpoints it (a fold's cost)."""
    path = _bands_file(con)
    if path is None:
        raise RuntimeError("this connection was not told of a band-key file (use_bands_file)")
    ensure_bands_file(path)
    if _attached(con):
        con.execute(f"DETACH {BANDS_DB}")
    try:
        con.execute(f"ATTACH '{_quoted(path)}' AS {BANDS_DB}")
    except duckdb.IOException as exc:  # another program has the file open: fold another time
        raise BandsFileBusy(f"{path} is open in another program ({str(exc)[:160]})") from None
    try:
        yield
    finally:
        con.execute(f"DETACH {BANDS_DB}")


def _forget_folded_bands(con: duckdb.DuckDBPyConnection) -> None:
    from storage.db import transaction

    with transaction(con):
        empty_table(con, BANDS.recent)


def empty_table(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """Every row of ``table`` (``schema.name``, in the store) gone, in the caller's transaction: the
    table is made again from its own definition, with its indexes. A DELETE of a full recent
    tier removes each row's index entry as it commits: 4.9 s for 1M postings, where this takes
    0.03 s. A crash after the commit leaves the table made again, its index whole (checked on
    replay of the WAL)."""
    schema, name = table.split(".")
    where = "database_name = current_database() AND schema_name = ? AND table_name = ?"
    row = con.execute(f"SELECT sql FROM duckdb_tables() WHERE {where}", [schema, name]).fetchone()
    if row is None:
        raise LookupError(f"no table {table} in the store")
    indexes = [r[0] for r in con.execute(f"SELECT sql FROM duckdb_indexes() WHERE {where} AND sql IS NOT NULL"
                                         " ORDER BY index_name", [schema, name]).fetchall()]
    con.execute(f"DROP TABLE {table}")
    con.execute(row[0])
    for create_index in indexes:
        con.execute(create_index)


def ensure_bands_file(path: Path) -> None:
    """The band-key file exists, with its table, and no WAL is left beside it (a fold that
    crashed): opening it for writing replays and checkpoints the WAL (storage/db.py raw_connect
    says why at once), where a read-only attach would replay it on every connection. A new file
    is made under another name and renamed into place, so a crash never leaves one without its
    table."""
    from storage.db import raw_connect, wal_path

    if path.exists() and not wal_path(path).exists():
        return
    target = path if path.exists() else path.with_name(path.name + ".new")
    for leftover in ([] if target == path else [target, wal_path(target)]):
        leftover.unlink(missing_ok=True)
    con = raw_connect(target)
    try:
        con.execute(_BANDS_SCHEMA)
    finally:
        con.close()
    if target != path:
        os.replace(target, path)


def _attached(con: duckdb.DuckDBPyConnection) -> bool:
    row = con.execute("SELECT count(*) FROM duckdb_databases() WHERE database_name = ?", [BANDS_DB]).fetchone()
    return bool(row and row[0])


def _bands_file(con: duckdb.DuckDBPyConnection) -> Path | None:
    row = con.execute("SELECT getvariable('nkwatch_bands')").fetchone()
    return Path(row[0]) if row and row[0] else None


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    row = con.execute(f"SELECT count(*) FROM {table}").fetchone()
    return int(row[0]) if row else 0


def _quoted(path: Path) -> str:
    return str(path).replace("'", "''")


# -- A lost band-key file ------------------------------------------------------------------------
# Everything in it can be made again from the stored texts, but at about a millisecond an article
# that is a command of its own (`nkwatch rebuild-band-keys`), not a step of a cycle.

REBUILD_COMMAND = "nkwatch rebuild-band-keys"


def note_lost_bands_file(con: duckdb.DuckDBPyConnection, store: Path, now: object) -> int:
    """Before a cycle's first look-up makes the band-key file again empty: when it is missing and
    stored originals have no band keys in the store's tier, record the repair as due (the next
    cycles warn of it). Returns how many originals lack their keys (0: nothing was lost)."""
    if bands_path(store).exists():
        return 0
    row = con.execute(f"SELECT count(*) FROM store.articles a WHERE a.duplicate_of IS NULL AND length(a.text) >= 40"
                      f" AND NOT EXISTS (SELECT 1 FROM {BANDS.recent} r WHERE r.article_id = a.id)").fetchone()
    missing = int(row[0]) if row else 0
    if missing:
        con.execute("INSERT INTO store.repairs_due VALUES ('band_keys', ?, ?) ON CONFLICT DO NOTHING",
                    [now, f"the band-key file {bands_path(store).name} was missing: {missing:,} stored article(s) are"
                          f" not near-duplicate candidates until `{REBUILD_COMMAND}` has run"])
    return missing


def repairs_due(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [r[0] for r in con.execute("SELECT detail FROM store.repairs_due ORDER BY noticed_at").fetchall()]


def originals_without_band_keys(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Ids of the stored originals with no band key in either tier (one scan of each)."""
    attach_bands(con)
    keyed = band_keys_sql(con, "DISTINCT article_id", "true")
    return [r[0] for r in con.execute(f"SELECT id FROM store.articles WHERE duplicate_of IS NULL AND length(text) >= 40"
                                      f" AND id NOT IN ({keyed}) ORDER BY id").fetchall()]


def article_texts(con: duckdb.DuckDBPyConnection, ids: list[str]) -> list[tuple[str, str]]:
    from storage.db import text_literals

    return con.execute(f"SELECT id, text FROM store.articles WHERE id IN ({text_literals(ids)}) ORDER BY id").fetchall()


def forget_repair(con: duckdb.DuckDBPyConnection, name: str) -> None:
    con.execute("DELETE FROM store.repairs_due WHERE name = ?", [name])
