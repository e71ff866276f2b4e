"""One writer, many readers, with real processes: readers never see a mix of two builds, a killed
build never touches the published file, a second build is refused (or waits), and a build that
fails a blocking check leaves the published file as it was and says so in the run log.

Every build here is a ``postloan build --ephemeral`` subprocess; every reader is a plain Python
subprocess using ``duckdb.connect(path, read_only=True)``. Everything lives under pytest's tmp
folders and every wait is bounded. The published files are the warehouse and its masked copy.

The two tests at the end aim kills at narrow windows: between the two renames of a publish, and
at the main process only while its dbt child runs (as the OOM killer would). A kill that misses
its window skips rather than passes.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from postloan.landing.manifest import seal
from postloan.publish import masked_path
from postloan.runlog import read_runs
from tests.landing_factory import Expected, expected_figures, write_batch

pytestmark = pytest.mark.slow

BUILD_TIMEOUT = 180  # seconds for any one build subprocess
POSTLOAN = Path(sys.executable).with_name("postloan")
PUBLISHED_LINE = re.compile(r"^published .* \(build ([0-9a-f-]{36})\)$", re.M)
LARGEST_MODEL_START = "START sql table model intermediate.int_installment_settlement"

# The readers' query: build id and an aggregate, read through ONE read-only connection.
BUILD_ID_SQL = "select build_id from meta.build_info order by build_id"
AGGREGATE_SQL = ("select sum(loan_count)::bigint, sum(outstanding_principal)::varchar "
                 "from reporting.portfolio_summary")

READER = r'''
import json, sys, time
from pathlib import Path

import duckdb

warehouse, stop_file, out_path = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
max_seconds, max_reads, pause = float(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6])
BUILD_ID_SQL, AGGREGATE_SQL = sys.argv[7], sys.argv[8]
seen, errors, error_count, reads = {}, [], 0, 0
deadline = time.monotonic() + max_seconds
try:
    while time.monotonic() < deadline and reads < max_reads and not stop_file.exists():
        reads += 1
        try:
            con = duckdb.connect(warehouse, read_only=True)
            try:
                ids = [row[0] for row in con.execute(BUILD_ID_SQL).fetchall()]
                loans, principal = con.execute(AGGREGATE_SQL).fetchone()
            finally:
                con.close()
            key = json.dumps([ids, [loans, principal]])
            seen[key] = seen.get(key, 0) + 1
            last = Path(str(out_path) + ".last.tmp")
            last.write_text(key)
            last.replace(str(out_path) + ".last")
        except Exception as exc:  # every exception is a finding: record it
            error_count += 1
            if len(errors) < 50:
                errors.append(f"read {reads}: {type(exc).__name__}: {exc}")
        if reads == 1:
            Path(str(out_path) + ".ready").touch()
        time.sleep(pause)
finally:
    out_path.write_text(json.dumps({
        "reads": reads, "error_count": error_count, "errors": errors,
        "seen": [{"ids": json.loads(k)[0], "aggregate": json.loads(k)[1], "count": n}
                 for k, n in seen.items()],
    }))
'''


# --------------------------------------------------------------------------------------------
# Helpers


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def private_build_files(warehouse: Path) -> list[str]:
    return sorted(p.name for p in warehouse.parent.glob(f".{warehouse.stem}.build-*"))


def published_pair(warehouse: Path) -> tuple[tuple[str, ...], tuple[int, str]]:
    """(build ids, (outstanding loans, outstanding principal)) of the published file."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        ids = tuple(row[0] for row in con.execute(BUILD_ID_SQL).fetchall())
        loans, principal = con.execute(AGGREGATE_SQL).fetchone()
    finally:
        con.close()
    return ids, (int(loans), str(principal))


def build_env(tmp_path: Path) -> dict[str, str]:
    home = tmp_path / "dagster_home"
    home.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items()
           if k not in ("POSTLOAN_WAREHOUSE", "POSTLOAN_LANDING", "POSTLOAN_BUILD_DB")}
    env.update(DAGSTER_HOME=str(home), PYTHONUNBUFFERED="1", DBT_SEND_ANONYMOUS_USAGE_STATS="false")
    return env


