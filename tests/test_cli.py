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
    # An error with no message but its class (a terminated run) shows the event's line alone.
    interrupted = ("... - ingest_landing - STEP_FAILURE - Execution of step \"ingest_landing\" "
                   "failed.\n\ndagster._core.errors.DagsterExecutionInterruptedError\n\n"
                   "Stack Trace:\n  File \"x.py\", line 1, in f\n")
    assert concise(interrupted) == ("... - ingest_landing - STEP_FAILURE - Execution of step "
                                    "\"ingest_landing\" failed.")
    assert concise("... - INFO - loans: 10 records -> 10 loaded") == \
        "... - INFO - loans: 10 records -> 10 loaded"


def test_after_publishing_the_command_names_what_an_operator_checks(tmp_path):
    import duckdb

    from postloan.cli import published_summary

    path = tmp_path / "postloan.duckdb"
    con = duckdb.connect(str(path))
    con.execute("create schema reporting")
    con.execute("create table reporting.batches (batch_id varchar, portfolio_id varchar, "
                "as_of_date date, batch_status varchar, status_reason varchar)")
    con.execute("insert into reporting.batches values "
                "('a@2026-11-30#1', 'a', '2026-11-30', 'published', null), "
                "('ref@2026-10-31#2', 'ref', '2026-10-31', 'published', null), "
                "('a@2026-11-29#0', 'a', '2026-11-29', 'superseded', 'a newer delivery'), "
                "('b@2026-11-30#incomplete-3', 'b', '2026-11-30', 'incomplete', "
                "'/in/b/loans.csv: 12 bytes, manifest says 10')")
    con.execute("create table reporting.rejects (batch_id varchar, entity varchar, "
                "source_file varchar, line_number bigint)")
    # 1,234 rows, one of which broke two rules.
    con.execute("insert into reporting.rejects select 'a@2026-11-30#1', 'loans', 'loans.csv', "
                "i + 2 from range(1234) t(i)")
    con.execute("insert into reporting.rejects values ('a@2026-11-30#1', 'loans', 'loans.csv', "
                "2)")
    con.close()
    # A warehouse without check results (built by older code): no warnings, no error.
    assert published_summary(path) == [
        "2 batches in force:", "  a as of 2026-11-30", "  ref as of 2026-10-31",
        "1,234 rows quarantined (1,235 broken rules), with file, line and reason: "
        "reporting.rejects",
        "not loaded, files incomplete: b@2026-11-30#incomplete-3: /in/b/loans.csv: 12 bytes, "
        "manifest says 10"]
    con = duckdb.connect(str(path))
    con.execute("create schema quality")
    con.execute("create table quality.check_results (asset varchar, check_name varchar, "
                "rule varchar, severity varchar, status varchar, observed_value varchar, "
                "reason varchar)")
    con.execute("insert into quality.check_results values "
                "('raw.batches', 'freshness', 'latest_as_of_recent', 'warning', 'failed', "
                "'2 of 2 portfolios', ''), "
                "('raw.loans', 'completeness', 'not_null:loan_id', 'blocking', 'passed', "
                "'0 of 9 rows', ''), "
                "('raw.guarantees', 'references', 'loan_id->loans', 'warning', 'passed', "
                "'0 of 5 distinct values', ''), "
                "('raw.loans', 'volume', 'not_far_smaller_than_previous', 'warning', "
                "'errored', null, 'Binder Error: x')")
    con.execute("delete from reporting.rejects")
    con.execute("delete from reporting.batches where batch_status <> 'published' "
                "or as_of_date < '2026-11-01'")
    con.close()
    assert published_summary(path) == [
        "1 batch in force:", "  a as of 2026-11-30",
        "warning: raw.batches freshness latest_as_of_recent: 2 of 2 portfolios",
        "warning: raw.loans volume not_far_smaller_than_previous: Binder Error: x"]
    con = duckdb.connect(str(path))
    con.execute("insert into reporting.batches select 'p' || i, 'p' || i, '2026-11-30', "
                "'published', null from range(10) t(i)")
    con.close()
    lines = published_summary(path, most=3)
    assert lines[:5] == ["11 batches in force:", "  a as of 2026-11-30", "  p0 as of 2026-11-30",
                         "  p1 as of 2026-11-30", "  ... and 8 more"]
    assert published_summary(tmp_path / "gone.duckdb") == []


def test_rule_parameters_are_checked_before_the_build_starts():
    import json

    from postloan.cli import parse_vars

    assert json.loads(parse_vars([
        "coverage_requirement=1", "credit_card_products=[card, 信用卡]",
        "classification_rule_set=basel", "history_start_date=2020-01-31",
        "large_exposure_at_threshold=true", "technical_delay_days=0"])) == {
        "coverage_requirement": 1, "credit_card_products": ["card", "信用卡"],
        "classification_rule_set": "basel", "history_start_date": "2020-01-31",
        "large_exposure_at_threshold": True, "technical_delay_days": 0}
    for bad, said in [
            ("technical_delay_days=abc", "technical_delay_days=abc: expected a whole number "
                                         "(default 7)"),
            ("technical_delay_days=7.5", "expected a whole number"),
            ("coverage_requirement=high", "coverage_requirement=high: expected a number "
                                          "(default 1.5)"),
            ("coverage_requirement=true", "expected a number"),
            ("credit_card_products=card", "expected a list, e.g. [a, b] (default [])"),
            ("large_exposure_at_threshold=1", "expected true or false (default False)"),
            ("history_start_date=soon", "history_start_date=soon: expected a date, YYYY-MM-DD"),
            ("technical_delay_dys=3", "technical_delay_dys: no such rule parameter (did you "
                                      "mean technical_delay_days?)"),
            ("no_equals_sign", "--var expects KEY=VALUE")]:
        with pytest.raises(SystemExit) as stopped:
            parse_vars([bad])
        assert said in str(stopped.value), (bad, stopped.value)


def test_a_failed_dbt_node_is_named_with_dbts_reason_on_one_line():
    from postloan.defs.dbt import dbt_failure_summary

    error = {"unique_id": "model.postloan.fct_loan_classification", "status": "error",
             "message": "Runtime Error in model fct_loan_classification (models/marts/x.sql)\n"
                        "  Binder Error: Referenced column \"abc\" not found in FROM clause!\n"
                        "  \n  LINE 66:       and loans.dpd between 1 and abc\n"
                        "                                             ^"}
    failing_test = {"unique_id": "test.postloan.not_null_loans_dpd.3f2a", "status": "fail",
                    "message": "\x1b[31mGot 2 results, configured to fail if != 0\x1b[0m"}
    passed = {"unique_id": "model.postloan.loans", "status": "success", "message": "OK"}
    assert dbt_failure_summary({"results": [passed, error, failing_test]}) == (
        "dbt: 2 nodes failed: model fct_loan_classification: Binder Error: Referenced column "
        "\"abc\" not found in FROM clause! LINE 66: and loans.dpd between 1 and abc; "
        "test not_null_loans_dpd: Got 2 results, configured to fail if != 0")
    assert dbt_failure_summary({"results": [passed]}) is None
    assert dbt_failure_summary({"results": [error] * 5}, most=2).endswith("; and 3 more")


def test_counts_take_their_noun_in_the_singular_and_the_plural():
    from postloan.cli import counted

    assert [counted(n, "row") for n in (0, 1, 2, 1234)] == ["0 rows", "1 row", "2 rows",
                                                            "1,234 rows"]
    assert counted(1, "broken rule") == "1 broken rule"
