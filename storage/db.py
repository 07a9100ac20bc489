"""Opening the DuckDB store: short-lived connections, retried while another process holds the lock.

DuckDB lets one process write a file and locks every other process out while it does (and
read-only readers lock the writer out). nkwatch therefore keeps connections short: a stage opens
the store, runs a few statements in one transaction and closes it. The one exception is a cycle
from planning to its run log (``held``): its batches are saved every fraction of a second, and
opening, migrating and closing (a checkpoint) cost about 0.1 s each time, so those stages share
one connection, still one transaction per batch; readers meanwhile answer from the snapshot
(storage/session.py).
When the file is locked by someone else, opening is retried with backoff for ``wait_seconds``.
Write connections are cursors on an in-memory database kept for each store path, which they
attach the store to and detach it from (``StoreConnection``): creating the database is most of
the cost of opening a connection.

Exceptions::

    StoreError            the store cannot be used (bad path, corrupt file)
     └── StoreLocked      another process held the lock for longer than we were willing to wait
"""

from __future__ import annotations

import importlib.util
import random
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

# DuckDB's Python binding tries `import pandas` several times for every bound parameter. Without
# pandas installed each attempt searches the whole sys.path again (measured: 60% of the time of
# saving a batch of articles). Recording "not installed" once makes those attempts fail at once;
# nothing changes where pandas is installed.
if "pandas" not in sys.modules and importlib.util.find_spec("pandas") is None:
    sys.modules["pandas"] = None  # type: ignore[assignment]

from storage.migrations import migrate
from storage.tiers import use_bands_file


class StoreError(Exception):
    """The store cannot be opened or used."""


class StoreLocked(StoreError):
    """Another process holds the DuckDB file's lock."""


# Set by storage.session.writer_session: while a writer works on a copy of the store (because
# readers hold the store itself), connections to the store go to the copy; each write
# connection's lifetime is recorded so a cycle can report its longest lock hold.
_redirects: dict[Path, Path] = {}
_holds: dict[Path, list[float]] = {}
_held: dict[Path, _Held] = {}
_registry_lock = threading.Lock()


def redirect(store: Path, work: Path | None) -> None:
    with _registry_lock:
        if work is None:
            _redirects.pop(store, None)
            _holds.pop(store, None)
        else:
            _redirects[store] = work
            _holds[store] = []


def current_path(store: Path) -> Path:
    with _registry_lock:
        return _redirects.get(store.resolve(), store)


def lock_holds(store: Path) -> list[float]:
    with _registry_lock:
        return list(_holds.get(store.resolve(), []))


def _is_lock_error(exc: Exception) -> bool:
    text = str(exc)
    return "Could not set lock" in text or "Conflicting lock" in text


def wal_path(path: Path) -> Path:
    """The write-ahead log DuckDB keeps beside a store file."""
    return path.with_name(path.name + ".wal")


# The row group a writer appends to. DuckDB adds a batch's rows to a table's last row group and,
# when the table has an index (articles, entries, ... all have one), writes that whole row group
# again at every checkpoint (duckdb/duckdb#21316), and every writer's close checkpoints. With the
# default of 122,880 rows, 40 new articles in a store of 100k real-sized ones made the close take
# 1.5 s (100k rows of 5 KB text, a primary key and one index; /tmp/w/rgs.py, 2026-12-02); with
# 8,192 it took 0.06 to 0.07 s, and a look-up by key or a scan of the text took the same time. The
# size is an option of ATTACH, not of the file: every write connection is opened this way. A store
# written before keeps its large row groups; new rows start new, small ones.
ROW_GROUP_SIZE = 8192
STORE_DB = "nkwatch_store"  # the store's catalog in a write connection (a read-only one names it after the file)


class _Instance:
    """An in-memory DuckDB database kept for one store path, to which write connections attach it."""

    def __init__(self, path: Path) -> None:
        # Where a plain connection to the file would spill (an in-memory database's default is ./.tmp).
        self.db = duckdb.connect(":memory:", config={"threads": 1, "temp_directory": str(path) + ".tmp"})
        self.busy = threading.Lock()  # one connection at a time attaches the store here


# Creating an in-memory DuckDB database costs about 13 ms, and a cycle opens its store four times
# one after the other before and after its pages are read (the writers' check, preparing, the run
# log, the snapshot): so each store path keeps one, and a write connection is a cursor on it that
# attaches the store, 0.5 ms instead of 13 (medians of 30, 2026-12-03). Closing the connection
# detaches the store, which checkpoints it and releases its lock as closing the database did. A
# second write connection to a path whose instance is in use gets a database of its own, as every
# connection did before. A writer session (storage/session.py) closes the kept ones as it starts
# and ends (``close_kept``), so one lasts a cycle; outside sessions the least recently used idle
# ones beyond ``_KEPT`` are closed (a test run opens hundreds of stores).
_KEPT = 4
_instances: OrderedDict[Path, _Instance] = OrderedDict()
_instances_lock = threading.RLock()  # re-entrant: a dropped connection may close from the garbage collector