def build_command(landing: Path, warehouse: Path, *extra: str) -> list[str]:
    exe = [str(POSTLOAN)] if POSTLOAN.exists() else [sys.executable, "-m", "postloan.cli"]
    return [*exe, "build", "--landing", str(landing), "--warehouse", str(warehouse),
            "--ephemeral", *extra]


def session_pids(sid: int) -> list[int]:
    """Live processes in session ``sid`` (a build started with start_new_session=True)."""
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[0] != "Z" and int(fields[3]) == sid:
            pids.append(int(stat.parent.name))
    return pids


def has_open(pid: int, path: Path) -> bool:
    try:
        fds = list(Path(f"/proc/{pid}/fd").iterdir())
    except OSError:
        return False
    for fd in fds:
        try:
            if os.readlink(fd) == str(path):
                return True
        except OSError:
            continue
    return False


def wait_for(condition, timeout: float, what: str, interval: float = 0.02):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


@dataclass
class Build:
    """A build subprocess in its own session, output to files."""

    proc: subprocess.Popen
    out: Path
    err: Path
    started: float

    @property
    def pid(self) -> int:
        return self.proc.pid

    def output(self) -> str:
        return self.out.read_text(errors="replace") + self.err.read_text(errors="replace")

    def wait(self, timeout: float = BUILD_TIMEOUT) -> int:
        return self.proc.wait(timeout=timeout)

    def tail(self, n: int = 3000) -> str:
        return self.output()[-n:]


class Processes:
    """Every process a test starts, so teardown can end the ones still alive (by id)."""

    def __init__(self, tmp_path: Path):
        self.tmp_path = tmp_path
        self.env = build_env(tmp_path)
        self.sessions: list[int] = []
        self.procs: list[subprocess.Popen] = []
        self.count = 0

    def start_build(self, landing: Path, warehouse: Path, *extra: str) -> Build:
        self.count += 1
        out = self.tmp_path / f"build{self.count}.out"
        err = self.tmp_path / f"build{self.count}.err"
        with out.open("wb") as o, err.open("wb") as e:
            proc = subprocess.Popen(build_command(landing, warehouse, *extra), stdout=o, stderr=e,
                                    env=self.env, start_new_session=True, cwd=self.tmp_path)
        self.sessions.append(proc.pid)
        self.procs.append(proc)
        return Build(proc, out, err, time.monotonic())

    def run_build(self, landing: Path, warehouse: Path, *extra: str,
                  timeout: float = BUILD_TIMEOUT) -> tuple[Build, int, float]:
        build = self.start_build(landing, warehouse, *extra)
        rc = build.wait(timeout)
        return build, rc, time.monotonic() - build.started

    def start_reader(self, warehouse: Path, stop: Path, out: Path, max_seconds: float = 900,
                     max_reads: int = 20_000, pause: float = 0.05) -> subprocess.Popen:
        script = self.tmp_path / "reader.py"
        if not script.exists():
            script.write_text(READER)
        proc = subprocess.Popen(
            [sys.executable, str(script), str(warehouse), str(stop), str(out), str(max_seconds),
             str(max_reads), str(pause), BUILD_ID_SQL, AGGREGATE_SQL],
            env=self.env, start_new_session=True, cwd=self.tmp_path,
            stdout=subprocess.DEVNULL, stderr=(self.tmp_path / f"{out.name}.err").open("wb"))
        self.sessions.append(proc.pid)
        self.procs.append(proc)
        return proc

    def cleanup(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGCONT)
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                proc.wait(timeout=30)
        for sid in self.sessions:  # orphans (dbt children of a killed build)
            for pid in session_pids(sid):
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass


@pytest.fixture
def procs(tmp_path: Path) -> Iterator[Processes]:
    registry = Processes(tmp_path)
    try:
        yield registry
    finally:
        registry.cleanup()


