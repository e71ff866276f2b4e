"""The data-quality page on a warehouse published before the data-quality checks existed, and
with results of a stopped build beside it (whole builds: tests/test_quality_build.py)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from postloan.quality import engine
from postloan.quality.record import append_log, rows_for
from tests import dashboard_fixtures as fx
from tests.dashboard_apptest import run_app, texts

BUILT = dt.datetime(2024, 7, 2, 10, 0, 0)


@pytest.fixture
def warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "warehouse" / "postloan.duckdb"
    fx.publish_warehouse(path, "build-A", BUILT)
    fx.write_runs(path, [fx.run_record("run-1", "success", BUILT, "build-A")])
    monkeypatch.setenv("POSTLOAN_WAREHOUSE", str(path))
    return path


def test_a_build_without_check_results_says_so(warehouse: Path) -> None:
    at = run_app()
    at.switch_page("pages_/quality.py").run()
    assert not at.exception
    assert not at.error
    assert "该版本没有检查结果（早于数据质量检查的版本）。" in texts(at.info)
    assert {m.label: m.value for m in at.metric} == {"通过": "0", "未通过": "0", "执行出错": "0",
                                                     "跳过": "0"}


def test_a_stopped_build_shows_its_errored_check_and_the_build_still_shown(
        warehouse: Path) -> None:
    stopped = engine.Outcome("raw.payments", "consistency", "paid_within_schedule", "warning",
                             "errored", "", None, None, "paid <= due",
                             "the check could not run: table raw.repayment_schedule is missing")
    blocking = engine.Outcome("raw.loans", "references", "borrower_id->borrowers", "blocking",
                              "failed", "3 of 10 rows", 3, 10, "loans to borrowers",
                              samples=[{"batch_id": "b1", "value": "B9", "found": False}])
    append_log(warehouse, rows_for([stopped, blocking], "run-2", "great_expectations"))
    fx.write_runs(warehouse, [
        fx.run_record("run-1", "success", BUILT, "build-A"),
        fx.run_record("run-2", "failure", BUILT + dt.timedelta(days=1), None, "ingest_landing",
                      "blocking checks failed: raw/loans references"),
    ])
    at = run_app()
    at.switch_page("pages_/quality.py").run()
    assert not at.exception
    (error,) = texts(at.error)
    assert "run-2" in error and "build-A" in error and "raw/loans references" in error
    assert [e.label for e in at.expander] == [
        "raw.payments · consistency · paid_within_schedule (执行出错, 警告)",
        "raw.loans · references · borrower_id->borrowers (未通过, 阻断发布)",
    ]
    checks = at.dataframe[0].value
    assert checks["状态"].tolist() == ["执行出错", "未通过"]  # errored first
    samples = at.dataframe[1].value
    assert samples.to_dict("records") == [{"batch_id": "b1", "value": "B9", "found": False}]