def _claim_instance(path: Path) -> _Instance | None:
    """The kept instance for ``path``, claimed for one connection; None while it is in use."""
    with _instances_lock:
        instance = _instances.get(path)
        if instance is None:
            instance = _instances[path] = _Instance(path)
        _instances.move_to_end(path)
        if not instance.busy.acquire(blocking=False):
            return None
        _close_idle(list(_instances.items())[:-_KEPT])  # ``instance`` is claimed: it stays
        return instance


def _close_idle(entries: list[tuple[Path, _Instance]]) -> None:
    """Close those of the kept databases no connection is using (``_instances_lock`` held)."""
    for path, instance in entries:
        if instance.busy.acquire(blocking=False):
            del _instances[path]
            instance.db.close()


def close_kept() -> None:
    """Close every kept database no connection is using. DuckDB holds on to the memory a
    database's queries used until the database closes (a scan of a 1 GB table left 850 MB resident
    after the store was detached, 63 MB once the database closed), so a writer session closes
    them as it starts and ends: a process that runs cycles for days returns the memory of each."""
    with _instances_lock:
        _close_idle(list(_instances.items()))


def _forget_instance(path: Path, instance: _Instance) -> None:
    with _instances_lock:
        if _instances.get(path) is instance:
            del _instances[path]


class StoreConnection:
    """A write connection on a kept instance: ``execute`` as DuckDB's connection has it, and
    ``close``, which detaches the store and its band-key file (each DETACH checkpoints that file
    and releases its lock; verified: no WAL left, another process opens the file at once)."""

    def __init__(self, path: Path, instance: _Instance, *, kept: bool) -> None:
        self._path, self._instance, self._kept = path, instance, kept
        self._cursor: duckdb.DuckDBPyConnection | None = instance.db.cursor()

    def execute(self, query: str, parameters: object = None) -> duckdb.DuckDBPyConnection:
        if self._cursor is None:
            raise duckdb.ConnectionException("Connection already closed!")
        return self._cursor.execute(query) if parameters is None else self._cursor.execute(query, parameters)

    def __del__(self) -> None:
        # A connection dropped without close() must not leave the store attached (and locked)
        # in a database this process keeps: as DuckDB's own connection does, it closes.
        try:
            self.close()
        except Exception:
            pass

    def close(self) -> None:
        cursor, self._cursor = self._cursor, None
        if cursor is None:
            return
        if not self._kept:  # a database of its own: closing it checkpoints and unlocks everything
            cursor.close()
            self._instance.db.close()
            return
        try:
            cursor.execute("USE memory")
            attached = [name for (name,) in cursor.execute(
                "SELECT database_name FROM duckdb_databases() WHERE NOT internal AND database_name <> 'memory'"
            ).fetchall()]
            for name in attached:
                cursor.execute(f'DETACH "{name}"')
        except BaseException:
            # Whatever is left attached must not stay locked by this process: close the whole
            # database, as closing a connection did before instances were kept.
            _forget_instance(self._path, self._instance)
            try:
                self._instance.db.close()
            except duckdb.Error:
                pass
            raise
        finally:
            cursor.close()
            self._instance.busy.release()