@dataclass(frozen=True)
class Baseline:
    warehouse: Path
    pair: tuple[tuple[str, ...], tuple[int, str]]
    expected: Expected
    seconds: float


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> Baseline:
    """One real build published by `postloan build`, copied by the tests that need a 'before'."""
    root = tmp_path_factory.mktemp("baseline")
    registry = Processes(root)
    landing = root / "landing"
    expected = expected_figures(write_batch(landing, seed=1, n_loans=16))
    warehouse = root / "wh" / "postloan.duckdb"
    try:
        build, rc, seconds = registry.run_build(landing, warehouse)
    finally:
        registry.cleanup()
    assert rc == 0, build.tail()
    pair = published_pair(warehouse)
    assert pair[1] == expected.aggregate
    assert published_pair(masked_path(warehouse)) == pair
    assert list(pair[0]) == PUBLISHED_LINE.findall(build.out.read_text())
    return Baseline(warehouse, pair, expected, seconds)


def copy_published(baseline: Baseline, warehouse: Path) -> None:
    """The baseline's published files (full and masked copy) as this test's starting point."""
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(baseline.warehouse, warehouse)
    shutil.copy2(masked_path(baseline.warehouse), masked_path(warehouse))


def published_digests(warehouse: Path) -> tuple[str, str]:
    return sha256(warehouse), sha256(masked_path(warehouse))


def test_factory_figures_match_the_published_build(baseline: Baseline) -> None:
    """The factory's independent figures agree with the product, field by field and per loan,
    so the tests below can compare readers' aggregates with them."""
    exp = baseline.expected
    con = duckdb.connect(str(baseline.warehouse), read_only=True)
    try:
        summary = con.execute("""
            select portfolio_id, as_of_date, loan_count, outstanding_principal::varchar,
                   overdue_loan_count, overdue_principal::varchar,
                   dpd_over_90_principal::varchar, closed_loan_count
            from reporting.portfolio_summary""").fetchall()
        loans = con.execute("""
            select loan_id, loan_status, outstanding_principal::varchar, coalesce(dpd, 0)
            from reporting.loans order by loan_id""").fetchall()
    finally:
        con.close()
    assert summary == [(
        exp.portfolio_id, exp.as_of, exp.loan_count, str(exp.outstanding_principal),
        exp.overdue_loan_count, str(exp.overdue_principal), str(exp.dpd_over_90_principal),
        exp.closed_loan_count)]
    assert loans == [(f.loan_id, f.status, str(f.outstanding_principal), f.dpd)
                     for f in sorted(exp.loans.values(), key=lambda f: f.loan_id)]
    assert exp.overdue_loan_count and exp.dpd_over_90_principal and exp.closed_loan_count


# --------------------------------------------------------------------------------------------
# Readers during builds and kills


