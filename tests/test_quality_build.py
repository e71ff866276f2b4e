"""Whole builds with the data-quality checks: a clean batch publishes with its results; a later
delivery with a duplicated loan id is stopped by the blocking unique-key check, the published
warehouse stays exactly as it was, and the dashboard's data-quality page says why."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import duckdb
import pytest
import yaml

from postloan.cli import run_build
from postloan.landing.manifest import seal
from postloan.quality.docs import data_docs_index
from postloan.quality.record import read_log
from postloan.runlog import read_runs
from tests.dashboard_apptest import run_app, texts
from tests.landing_factory import FILE_NAMES, expected_figures, write_batch

pytestmark = pytest.mark.slow


def published(warehouse: Path) -> tuple:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return (con.execute("select build_id from meta.build_info").fetchone()[0],
                con.execute("select portfolio_id, as_of_date, loan_count, outstanding_principal "
                            "from reporting.portfolio_summary").fetchall())
    finally:
        con.close()


@pytest.fixture(scope="module")
def builds(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("quality_build")
    landing, warehouse = root / "landing", root / "warehouse" / "postloan.duckdb"
    first = write_batch(landing, control_totals=True, delivered_at="2024-07-01T08:00:00+08:00")
    assert run_build(landing, warehouse, ephemeral=True, log_level="WARNING") == 0
    good = published(warehouse)
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        checks = con.execute("select source, severity, status, count(*) from "
                             "reporting.data_quality_checks group by all").fetchall()
        reconciliation = con.execute("select files, data_lines, loaded_rows, rejected_rows, "
                                     "skipped_rows, reconciles from "
                                     "reporting.batch_reconciliation").fetchall()
        history = con.execute("select build_id, build_status, published from reporting.builds") \
            .fetchall()
    finally:
        con.close()

    # The bank re-delivers the same portfolio and date, with one loan listed twice.
    second = root / "landing" / "redelivery"
    shutil.copytree(first, second)
    path = second / FILE_NAMES["loans"]
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([*lines, lines[3]]) + "\n", encoding="utf-8")
    manifest = yaml.safe_load((second / "manifest.yaml").read_text(encoding="utf-8"))
    manifest["delivered_at"] = "2024-07-02T08:00:00+08:00"
    manifest["files"]["loans"]["rows"] += 1
    (second / "manifest.yaml").write_text(yaml.safe_dump(manifest, allow_unicode=True),
                                          encoding="utf-8")
    seal(second)
    code = run_build(landing, warehouse, ephemeral=True, log_level="WARNING")
    return {"warehouse": warehouse, "good": good, "after": published(warehouse),
            "checks": checks, "reconciliation": reconciliation, "history": history,
            "code": code, "first": first, "duplicate": lines[3].split(",")[0]}


def test_a_clean_build_publishes_its_check_results(builds):
    checks = {(source, severity, status): n for source, severity, status, n in builds["checks"]}
    assert not [k for k in checks if k[2] in ("failed", "errored") and k[1] == "blocking"]
    assert checks[("dbt", "blocking", "passed")] > 50  # every dbt test is recorded
    assert checks[("great_expectations", "blocking", "passed")] > 50
    rows = expected_figures(builds["first"]).rows
    assert builds["reconciliation"] == [(4, sum(rows.values()), sum(rows.values()), 0, 0, True)]
    (build_id, status, was_published), = builds["history"]
    assert (build_id, status, was_published) == (builds["good"][0], "success", True)
    index = data_docs_index(builds["warehouse"])
    assert index is not None and "landing" in index.read_text(encoding="utf-8")


def test_a_duplicated_loan_id_leaves_the_published_warehouse_unchanged(builds):
    assert builds["code"] == 1
    assert builds["after"] == builds["good"]
    last = read_runs(builds["warehouse"])[-1]
    assert last["status"] == "failure"
    assert "raw/loans unique_key" in last["reason"]
    stopped = [r for r in read_log(builds["warehouse"]) if r["build_id"] == last["run_id"]
               and r["status"] == "failed" and r["severity"] == "blocking"]
    # Both copies are quarantined, so the loan's schedule and payments point at no loan either.
    assert sorted((r["asset"], r["check_name"], r["rule"], r["failing_count"]) for r in stopped) \
        == [("raw.loans", "unique_key", "delivered_key_unique", 1),
            ("raw.payments", "references", "loan_id->loans", 1),
            ("raw.repayment_schedule", "references", "loan_id->loans", 1)]
    unique = next(r for r in stopped if r["check_name"] == "unique_key")
    assert f'"keys": "{builds["duplicate"]} (loans.csv lines ' in unique["samples"]
    assert unique["observed_value"].endswith(" batches")  # one row per batch in force


def test_the_dashboard_says_why_the_warehouse_was_not_refreshed(builds, monkeypatch):
    monkeypatch.setenv("POSTLOAN_WAREHOUSE", str(builds["warehouse"]))
    at = run_app()
    at.switch_page("pages_/quality.py").run()
    assert not at.exception
    (error,) = texts(at.error)
    assert "未发布" in error and "unique\\_key" in error
    assert builds["good"][0] in error  # the last good build is still shown
    assert texts(at.subheader)[:2] == ["最近一次构建的检查", "未通过的检查与样例"]
    titles = [e.label for e in at.expander]
    assert "raw.loans · unique_key · delivered_key_unique (未通过, 阻断发布)" in titles
    checks = at.dataframe[0].value
    assert checks.iloc[0]["检查"] == "unique_key" and checks.iloc[0]["状态"] == "未通过"
    at.radio(key="lang").set_value("en").run()
    assert any(e.startswith("The latest build") for e in texts(at.error))


def test_the_page_on_a_published_build_shows_its_checks_and_warnings(builds, tmp_path,
                                                                      monkeypatch):
    """The same published build, with a run log that ends in its success."""
    warehouse = tmp_path / "postloan.duckdb"
    shutil.copyfile(builds["warehouse"], warehouse)
    for run in read_runs(builds["warehouse"]):
        if run["status"] == "success":
            from postloan.runlog import append_run

            append_run(warehouse, run)
    monkeypatch.setenv("POSTLOAN_WAREHOUSE", str(warehouse))
    at = run_app()
    at.switch_page("pages_/quality.py").run()
    assert not at.exception
    assert not at.error
    assert texts(at.caption)[0] == "以下为当前发布版本的检查结果。"
    shown = {m.label: m.value for m in at.metric}
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        counts = dict(con.execute("select status, count(*) from reporting.data_quality_checks "
                                  "group by 1").fetchall())
        built = con.execute("select built_at::date from meta.build_info").fetchone()[0]
    finally:
        con.close()
    assert shown == {"通过": f"{counts['passed']:,}", "未通过": "1", "执行出错": "0",
                     "跳过": f"{counts['skipped']:,}"}
    # The one failure is the freshness warning: the factory's as-of date is in 2024.
    assert [e.label for e in at.expander] == [
        "raw.batches · freshness · latest_as_of_recent (未通过, 警告)"]
    freshness = at.dataframe[2].value
    assert freshness.iloc[0]["距构建日天数"] == (built - dt.date(2024, 6, 30)).days
