"""The Dagster code location loads, and its asset graph is wired the way the build needs."""

from __future__ import annotations

from dagster import AssetKey

from postloan.definitions import defs
from postloan.landing.contract import ENTITIES


def test_definitions_load_with_every_layer():
    graph = defs.resolve_asset_graph()
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    for entity in ENTITIES:
        assert f"raw/{entity.name}" in keys
    for model in ("loans", "portfolio_summary", "batches", "load_reconciliation", "rejects"):
        assert f"reporting/{model}" in keys
    assert "published_warehouse" in keys
    assert defs.resolve_job_def("build_warehouse") is not None
    assert {s.name for s in defs.schedules} == {"daily_refresh", "month_end_refresh",
                                                "month_end_close_schedule"}
    assert {s.name for s in defs.sensors} == {"record_failed_builds", "new_batch_sensor"}


def test_dbt_sources_are_the_ingestion_assets():
    """Every raw table dbt reads is materialised by the ingestion step, not an external asset."""
    graph = defs.resolve_asset_graph()
    ingest = graph.get(AssetKey(["raw", "loans"]))
    assert ingest.is_materializable
    staging = graph.get(AssetKey(["staging", "stg_landing__loans"]))
    assert AssetKey(["raw", "loans"]) in staging.parent_keys
    for key in graph.get_all_asset_keys():
        if key.path[0] == "raw":
            assert graph.get(key).is_materializable, key


def test_publish_waits_for_the_whole_reporting_layer():
    graph = defs.resolve_asset_graph()
    publish = graph.get(AssetKey(["published_warehouse"]))
    assert AssetKey(["reporting", "loans"]) in publish.parent_keys
    assert AssetKey(["reporting", "portfolio_summary"]) in publish.parent_keys


def test_ingest_checks_block_and_dbt_tests_are_checks():
    graph = defs.resolve_asset_graph()
    check_keys = graph.asset_check_keys
    names = {(k.asset_key.to_user_string(), k.name) for k in check_keys}
    assert ("raw/loans", "records_reconcile") in names
    assert ("raw/loans", "control_totals_match") in names
    assert any(a == "reporting/loans" and "unique_combination" in n for a, n in names)


def test_every_singular_dbt_test_is_an_asset_check():
    """A singular test that reads only sources is not attached to any model: dagster-dbt then
    logs it as an observation, with a warning on every build, instead of a check."""
    from postloan.paths import DBT_PROJECT_DIR

    singular = {p.stem for p in (DBT_PROJECT_DIR / "tests" / "singular").glob("*.sql")}
    checks = {k.name for k in defs.resolve_asset_graph().asset_check_keys}
    assert len(singular) == 7 and singular <= checks, sorted(singular - checks)



def test_folders_with_data_but_no_manifest_are_reported(tmp_path):
    from postloan.defs.ingest import folders_without_manifest
    from tests.helpers import write_csv, write_manifest

    write_csv(tmp_path / "good" / "borrowers.csv", ["borrower_id"], [["B1"]])
    write_manifest(tmp_path / "good", files={"borrowers": "borrowers.csv"})
    write_csv(tmp_path / "forgot" / "loans.csv", ["loan_id"], [["L1"]])
    (tmp_path / "empty").mkdir()
    assert folders_without_manifest(tmp_path) == [tmp_path / "forgot"]


def test_month_end_close_schedule_closes_the_month_just_ended_in_bank_time():
    import datetime as dt
    from zoneinfo import ZoneInfo

    from dagster import build_schedule_context

    schedule = defs.resolve_schedule_def("month_end_close_schedule")
    assert (schedule.cron_schedule, schedule.execution_timezone) == ("0 9 1 * *", "Asia/Shanghai")
    moment = dt.datetime(2026, 12, 1, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    [request] = schedule.evaluate_tick(
        build_schedule_context(scheduled_execution_time=moment)).run_requests
    assert request.partition_key == "2026-11-01"


def test_publish_waits_for_every_reporting_model():
    graph = defs.resolve_asset_graph()
    publish = graph.get(AssetKey(["published_warehouse"]))
    reporting = {k for k in graph.get_all_asset_keys() if k.path[0] == "reporting"}
    assert len(reporting) > 20
    assert reporting <= set(publish.parent_keys)