def test_readers_see_whole_builds_only_and_killed_builds_change_nothing(
        tmp_path: Path, procs: Processes, baseline: Baseline) -> None:
    timings: dict[str, float] = {"first build": baseline.seconds}
    warehouse = tmp_path / "wh" / "postloan.duckdb"
    copy_published(baseline, warehouse)
    true_pairs = {"b1": baseline.pair}

    landings = {
        "b2": dict(seed=2, n_loans=16), "k_ingest": dict(seed=90, n_loans=1200),
        "k_dbt": dict(seed=91, n_loans=16), "b3": dict(seed=3, n_loans=24),
    }
    expected: dict[str, Expected] = {"b1": baseline.expected}
    for name, spec in landings.items():
        expected[name] = expected_figures(write_batch(tmp_path / "landing" / name, **spec))
    aggregates = [expected[n].aggregate for n in expected]
    assert len(set(aggregates)) == len(aggregates), "builds must differ for a mix to show"

    def publish_ok(name: str) -> None:
        build, rc, seconds = procs.run_build(tmp_path / "landing" / name, warehouse)
        timings[name] = seconds
        assert rc == 0, build.tail()
        ids, aggregate = published_pair(warehouse)
        assert list(ids) == PUBLISHED_LINE.findall(build.out.read_text())
        assert aggregate == expected[name].aggregate
        assert published_pair(masked_path(warehouse)) == (ids, aggregate)
        true_pairs[name] = (ids, aggregate)

    # Readers start on the first published build and run until told to stop: three on the
    # warehouse, one on its masked copy (same build id and figures, names masked).
    stop = tmp_path / "stop-readers"
    reader_outs = [tmp_path / f"reader{i}.json" for i in range(4)]
    readers = [procs.start_reader(warehouse if i < 3 else masked_path(warehouse), stop, out)
               for i, out in enumerate(reader_outs)]
    wait_for(lambda: all(Path(f"{o}.ready").exists() for o in reader_outs), 60,
             "every reader to finish its first read")

    publish_ok("b2")

    # Kill 1: the whole process group, as soon as the private build file appears (ingest).
    before = published_digests(warehouse)
    k1 = procs.start_build(tmp_path / "landing" / "k_ingest", warehouse)

    def private_file_appeared():
        assert k1.proc.poll() is None, "build ended before it could be killed:\n" + k1.tail()
        return private_build_files(warehouse)

    wait_for(private_file_appeared, 90, "the killed build's private file", interval=0.005)
    os.killpg(k1.pid, signal.SIGKILL)
    k1.wait(30)
    timings["k_ingest (killed)"] = time.monotonic() - k1.started
    assert "warehouse_dbt_assets" not in k1.output(), "meant to kill during ingest, was in dbt"
    wait_for(lambda: not session_pids(k1.pid), 30, "every process of the killed build to end")
    assert published_digests(warehouse) == before
    assert published_pair(warehouse) == true_pairs["b2"]
    assert published_pair(masked_path(warehouse)) == true_pairs["b2"]
    assert private_build_files(warehouse), "the kill left no private file: not killed partway?"

    # Kill 2: only the build's main process (as the OOM killer would), during the largest model
    # (the settlement of every installment against the payments).
    before = published_digests(warehouse)
    k2 = procs.start_build(tmp_path / "landing" / "k_dbt", warehouse)

    def dbt_running_largest_model():
        assert k2.proc.poll() is None, "build ended before it could be killed:\n" + k2.tail()
        return LARGEST_MODEL_START in k2.output()

    wait_for(dbt_running_largest_model, 120, "dbt to start the largest model", interval=0.01)
    os.kill(k2.pid, signal.SIGKILL)
    orphans = [pid for pid in session_pids(k2.pid) if pid != k2.pid]
    k2.wait(30)
    timings["k_dbt (killed)"] = time.monotonic() - k2.started
    assert published_digests(warehouse) == before
    assert published_pair(warehouse) == true_pairs["b2"]
    assert published_pair(masked_path(warehouse)) == true_pairs["b2"]
    assert private_build_files(warehouse), "the kill left no private file: not killed partway?"

    # The next build starts at once: no manual step, not even waiting for the killed build's
    # children to go away.
    publish_ok("b3")

    def every_reader_saw_the_last_build() -> bool:
        assert all(proc.poll() is None for proc in readers), "a reader stopped early"
        final = json.dumps([list(true_pairs["b3"][0]), list(true_pairs["b3"][1])])
        return all(Path(f"{o}.last").read_text() == final for o in reader_outs)

    # On a loaded machine a reader may be between reads for a while: wait for it, bounded.
    wait_for(every_reader_saw_the_last_build, 60, "every reader to see the last build")
    stop.touch()
    for proc in readers:
        assert proc.wait(timeout=60) == 0
    assert private_build_files(warehouse) == [], "the next build left stale private files"
    wait_for(lambda: not session_pids(k2.pid), 60, "the killed build's dbt child to end")
    assert private_build_files(warehouse) == [], \
        "private build files reappeared after the killed build's orphaned children ended"

    reports = [json.loads(o.read_text()) for o in reader_outs]
    errors = [e for r in reports for e in r["errors"]]
    assert sum(r["error_count"] for r in reports) == 0, errors
    allowed = {(ids, aggregate) for ids, aggregate in true_pairs.values()}
    seen = {(tuple(s["ids"]), tuple(s["aggregate"])) for r in reports for s in r["seen"]}
    assert seen <= allowed, f"readers saw pairs no build published: {seen - allowed}"
    assert seen == allowed, f"readers missed a published build: {allowed - seen}"
    assert all(r["reads"] >= 20 for r in reports), [r["reads"] for r in reports]

    runs = read_runs(warehouse)
    assert [r["build_id"] for r in runs if r["status"] == "success"] == \
        [true_pairs[n][0][0] for n in ("b2", "b3")]
    print(f"\ntimings (s): { {k: round(v, 1) for k, v in timings.items()} }; "
          f"reads per reader: {[r['reads'] for r in reports]}; processes left running by the "
          f"main-process kill: {len(orphans)}")


