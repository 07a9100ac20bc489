"""One writer at a time, never blocked by readers; a snapshot for everyone else.

DuckDB's own locking has two sharp edges for a scheduled writer (see ../shared/FACTS.md): a
writing process locks every reader out, and *any* open reader (a `duckdb -readonly` shell, a
notebook) locks the writer out for as long as it stays open. nkwatch handles them so:

- **Writers queue among themselves** on an OS lock file (``<store>.writer-lock``) held for a whole
  cycle, so `nkwatch run`, `serve` and `digest --send` never interleave their transactions.
- **Readers never block a writer.** When the store is held by readers only (a read-only open still
  succeeds), the writer copies the file, does the cycle's work on the copy and atomically renames
  it over the store at the end. Open readers keep the file they opened (a consistent, older
  state); the next open sees the new one. A store held open *for writing* by another program
  cannot be copied safely, so then the writer waits and, past ``wait_seconds``, fails clearly.
- **A snapshot** (``<store>.snapshot.duckdb``) is published after each cycle by copying the
  checkpointed file and renaming it into place; ad hoc work and `nkwatch query` fall back to it
  while a writer holds the store.

Each write transaction's lock hold is timed; the longest is reported in the run summary.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from storage.db import (StoreError, StoreLocked, _is_lock_error, close_kept, connect, current_path, raw_connect,
                        redirect, wal_path)


@dataclass
class Session:
    store: Path
    work: Path  # where connections go: the store itself, or a copy while readers hold the store
    copied: bool = False


def snapshot_path(store: Path) -> Path:
    return store.with_name(store.name.removesuffix(".duckdb") + ".snapshot.duckdb")


def _readers_only(store: Path) -> bool:
    """True when the store's lock is held by read-only connections (a read-only open succeeds)."""
    try:
        raw_connect(store, read_only=True).close()
        return True
    except duckdb.IOException as exc:
        if _is_lock_error(exc):
            return False
        raise StoreError(f"{store}: {exc}") from None


def _writable_now(store: Path) -> bool:
    if not store.exists():
        return True
    try:
        raw_connect(store).close()  # replaying a crashed writer's WAL safely
        return True
    except duckdb.IOException as exc:
        if _is_lock_error(exc):
            return False
        raise StoreError(f"{store}: {exc}") from None


@contextmanager
def writer_session(store: Path, wait_seconds: float = 60.0) -> Iterator[Session]:
    """Hold the writers' lock for the body; see the module docstring for what happens to readers."""
    store = store.resolve()
    store.parent.mkdir(parents=True, exist_ok=True)
    lock_file = store.with_name(store.name + ".writer-lock").open("a+")
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if time.monotonic() > deadline:
                lock_file.close()
                raise StoreLocked(f"{store}: another nkwatch process has been writing for over {wait_seconds:g} s") from None
            time.sleep(0.2)
    session = Session(store, store)
    close_kept()  # the session's connections share one database per store, closed at its end
    try:
        while not _writable_now(store):
            if _readers_only(store):
                session.work = store.with_name(f".{store.name}.work-{os.getpid()}")
                shutil.copyfile(store, session.work)
                if wal_path(store).exists():
                    shutil.copyfile(wal_path(store), wal_path(session.work))
                session.copied = True
                break
            if time.monotonic() > deadline:
                raise StoreLocked(f"{store} is open for writing in another program; close it (readers: use"
                                  f" `duckdb -readonly` or {snapshot_path(store).name})")
            time.sleep(0.5)
        redirect(store, session.work)
        try:
            yield session
        finally:
            redirect(store, None)
        if session.copied:
            # A WAL beside the store belonged to the old file and must not be replayed onto the
            # new one; the copy's own WAL, if a stage left one, moves with it.
            wal_path(store).unlink(missing_ok=True)
            if wal_path(session.work).exists():
                os.replace(wal_path(session.work), wal_path(store))
            os.replace(session.work, store)
    finally:
        if session.copied and session.work.exists():
            session.work.unlink(missing_ok=True)
            wal_path(session.work).unlink(missing_ok=True)
        close_kept()
        fcntl.flock(lock_file, fcntl.LOCK_UN)
        lock_file.close()


# Without a configured interval: a snapshot after every cycle while copying the store is cheap
# (0.03 s for a 65 MB store here, 1.1 s at 451 MB), at most hourly once it is big, where a copy
# per cycle would write the whole store again every few minutes.
AUTO_EVERY_CYCLE_BELOW_BYTES = 1 << 30
AUTO_INTERVAL_MINUTES = 60.0


def snapshot_due(store: Path, every_minutes: float | None) -> bool:
    """Whether the cycle that is ending should publish a new snapshot: when there is none, or the
    last one is at least ``every_minutes`` old (None: see AUTO_* above). Readers answered from an
    older snapshot are told its age."""
    store = store.resolve()
    target = snapshot_path(store)
    if not target.exists():
        return True
    if every_minutes is None:
        big = current_path(store).stat().st_size >= AUTO_EVERY_CYCLE_BELOW_BYTES
        every_minutes = AUTO_INTERVAL_MINUTES if big else 0.0
    return time.time() - target.stat().st_mtime >= every_minutes * 60


SNAPSHOT_WAIT_SECONDS = 10.0  # a reader that opened the store between two stages holds it for one query


def publish_snapshot(store: Path, wait_seconds: float = SNAPSHOT_WAIT_SECONDS) -> Path:
    """Copy the (checkpointed) store to its snapshot path atomically. Call with no connection open.
    Raises StoreLocked when readers hold the store for longer than ``wait_seconds``."""
    store = store.resolve()
    target = snapshot_path(store)
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    source = current_path(store)
    con = connect(source, wait_seconds=wait_seconds)
    try:
        con.execute("CHECKPOINT")  # folds any WAL into the file
        # Copied while this connection holds the store's lock: another program cannot open it for
        # writing and change the file half-way through the copy.
        shutil.copyfile(source, tmp)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    finally:
        con.close()
    os.replace(tmp, target)
    return target
