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
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb

from postloan import personal
from postloan.landing.contract import REJECT_COLUMNS


class BuildLockedError(RuntimeError):
    """Another build holds the writer lock."""


def connect_for_build(path: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """A connection (read-write unless ``read_only``) with the build's DuckDB limits (memory,
    threads, spill folder: config/operations.yaml). Without them DuckDB may take 80% of the
    machine's memory, and at a million loans the publication steps did (docs/benchmarks.md)."""
    from postloan.operations import load_operations

    return duckdb.connect(str(path), read_only=read_only,
                          config=load_operations().duckdb_config(path))


def lock_path(warehouse: Path) -> Path:
    return warehouse.with_name(warehouse.name + ".lock")


def build_path(warehouse: Path, run_id: str) -> Path:
    return warehouse.with_name(f".{warehouse.stem}.build-{run_id}.duckdb")


_HELD: set[Path] = set()


@contextlib.contextmanager
def writer_lock(warehouse: Path, wait_seconds: float = 0.0) -> Iterator[None]:
    """Hold the single-writer lock for ``warehouse``; wait up to ``wait_seconds`` for it.

    Re-entrant within one process (the CLI takes it before starting the run and the run's build
    resource takes it again), exclusive across processes.
    """
    path = lock_path(warehouse)
    if path in _HELD:
        yield
        return
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
        _HELD.add(path)
        try:
            yield
        finally:
            _HELD.discard(path)
    finally:
        os.close(fd)  # closing releases the flock, also when the process is killed


def _in_use(path: Path) -> bool:
    """True while another process holds DuckDB's write lock on ``path``."""
    try:
        fd = os.open(path, os.O_RDWR)
    except FileNotFoundError:
        return False
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        fcntl.lockf(fd, fcntl.LOCK_UN)
        return False
    except OSError:
        return True
    finally:
        os.close(fd)


def clean_stale_builds(warehouse: Path, wait_seconds: float = 120.0) -> list[Path]:
    """Remove private build files left by killed builds. Call only while holding the lock.

    A file still locked by a process of a killed build (a dbt child finishing its statement) is
    waited for, so it is never deleted under a writer and then recreated.
    """
    removed = []
    deadline = time.monotonic() + wait_seconds
    for path in sorted(warehouse.parent.glob(f".{warehouse.stem}.build-*")):
        while path.suffix == ".duckdb" and _in_use(path) and time.monotonic() < deadline:
            time.sleep(0.5)
        path.unlink(missing_ok=True)
        removed.append(path)
    return removed


def masked_path(warehouse: Path) -> Path:
    """The published copy with personal data masked, for readers who must not see it."""
    return warehouse.with_name(f"{warehouse.stem}.masked{warehouse.suffix}")


_quote = personal.quote


def copy_masked(con: duckdb.DuckDBPyConnection, source: str,
                target: str) -> list[tuple[str, str, str]]:
    """Copy every schema, table, view and macro of the attached database ``source`` into the
    (empty) database ``target`` with each personal column masked on the way; returns the
    (schema, table, column) masked. The unmasked values are never written to ``target``, so its
    file holds no trace of them; the raw records kept for rejected rows are masked the same
    way."""
    con.execute(f"copy from database {_quote(source)} to {_quote(target)} (schema)")
    tables = con.execute("""
        select table_schema, table_name, list(column_name order by ordinal_position)
        from information_schema.columns c
        join information_schema.tables t using (table_catalog, table_schema, table_name)
        where t.table_catalog = ? and t.table_type = 'BASE TABLE'
        group by all order by all""", [source]).fetchall()
    masked = []
    for schema, table, columns in tables:
        own = [c for c in columns if c in personal.PERSONAL_COLUMNS]
        if (schema, table) == ("raw", "rejects"):
            select = personal.rejects_select(columns)
        else:
            select = ", ".join(personal.masked_expression(c) + " as " + _quote(c) if c in own
                               else _quote(c) for c in columns)
        con.execute(f"insert into {_quote(target)}.{_quote(schema)}.{_quote(table)} "
                    f"({', '.join(_quote(c) for c in columns)}) select {select} "
                    f"from {_quote(source)}.{_quote(schema)}.{_quote(table)}")
        masked += [(schema, table, c) for c in own]
    return masked


def _fsync_path(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def _timed(seconds: dict[str, float] | None, part: str) -> Iterator[None]:
    """Add the wall seconds of the block to ``seconds[part]`` (when a dict is given)."""
    started = time.perf_counter()
    try:
        yield
    finally:
        if seconds is not None:
            seconds[part] = seconds.get(part, 0.0) + time.perf_counter() - started


def prepare_masked_copy(build_file: Path, seconds: dict[str, float] | None = None) -> Path:
    """A copy of the checkpointed build with personal data masked (not yet published).

    A build whose loader kept the personal originals in their side file
    (``personal.personal_path``) never wrote one into its own file: the masked copy is that
    file copied byte for byte, and the originals are then written back into the build file, which
    becomes the full warehouse (postloan/personal.py). Before the copy, every personal value in
    the build must be the mask of its original on record, or nothing is published.

    Without a side file (a build file made some other way) the masking happens on the way into a
    fresh file (``copy_masked``): one pass over every row, so the copy never held the originals,
    not even in freed blocks.

    ``seconds`` receives the time of checkpointing the build, of writing the copy and of
    restoring the originals.
    """
    staging = build_file.with_name(build_file.stem + ".masked.duckdb")
    side = personal.personal_path(build_file)
    with _timed(seconds, "checkpoint"):
        checkpoint(build_file)
    staging.unlink(missing_ok=True)
    staging.with_name(staging.name + ".wal").unlink(missing_ok=True)
    if not side.exists():
        con = connect_for_build(build_file, read_only=True)
        try:
            loaded_masked = personal.masked_at_load(con)
        finally:
            con.close()
        if loaded_masked:
            raise RuntimeError(
                f"{build_file.name} was loaded with its personal originals kept in {side.name}, "
                "which is missing: publishing it would publish masked names as the full "
                "warehouse; build again")
        with _timed(seconds, "masked_copy"):
            _write_masked(build_file, staging)
        return staging
    with _timed(seconds, "masked_copy"):
        _copy_file_masked(build_file, side, staging)
    with _timed(seconds, "restore_personal"):
        os.chmod(build_file, personal.FULL_COPY_MODE)  # before it holds an original again
        con = connect_for_build(build_file)
        try:
            personal.restore(con, personal.attach_originals(con, side))
        finally:
            con.close()
        checkpoint(build_file)
        side.unlink()
        side.with_name(side.name + ".wal").unlink(missing_ok=True)
    return staging


def _write_masked(build_file: Path, staging: Path) -> None:
    con = connect_for_build(staging)
    try:
        # The copy need not keep the build's row order (SQL promises an order only to a query
        # that asks for one), so DuckDB may insert in parallel: 90.1 s instead of 95.5 s at
        # 1,000,000 loans.
        con.execute("set preserve_insertion_order = false")
        target = con.execute("select current_database()").fetchone()[0]
        # ATTACH takes no bound parameters; the path is ours, quoted as a SQL literal.
        con.execute("attach '" + str(build_file).replace("'", "''")
                    + "' as masking_source (read_only)")
        copy_masked(con, "masking_source", target)
        con.execute("detach masking_source")
        con.execute(f"update {_quote(target)}.meta.build_info set published_copy = 'masked'")
    finally:
        con.close()
    checkpoint(staging)


def _copy_file_masked(build_file: Path, side: Path, staging: Path) -> None:
    """``staging`` := the (checkpointed) build file, once no personal original is in it."""
    con = connect_for_build(build_file, read_only=True)
    try:
        found = personal.unrestorable(con, personal.attach_originals(con, side))
    finally:
        con.close()
    if found:
        raise RuntimeError(
            "personal values in the build are not all masked, so it cannot be copied as the "
            "masked copy: " + "; ".join(f"{s}.{t}.{c}: {n} rows" for s, t, c, n in found))
    wal = build_file.with_name(build_file.name + ".wal")
    if wal.exists():
        raise RuntimeError(f"{wal} still exists after checkpoint; refusing to copy it")
    shutil.copyfile(build_file, staging)
    con = connect_for_build(staging)
    try:
        con.execute("update meta.build_info set published_copy = 'masked'")
    finally:
        con.close()
    checkpoint(staging)


def publish_with_masked_copy(build_file: Path, warehouse: Path,
                             seconds: dict[str, float] | None = None) -> Path:
    """Publish the full warehouse and its masked copy, both prepared before either is swapped.

    The two renames follow each other directly, full copy first: if the process dies between
    them, the masked copy still shows the previous published build, never an unpublished one.
    ``seconds`` receives where the time went: checkpoint, masked_copy, restore_personal, swap
    (the two renames with their final checkpoints and fsyncs).
    """
    staging = prepare_masked_copy(build_file, seconds)
    os.chmod(build_file, personal.FULL_COPY_MODE)
    os.chmod(staging, personal.MASKED_COPY_MODE)
    with _timed(seconds, "swap"):
        publish(build_file, warehouse)
        publish(staging, masked_path(warehouse))
    return masked_path(warehouse)


def checkpoint(path: Path) -> None:
    con = connect_for_build(path)
    try:
        con.execute("checkpoint")
    finally:
        con.close()


def publish(build_file: Path, warehouse: Path) -> None:
    """Checkpoint ``build_file`` and atomically make it the published warehouse."""
    checkpoint(build_file)
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


def failed_rejects_path(warehouse: Path, run_id: str) -> Path:
    """Where a failed build leaves its quarantined rows: beside the warehouse, named by run."""
    return warehouse.with_name(f"{warehouse.stem}.rejects-{run_id[:8]}.csv")


def save_failed_rejects(warehouse: Path, run_id: str) -> tuple[Path, int, int] | None:
    """Write the quarantined rows of a failed build to a CSV beside the warehouse, before its
    private file is removed; return the file, the rows rejected (distinct batch, file and line)
    and the broken rules, one per line of the file (None when there are none).

    A published build shows its rejects in ``reporting.rejects``. A build that stops (a file that
    does not reconcile, a repeated key, a failed dbt test) publishes nothing, so without this the
    operator would see which checks failed but not the file, line, column and reason of each row.
    The file is UTF-8 with a byte-order mark (Excel reads the Chinese), one row per broken rule,
    ordered by batch, file and line, and holds the raw record as delivered but for its personal
    fields, which a build's loader writes as *** (postloan/personal.py). It is readable by its
    owner and group only all the same (a build file of older code holds them; its temporary
    files sit in a folder only the owner can open). Raises OSError or duckdb.Error when the file
    cannot be written; the callers report that beside the build's own failure.
    """
    private = build_path(warehouse, run_id[:8])
    if not private.exists():
        return None
    try:
        con = duckdb.connect(str(private), read_only=True)
    except duckdb.Error:
        return None  # not a complete database file (killed while created): nothing to read
    target = failed_rejects_path(warehouse, run_id)
    # DuckDB writes its CSV with the default mode, so into a folder only the owner can open.
    scratch = Path(tempfile.mkdtemp(prefix=".rejects-", dir=warehouse.parent))
    body, part = scratch / "body.csv", scratch / "with-bom.csv"
    try:
        try:
            has_table = con.execute(
                "select count(*) from duckdb_tables() where schema_name = 'raw' "
                "and table_name = 'rejects'").fetchone()[0]
            rules, rows = con.execute(
                "select count(*), count(distinct (batch_id, entity, source_file, line_number)) "
                "from raw.rejects").fetchone() if has_table else (0, 0)
            if not rules:
                return None
            # COPY takes no bound parameters; the path is ours, quoted as a SQL literal.
            con.execute(f"copy (select {', '.join(REJECT_COLUMNS)} from raw.rejects "
                        f"order by batch_id, source_file, line_number, column_name, rule) to '"
                        + str(body).replace("'", "''") + "' (header, delimiter ',')")
        finally:
            con.close()
        fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o640)
        with os.fdopen(fd, "wb") as out, body.open("rb") as src:
            out.write(b"\xef\xbb\xbf")
            while chunk := src.read(1 << 20):
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        os.replace(part, target)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return target, rows, rules