# --------------------------------------------------------------------------------------------
# Two builds at once


def test_second_build_is_refused_and_wait_lets_it_queue(
        tmp_path: Path, procs: Processes, baseline: Baseline) -> None:
    warehouse = tmp_path / "wh" / "postloan.duckdb"
    copy_published(baseline, warehouse)
    lock = warehouse.with_name(warehouse.name + ".lock")
    landing_a, landing_c = tmp_path / "landing-a", tmp_path / "landing-c"
    write_batch(landing_a, seed=11, n_loans=16)
    expected_c = expected_figures(write_batch(landing_c, seed=12, n_loans=16))

    # Build A gets into dbt (holding the writer lock), then is frozen there.
    a = procs.start_build(landing_a, warehouse)
    wait_for(lambda: a.proc.poll() is not None or "Running dbt command" in a.output(), 120,
             "build A to reach dbt")
    assert a.proc.poll() is None, a.tail()
    os.killpg(a.pid, signal.SIGSTOP)
    try:
        assert lock.read_text().startswith(f"pid {a.pid} ")
        before = published_digests(warehouse)

        # B (no --wait) and C (--wait) start together. B is refused at once, with a message
        # naming the other build; C queues on the lock instead of failing.
        c = procs.start_build(landing_c, warehouse, "--wait", "150")
        b, rc_b, seconds_b = procs.run_build(landing_c, warehouse, timeout=120)
        stderr_b = b.err.read_text()
        assert rc_b == 3, b.tail()
        assert "another build" in stderr_b, stderr_b[-2000:]
        assert f"pid {a.pid}" in stderr_b and "--wait" in stderr_b
        assert published_digests(warehouse) == before
        # A refused build is not a failed refresh: the run log does not record it.
        assert all("another build" not in (r.get("reason") or "") for r in read_runs(warehouse))
        assert "Traceback" not in stderr_b

        wait_for(lambda: c.proc.poll() is not None or has_open(c.pid, lock), 120,
                 "build C to reach the writer lock")
        time.sleep(1.5)
        assert c.proc.poll() is None, "build C did not wait:\n" + c.tail()
        assert published_digests(warehouse) == before
        files_while_waiting = private_build_files(warehouse)
        # A's build file and the side file of its personal originals; none from B or C.
        runs = {name.split(".build-")[1][:8] for name in files_while_waiting}
        assert len(runs) == 1, files_while_waiting
    finally:
        os.killpg(a.pid, signal.SIGCONT)

    assert a.wait() == 0, a.tail()
    assert c.wait() == 0, c.tail()
    id_a = PUBLISHED_LINE.findall(a.out.read_text())
    id_c = PUBLISHED_LINE.findall(c.out.read_text())
    successes = [r["build_id"] for r in read_runs(warehouse) if r["status"] == "success"]
    assert successes == id_a + id_c, "A publishes first, then C"
    assert files_while_waiting[0].startswith(f".{warehouse.stem}.build-{id_a[0][:8]}")
    ids, aggregate = published_pair(warehouse)
    assert list(ids) == id_c and aggregate == expected_c.aggregate
    assert private_build_files(warehouse) == []
    print(f"\nrefused in {seconds_b:.1f}s; A {time.monotonic() - a.started:.1f}s; "
          f"C waited and finished after {time.monotonic() - c.started:.1f}s")


# --------------------------------------------------------------------------------------------
# A failed build


def _break_loans(folder: Path) -> None:
    """Every loan's amount unreadable: all loans quarantined, so the blocking data-quality check
    'loans delivered but none loaded' (not_empty) stops the build at ingest."""
    path = folder / "loans.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    col = rows[0].index("contract_amount")
    for row in rows[1:]:
        row[col] = "n/a"
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    seal(folder)


def _undecodable_line(folder: Path, line: int) -> None:
    """Bytes that are neither UTF-8 nor GB18030 in one line of the loans file."""
    path = folder / "loans.csv"
    lines = path.read_bytes().split(b"\n")
    lines[line - 1] = lines[line - 1].replace(b",", b",\xff\xfe\x80", 1)
    path.write_bytes(b"\n".join(lines))
    seal(folder)


