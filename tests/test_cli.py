"""The `postloan` command's process handling, and how it words a failed build."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from types import SimpleNamespace

import pytest

from postloan.cli import _plain
from postloan.defs.sensors import error_reason, without_class_path


def test_a_stop_signal_to_the_serving_process_stops_its_server(tmp_path):
    """`postloan serve` and `postloan ui` run their server as a child: a SIGTERM sent to the
    command (a service manager, `kill <pid>`) must stop the server too, not leave it holding
    its port. The child here stands in for the server and records its pid."""
    pidfile = tmp_path / "child.pid"
    child_code = (
        "import os, pathlib, time\n"
        f"tmp = pathlib.Path({str(pidfile)!r} + '.tmp')\n"
        "tmp.write_text(str(os.getpid()))\n"
        f"os.replace(tmp, {str(pidfile)!r})\n"
        "time.sleep(60)\n")
    parent_code = ("import sys\nfrom postloan.cli import run_child\n"
                   f"sys.exit(run_child([sys.executable, '-c', {child_code!r}]))\n")
    parent = subprocess.Popen([sys.executable, "-c", parent_code])
    child_pid = None
    try:
        deadline = time.monotonic() + 30
        while not pidfile.exists():
            assert parent.poll() is None, "the command ended before its child started"
            assert time.monotonic() < deadline, "the child never started"
            time.sleep(0.05)
        child_pid = int(pidfile.read_text())
        parent.send_signal(signal.SIGTERM)
        assert parent.wait(timeout=15) == 128 + signal.SIGTERM
        with pytest.raises(ProcessLookupError):
            os.kill(child_pid, 0)  # gone, and reaped by the command
    finally:
        if parent.poll() is None:
            parent.kill()
        if child_pid is not None:
            try:
                os.kill(child_pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def _error(cls_name: str, message: str, cause=None) -> SimpleNamespace:
    """The fields of Dagster's SerializableErrorInfo that error_reason reads."""
    return SimpleNamespace(cls_name=cls_name, message=message, cause=cause)


def test_a_failure_is_worded_by_the_outermost_error_that_is_not_dagsters():
    """The run log (CLI and failure sensor) names what the loader said, with file and line: not
    Dagster's step wrapper around it, nor the UnicodeDecodeError under it."""
    decode = _error("UnicodeDecodeError", "UnicodeDecodeError: 'gb18030' codec can't decode")
    landing = _error("LandingFileError", "postloan.landing.readers.LandingFileError: "
                     "/in/b/loans.csv: line 7: bytes are neither UTF-8 nor GBK/GB18030\n", decode)
    step = _error("DagsterExecutionStepExecutionError", "dagster._core.errors."
                  "DagsterExecutionStepExecutionError: Error occurred while executing op", landing)
    assert error_reason(step) == "/in/b/loans.csv: line 7: bytes are neither UTF-8 nor GBK/GB18030"
    # Only Dagster's own errors: the innermost, which the CLI then words for people.
    interrupted = _error("DagsterExecutionInterruptedError",
                         "dagster._core.errors.DagsterExecutionInterruptedError: ")
    assert _plain(error_reason(_error("DagsterExecutionStepExecutionError", "x", interrupted))) \
        == "the build was interrupted (terminated by a signal)"
    assert error_reason(None) == "step failed"
    # A message may start with a file name: only a module path and class name are dropped.
    assert without_class_path("postloan.landing.manifest.ManifestError: manifest.json: line 3: "
                              "x") == "manifest.json: line 3: x"
    assert without_class_path("loans.csv: line 2: y") == "loans.csv: line 2: y"
    assert without_class_path("/in/b/loans.csv: line 2: y") == "/in/b/loans.csv: line 2: y"


