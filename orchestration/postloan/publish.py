"""One writer, many readers: the build lock, private build files and the atomic publish.

A build writes only to a private file beside the warehouse. Publishing checkpoints it and renames it
over the published file in one ``os.replace``: a reader that opens the warehouse sees the old build
or the new one, never a mix, and a reader already connected keeps reading the old file (its open
descriptor pins the old inode) until it reconnects.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb


class BuildLockedError(RuntimeError):
    """Another build holds the writer lock."""


def lock_path(warehouse: Path) -> Path:
    return warehouse.with_name(warehouse.name + ".lock")


def build_path(warehouse: Path, run_id: str) -> Path:
    return warehouse.with_name(f".{warehouse.stem}.build-{run_id}.duckdb")


@contextlib.contextmanager
def writer_lock(warehouse: Path, wait_seconds: float = 0.0) -> Iterator[None]:
    """Hold the single-writer lock for ``warehouse``; wait up to ``wait_seconds`` for it."""
    path = lock_path(warehouse)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    deadline = time.monotonic() + wait_seconds
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = os.pread(fd, 200, 0).decode(errors="replace").strip() or "unknown"
                    raise BuildLockedError(
                        f"another build is writing {warehouse} (holder: {holder}); "
                        f"wait for it to finish or pass --wait SECONDS") from None
                time.sleep(0.2)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} since {time.strftime('%Y-%m-%dT%H:%M:%S%z')}".encode(),
                  0)
        yield
    finally:
        os.close(fd)  # closing releases the flock, also when the process is killed


def clean_stale_builds(warehouse: Path) -> list[Path]:
    """Remove private build files left by killed builds. Call only while holding the lock."""
    removed = []
    for path in warehouse.parent.glob(f".{warehouse.stem}.build-*.duckdb*"):
        path.unlink(missing_ok=True)
        removed.append(path)
    return removed


def _fsync_path(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def publish(build_file: Path, warehouse: Path) -> None:
    """Checkpoint ``build_file`` and atomically make it the published warehouse."""
    con = duckdb.connect(str(build_file))
    try:
        con.execute("checkpoint")
    finally:
        con.close()
    wal = build_file.with_name(build_file.name + ".wal")
    if wal.exists():
        raise RuntimeError(f"{wal} still exists after checkpoint; refusing to publish")
    _fsync_path(build_file)
    os.replace(build_file, warehouse)
    _fsync_path(warehouse.parent)


def connect_readonly(warehouse: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the published warehouse (what the dashboard and analysts use)."""
    return duckdb.connect(str(warehouse), read_only=True)


def published_signature(warehouse: Path) -> tuple[int, int] | None:
    """Changes whenever a new build is published; use it to key caches."""
    try:
        st = warehouse.stat()
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_mtime_ns)