@pytest.mark.parametrize("case", ["wrong_control_total", "no_loan_loaded", "dbt_test_fails",
                                  "undecodable_bytes", "dbt_model_fails"])
def test_failed_build_leaves_published_file_and_logs_failure(
        tmp_path: Path, procs: Processes, baseline: Baseline, case: str) -> None:
    warehouse = tmp_path / "wh" / "postloan.duckdb"
    copy_published(baseline, warehouse)
    before = published_digests(warehouse)
    landing = tmp_path / "landing"
    extra: tuple[str, ...] = ()
    if case == "wrong_control_total":
        true_rows = expected_figures(write_batch(tmp_path / "probe", seed=21)).rows["loans"]
        write_batch(landing, seed=21, rows={"loans": true_rows + 5})
        step, words = "ingest_landing", "control_totals_match"
    elif case == "no_loan_loaded":
        broken = write_batch(landing, seed=22)
        _break_loans(broken)
        step, words = "ingest_landing", "raw/loans not_empty"
    elif case == "undecodable_bytes":
        # The reason is the loader's, naming file and line, not the UnicodeDecodeError under it.
        _undecodable_line(write_batch(landing, seed=24), 7)
        step, words = "ingest_landing", "loans.csv: line 7: bytes are neither UTF-8 nor GBK"
    elif case == "dbt_model_fails":
        # A quote in the rule set's name breaks the SQL of the model that reads it: the reason
        # is dbt's, for that model, on one line.
        write_batch(landing, seed=25)
        extra = ("--var", "classification_rule_set=it's")
        step, words = "warehouse_dbt_assets", "dbt: 1 node failed: model int_classification_dpd"
    else:
        # A rule set with no floors in the seeds: the loans load and pass every landing check,
        # and the dbt test that every outstanding loan is classified fails.
        write_batch(landing, seed=23)
        extra = ("--var", "classification_rule_set=no_such_rule_set")
        step, words = "warehouse_dbt_assets", "classified"

    build, rc, seconds = procs.run_build(landing, warehouse, *extra)
    assert rc == 1, build.tail()
    stderr = build.err.read_text()
    assert "FAILED" in stderr and "unchanged" in stderr, stderr[-2000:]
    # The terminal carries Dagster's events one per line, without its stack traces; written to
    # a file, dbt's lines carry no colour codes.
    assert "Stack Trace" not in stderr and "dagster._core" not in stderr, stderr[-2000:]
    assert "\x1b[" not in stderr + build.out.read_text(errors="replace")
    assert published_digests(warehouse) == before
    assert published_pair(warehouse) == baseline.pair
    assert private_build_files(warehouse) == []

    runs = read_runs(warehouse)
    assert len(runs) == 1, runs
    record = runs[0]
    assert record["status"] == "failure" and record["build_id"] is None
    assert record["failed_step"] == step, record
    assert record["reason"] and words in record["reason"], record
    assert "; none" not in record["reason"] and "Decode" not in record["reason"], record
    assert "\n" not in record["reason"] and "\x1b[" not in record["reason"], record

    # The quarantined rows of the failed build are left beside the warehouse, not lost with its
    # private file.
    saved = sorted(warehouse.parent.glob("postloan.rejects-*.csv"))
    if case == "no_loan_loaded":
        path = warehouse.with_name(f"postloan.rejects-{record['run_id'][:8]}.csv")
        assert saved == [path] and record["rejects_file"] == str(path), (saved, record)
        assert str(path) in stderr
        # One failed blocking check per line under the summary.
        assert "FAILED at ingest_landing: " in stderr and "\n  - raw/loans not_empty (" in stderr
        assert path.stat().st_mode & 0o777 == 0o640
        assert path.read_bytes().startswith(b"\xef\xbb\xbf")
        with path.open(encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.DictReader(fh))
        # One line per broken rule; rows rejected counts each (batch, file, line) once.
        assert len(rows) == record["broken_rules"] > 0
        assert len({(r["batch_id"], r["source_file"], r["line_number"]) for r in rows}) == \
            record["rejected_rows"] > 0
        assert (f"{record['rejected_rows']:,} rows rejected, {record['broken_rules']:,} broken "
                f"rules") in stderr
        with (broken / "loans.csv").open(encoding="utf-8", newline="") as fh:
            delivered = sum(1 for _ in csv.reader(fh)) - 1  # counted without the loader
        loans = [r for r in rows if r["entity"] == "loans"]
        assert sorted(int(r["line_number"]) for r in loans) == list(range(2, delivered + 2))
        assert {(r["column_name"], r["rule"], r["raw_value"]) for r in loans} == \
            {("contract_amount", "type", "n/a")}
        assert all(r["source_file"].endswith("loans.csv") and r["raw_record"] for r in loans)
    else:
        assert saved == [] and record["rejects_file"] is None, (saved, record)
        assert record["rejected_rows"] == record["broken_rules"] == 0
    print(f"\n{case}: failed in {seconds:.1f}s at {record['failed_step']}: "
          f"{record['reason'][:200]!r}")


