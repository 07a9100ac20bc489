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

from storage.db import StoreError, connect


@dataclass(frozen=True)
class QueryResult:
    columns: list[str]
    rows: list[tuple[Any, ...]]
    note: str | None = None  # e.g. "answered from the snapshot of 12:03 (the store was busy)"


def _lock_down(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")


def run_readonly(path: Path, sql: str, wait_seconds: float = 5.0) -> QueryResult:
    con = connect(path, read_only=True, wait_seconds=wait_seconds)
    try:
        _lock_down(con)
        try:
            cur = con.execute(sql)
        except duckdb.Error as exc:
            raise StoreError(f"query failed: {str(exc).splitlines()[0]}") from None
        if cur.description is None:
            return QueryResult([], [])
        return QueryResult([d[0] for d in cur.description], cur.fetchall())
    finally:
        con.close()