def raw_connect(path: Path, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """One attempt to open ``path`` (DuckDB's own errors pass through). Every connection to a
    store is opened here: for writing, a connection on the path's kept in-memory database
    (``StoreConnection``) that attaches the store with a small row group (``ROW_GROUP_SIZE``) and
    uses it as its default.

    A WAL left beside the file means the last writer did not close (a crash, a kill): connecting
    replays it. DuckDB 1.5.5's next checkpoint then writes the secondary indexes of the tables the
    connection did not change without the replayed rows, which look-ups then miss; a checkpoint
    straight after the replay keeps them (tests/test_store.py)."""
    if read_only:
        return duckdb.connect(str(path), read_only=True)
    replays = wal_path(path).exists()
    instance = _claim_instance(path)
    con = StoreConnection(path, instance or _Instance(path), kept=instance is not None)
    try:
        con.execute(f"ATTACH {_text_literal(str(path))} AS {STORE_DB} (ROW_GROUP_SIZE {ROW_GROUP_SIZE})")
        con.execute(f"USE {STORE_DB}")
    except BaseException:
        con.close()
        raise
    if replays:
        con.execute("CHECKPOINT")
    return con  # type: ignore[return-value]  (as DuckDB's connection, for execute and close)


def connect(path: Path, *, read_only: bool = False, wait_seconds: float = 30.0) -> duckdb.DuckDBPyConnection:
    """Open ``path``, retrying on the lock error with jittered backoff until ``wait_seconds`` pass."""
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    elif not path.exists():
        raise StoreError(f"{path}: no store here yet (run `nkwatch run` first)")
    deadline = time.monotonic() + wait_seconds
    delay = 0.05
    while True:
        try:
            return raw_connect(path, read_only=read_only)
        except duckdb.IOException as exc:
            if not _is_lock_error(exc):
                raise StoreError(f"{path}: {exc}") from None
            if time.monotonic() + delay > deadline:
                holder = str(exc).split("Conflicting lock is held in", 1)[-1].strip()
                raise StoreLocked(f"{path} is locked by another process ({holder[:120]})") from None
            time.sleep(delay * (0.5 + random.random()))
            delay = min(delay * 2, 1.0)
        except duckdb.Error as exc:
            raise StoreError(f"{path}: {exc}") from None


class _Held:
    """The connection ``held`` shares, opened by the first write access inside it."""

    def __init__(self) -> None:
        self.con: duckdb.DuckDBPyConnection | None = None
        self.opened = 0.0
        self.lock = threading.RLock()  # Prefect runs stages in threads; one statement stream at a time


def _record_hold(store: Path, seconds: float) -> None:
    with _registry_lock:
        if store in _holds:
            _holds[store].append(seconds)


@contextmanager
def held(path: Path) -> Iterator[None]:
    """Inside the body, this process's write accesses to ``path`` share one connection, opened at
    the first and closed at the end (the whole body then counts as one lock hold)."""
    store = path.resolve()
    entry = _Held()
    with _registry_lock:
        _held[store] = entry
    try:
        yield
    finally:
        with _registry_lock:
            _held.pop(store, None)
        with entry.lock:
            if entry.con is not None:
                entry.con.close()
                _record_hold(store, time.monotonic() - entry.opened)


@contextmanager
def open_store(path: Path, *, read_only: bool = False, wait_seconds: float = 30.0) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection for one short piece of work; migrations are applied on first write access.

    Closing the last connection checkpoints the store (folds its WAL into the file). That is never
    skipped (``PRAGMA disable_checkpoint_on_shutdown``): a WAL left for the next connection to
    replay costs index entries unless it checkpoints at once (see ``raw_connect``)."""
    store = path.resolve()
    with _registry_lock:
        shared = None if read_only else _held.get(store)
    if shared is not None:
        with shared.lock:
            if shared.con is None:
                shared.con = connect(current_path(store), wait_seconds=wait_seconds)
                shared.opened = time.monotonic()
                migrate(shared.con)
                use_bands_file(shared.con, store)
            yield shared.con
        return
    con = connect(current_path(store), read_only=read_only, wait_seconds=wait_seconds)
    opened = time.monotonic()
    try:
        if not read_only:
            migrate(con)
            use_bands_file(con, store)
        yield con
    finally:
        con.close()
        if not read_only:
            _record_hold(store, time.monotonic() - opened)


def text_literals(values: list[str]) -> str:
    """``'a','b'`` for an inlined IN list. DuckDB answers a literal IN list on a key from its index
    (0.3 ms at 100k articles), a bound array by scanning (3.8 ms)."""
    return ",".join(_text_literal(v) for v in values)


def _text_literal(value: str) -> str:
    # DuckDB's parser ends a quoted string at a NUL character; it is spliced in with chr(0).
    return "'" + value.replace("'", "''").replace("\0", "' || chr(0) || '") + "'"


def double_literals(values: list[float]) -> str:
    """``'600.0'::DOUBLE,...`` for an inlined IN list of exact doubles (a bare 0.9021001412854511
    would be read as a DECIMAL and land on another double; inf and nan have no bare literal)."""
    return ",".join(f"'{float(v)!r}'::DOUBLE" for v in values)



def insert_rows(con: duckdb.DuckDBPyConnection, table: str, columns: tuple[tuple[str, str], ...],
                rows: list[tuple[object, ...]]) -> None:
    """Insert ``rows`` (one value per ``(column, type)``) in one statement, one bound array per
    column; a row whose key is taken already is skipped."""
    select = ", ".join(f"unnest(${n + 1}::{t}[])" for n, (_, t) in enumerate(columns))
    con.execute(f"INSERT INTO {table} ({', '.join(c for c, _ in columns)}) SELECT {select} ON CONFLICT DO NOTHING",
                [list(col) for col in zip(*rows)])

@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """BEGIN … COMMIT, or ROLLBACK on any exception: a batch lands whole or not at all."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")