# --------------------------------------------------------------------------------------------
# Kill races aimed at narrow windows (each skips when its kill misses the window)


@pytest.mark.slow
def test_kill_between_the_two_renames_never_shows_an_unpublished_build(
        tmp_path: Path, procs: Processes, baseline: Baseline) -> None:
    """The full warehouse is renamed first, then the masked copy: killed in between, the masked
    copy may lag one build behind but never shows a build the full warehouse did not publish."""
    warehouse = tmp_path / "wh" / "postloan.duckdb"
    copy_published(baseline, warehouse)
    before = published_digests(warehouse)
    masked = masked_path(warehouse)
    landing = tmp_path / "landing"
    write_batch(landing, seed=51)
    full_inode = warehouse.stat().st_ino

    masked_inode = masked.stat().st_ino
    build = procs.start_build(landing, warehouse)
    deadline = time.monotonic() + BUILD_TIMEOUT
    while build.proc.poll() is None and time.monotonic() < deadline:
        full_moved = warehouse.stat().st_ino != full_inode
        # The masked copy must never move ahead of the full warehouse.
        assert full_moved or masked.stat().st_ino == masked_inode, \
            "the masked copy was replaced before the full warehouse"
        if full_moved:
            os.killpg(build.pid, signal.SIGKILL)
            break
        time.sleep(0.0005)
    build.wait(30)
    if build.proc.returncode != -signal.SIGKILL or sha256(masked) != before[1]:
        pytest.skip("the kill missed the window between the two renames")
    new_build = published_pair(warehouse)[0]
    assert new_build != baseline.pair[0]
    # Killed in between: the masked copy lags one build behind and still opens.
    assert published_pair(masked)[0] == baseline.pair[0]


@pytest.mark.slow
def test_build_queued_behind_a_killed_build_leaves_no_private_files(
        tmp_path: Path, procs: Processes, baseline: Baseline) -> None:
    warehouse = tmp_path / "wh" / "postloan.duckdb"
    copy_published(baseline, warehouse)
    landing_a, landing_c = tmp_path / "landing-a", tmp_path / "landing-c"
    write_batch(landing_a, seed=61)
    expected_c = expected_figures(write_batch(landing_c, seed=62))

    a = procs.start_build(landing_a, warehouse)
    wait_for(lambda: a.proc.poll() is not None or "Running dbt command" in a.output(), 120,
             "build A to start dbt")
    assert a.proc.poll() is None, a.tail()
    c = procs.start_build(landing_c, warehouse, "--wait", "150")
    lock = warehouse.with_name(warehouse.name + ".lock")
    wait_for(lambda: c.proc.poll() is not None or has_open(c.pid, lock), 120,
             "build C to queue on the lock")
    # A is killed as the OOM killer would: its main process only, just as dbt starts.
    os.kill(a.pid, signal.SIGKILL)
    a.wait(30)
    assert c.wait() == 0, c.tail()
    assert published_pair(warehouse)[1] == expected_c.aggregate
    wait_for(lambda: not session_pids(a.pid), 60, "build A's orphaned children to end")
    assert private_build_files(warehouse) == [], \
        "a private build file outlived the build that followed the kill"