# How a step failure reaches the terminal from Dagster (abridged from a real failed build).
STEP_FAILURE = (
    "2026-12-06 06:53:37 +0000 - ERROR - build_warehouse - dd5e8448 - 16037 - ingest_landing - "
    "STEP_FAILURE - Execution of step \"ingest_landing\" failed.\n\n"
    "dagster._core.errors.DagsterAssetCheckFailedError: 2 blocking asset checks failed with "
    "ERROR severity:\nraw/loans: unique_key\nraw/payments: references\n\n"
    "Stack Trace:\n  File \"/x/dagster/_core/execution/plan/execute_plan.py\", line 243, in f\n"
    "    yield from check.generator(step_events)\n")


def test_the_terminal_shows_each_event_on_its_lines_without_dagsters_stack_trace():
    from postloan.console import concise

    assert concise(STEP_FAILURE) == (
        "2026-12-06 06:53:37 +0000 - ERROR - build_warehouse - dd5e8448 - 16037 - "
        "ingest_landing - STEP_FAILURE - Execution of step \"ingest_landing\" failed.\n"
        "    2 blocking asset checks failed with ERROR severity:\n"
        "    raw/loans: unique_key\n"
        "    raw/payments: references")
    # --log-level DEBUG: everything, the trace included.
    assert concise(STEP_FAILURE, traces=True) == STEP_FAILURE
    # The run failure repeats the step's error just printed: only its first line.
    run = STEP_FAILURE.replace("ingest_landing - STEP_FAILURE - Execution of step "
                               "\"ingest_landing\" failed.", "RUN_FAILURE - Execution of run "
                               "for \"build_warehouse\" failed. Steps failed: ['ingest_landing'].")
    assert concise(run).endswith("RUN_FAILURE - Execution of run for \"build_warehouse\" "
                                 "failed. Steps failed: ['ingest_landing'].")
    assert "\n" not in concise(run)
    # One entry per output of the failed step becomes each step once, in order.
    skipped = ("... - published_warehouse - Dependencies for step published_warehouse were not "
               "executed: ['warehouse_dbt_assets', 'warehouse_dbt_assets', 'ingest_landing', "
               "'warehouse_dbt_assets']. Not executing.")
    assert concise(skipped) == (
        "... - published_warehouse - Dependencies for step published_warehouse were not "
        "executed: warehouse_dbt_assets, ingest_landing. Not executing.")
    assert concise("... - INFO - loans: 10 records -> 10 loaded") == \
        "... - INFO - loans: 10 records -> 10 loaded"


def test_after_publishing_the_command_names_what_an_operator_checks(tmp_path):
    import duckdb

    from postloan.cli import published_summary

    path = tmp_path / "postloan.duckdb"
    con = duckdb.connect(str(path))
    con.execute("create schema reporting")
    con.execute("create table reporting.batches (batch_id varchar, as_of_date date, "
                "batch_status varchar, status_reason varchar)")
    con.execute("insert into reporting.batches values "
                "('a@2026-11-30#1', '2026-11-30', 'published', null), "
                "('ref@2026-10-31#2', '2026-10-31', 'published', null), "
                "('a@2026-11-29#0', '2026-11-29', 'superseded', 'a newer delivery'), "
                "('b@2026-11-30#incomplete-3', '2026-11-30', 'incomplete', "
                "'/in/b/loans.csv: 12 bytes, manifest says 10')")
    con.execute("create table reporting.rejects (batch_id varchar)")
    con.execute("insert into reporting.rejects select 'a@2026-11-30#1' from range(1234)")
    con.close()
    assert published_summary(path) == [
        "2 batches in force (as of 2026-10-31, 2026-11-30)",
        "1,234 rows quarantined with their reasons: reporting.rejects",
        "not loaded, files incomplete: b@2026-11-30#incomplete-3: /in/b/loans.csv: 12 bytes, "
        "manifest says 10"]
    con = duckdb.connect(str(path))
    con.execute("delete from reporting.rejects")
    con.execute("delete from reporting.batches where batch_status <> 'published' "
                "or as_of_date < '2026-11-01'")
    con.close()
    assert published_summary(path) == ["1 batch in force (as of 2026-11-30)"]
    assert published_summary(tmp_path / "gone.duckdb") == []
