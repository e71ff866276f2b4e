"""Publication: stamp the build, swap it in atomically, record the run."""


import datetime as dt
import json

import duckdb
from dagster import AssetExecutionContext, AssetKey, MaterializeResult, asset

import postloan
from postloan.defs.dbt import ensure_manifest
from postloan.defs.resources import BuildResource
from postloan.publish import publish_with_masked_copy
from postloan.runlog import append_run


def reporting_models() -> list[AssetKey]:
    """Every model of the reporting schema, from the dbt manifest: publication waits for all."""
    manifest = json.loads(ensure_manifest().read_text(encoding="utf-8"))
    return sorted(AssetKey(["reporting", node["name"]]) for node in manifest["nodes"].values()
                  if node["resource_type"] == "model"
                  and node["config"].get("schema") == "reporting")


REPORTING_INPUTS = reporting_models()


def write_build_info(con: duckdb.DuckDBPyConnection, build_id: str, build: BuildResource,
                     built_at: dt.datetime) -> None:
    con.execute("create schema if not exists meta")
    con.execute("""
        create or replace table meta.build_info (
            build_id varchar, built_at timestamp, postloan_version varchar,
            landing_dir varchar, as_of_filter varchar, published_copy varchar,
            dbt_vars varchar)""")
    con.execute("insert into meta.build_info values (?, ?, ?, ?, ?, 'full', ?)",
                [build_id, built_at, postloan.__version__, str(build.landing_path),
                 build.as_of or "all", build.dbt_vars])


def started_at(context: AssetExecutionContext) -> str | None:
    record = context.instance.get_run_record_by_id(context.run.run_id)
    if record is None or record.start_time is None:
        return None
    return dt.datetime.fromtimestamp(record.start_time, dt.UTC).isoformat(timespec="seconds")


@asset(key=AssetKey(["published_warehouse"]), deps=REPORTING_INPUTS, group_name="publish",
       kinds={"duckdb"})
def published_warehouse(context: AssetExecutionContext, build: BuildResource) -> MaterializeResult:
    """The warehouse readers open: replaced atomically by this run's build once every blocking
    check upstream has passed (a failed check stops the run before this step)."""
    build_file = build.build_file(context.run.run_id)
    built_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    con = duckdb.connect(str(build_file))
    try:
        write_build_info(con, context.run.run_id, build, built_at)
        summary = con.execute("""
            select count(*), count(distinct portfolio_id), string_agg(distinct as_of_date::varchar,
                   ', ' order by as_of_date::varchar)
            from reporting.portfolio_summary""").fetchone()
    finally:
        con.close()
    masked = publish_with_masked_copy(build_file, build.warehouse_path)
    append_run(build.warehouse_path, {
        "run_id": context.run.run_id, "status": "success", "build_id": context.run.run_id,
        "started_at": started_at(context),
        "finished_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "warehouse": str(build.warehouse_path), "failed_step": None, "reason": None,
    })
    context.log.info(f"published {build.warehouse_path}")
    return MaterializeResult(metadata={
        "path": str(build.warehouse_path), "masked_copy": str(masked),
        "build_id": context.run.run_id,
        "portfolio_dates": summary[0], "portfolios": summary[1], "as_of_dates": summary[2] or "",
    })
