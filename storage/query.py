"""Ad hoc read-only SQL for `nkwatch query`.

The connection is read-only, and external access (files, other databases, extensions) is switched
off and the configuration locked before the user's SQL runs, so a query can read the store and
nothing else, and cannot write anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from datetime import UTC, datetime

from storage.db import StoreError, StoreLocked, connect
from storage.session import snapshot_path


@dataclass(frozen=True)
class QueryResult:
    columns: list[str]
    rows: list[tuple[Any, ...]]
    note: str | None = None  # e.g. "answered from the snapshot of 12:03 (the store was busy)"


def _lock_down(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")


def open_for_reading(path: Path, wait_seconds: float = 1.0) -> tuple[duckdb.DuckDBPyConnection, str | None]:
    """The live store when a read-only open succeeds soon, else the snapshot (saying how old)."""
    try:
        return connect(path, read_only=True, wait_seconds=wait_seconds), None
    except StoreLocked:
        snap = snapshot_path(path)
        if not snap.exists():
            raise
        when = datetime.fromtimestamp(snap.stat().st_mtime, UTC)
        age = (datetime.now(UTC) - when).total_seconds()
        note = (f"note: the store is busy (a cycle is writing); answered from the snapshot of"
                f" {when:%Y-%m-%d %H:%M:%S} UTC ({age / 60:.1f} min old)")
        return connect(snap, read_only=True, wait_seconds=wait_seconds), note


def _single_select(sql: str) -> str:
    try:
        statements = duckdb.extract_statements(sql)
    except duckdb.Error as exc:
        raise StoreError(f"query failed: {str(exc).splitlines()[0]}") from None
    if len(statements) != 1 or statements[0].type != duckdb.StatementType.SELECT:
        raise StoreError("--out takes exactly one SELECT statement")
    return statements[0].query.strip().rstrip(";")


def export_parquet(path: Path, sql: str, out: Path, wait_seconds: float = 1.0) -> QueryResult:
    """Write the result of one SELECT to a Parquet file; returns the row count and any note."""
    select = _single_select(sql)
    con, note = open_for_reading(path, wait_seconds)
    try:
        target = str(out.resolve()).replace("'", "''")
        try:
            con.execute(f"COPY ({select}) TO '{target}' (FORMAT parquet)")
            rows = con.execute(f"SELECT count(*) FROM read_parquet('{target}')").fetchone()
        except duckdb.Error as exc:
            raise StoreError(f"query failed: {str(exc).splitlines()[0]}") from None
        return QueryResult(["rows_written", "file"], [(rows[0] if rows else 0, str(out))], note)
    finally:
        con.close()


def run_readonly(path: Path, sql: str, wait_seconds: float = 1.0) -> QueryResult:
    con, note = open_for_reading(path, wait_seconds)
    try:
        _lock_down(con)
        try:
            cur = con.execute(sql)
        except duckdb.Error as exc:
            raise StoreError(f"query failed: {str(exc).splitlines()[0]}") from None
        if cur.description is None:
            return QueryResult([], [], note)
        return QueryResult([d[0] for d in cur.description], cur.fetchall(), note)
    finally:
        con.close()
