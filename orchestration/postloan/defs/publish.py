"""Publication: stamp the build, swap it in atomically, record the run."""


import datetime as dt
import json
import time

import duckdb
from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    Failure,
    MaterializeResult,
    MetadataValue,
    asset,
)

import postloan
from postloan.defs.dbt import ensure_manifest
from postloan.defs.resources import BuildResource
from postloan.publish import connect_for_build, publish_with_masked_copy
from postloan.quality import record
from postloan.quality.docs import docs_root
from postloan.quality.suites import reporting_check_specs, run_reporting_suites
from postloan.reuse import fingerprint
from postloan.runlog import append_run, read_runs


def reporting_models() -> list[AssetKey]:
    """Every model of the reporting schema, from the dbt manifest: publication waits for all."""
    manifest = json.loads(ensure_manifest().read_text(encoding="utf-8"))
    return sorted(AssetKey(["reporting", node["name"]]) for node in manifest["nodes"].values()
                  if node["resource_type"] == "model"
                  and node["config"].get("schema") == "reporting")


REPORTING_INPUTS = reporting_models()
PUBLISHED = AssetKey(["published_warehouse"])
REPORTING_CHECK_SPECS = [
    AssetCheckSpec(f"{asset.split('.')[-1]}__{check}", asset=PUBLISHED, blocking=blocking,
                   description=f"{asset}: {description}"[:1000])
    for asset, check, blocking, description in reporting_check_specs()
]


def record_builds(con: duckdb.DuckDBPyConnection, warehouse, build_id: str,
                  started: str | None) -> None:
    """The build history so far (from the run log) and this build, into quality.builds."""
    record.ensure_quality_schema(con)
    con.execute("delete from quality.builds")
    rows = [(r.get("run_id"), r.get("started_at"), r.get("finished_at"), r.get("status"),
             r.get("status") == "success", r.get("failed_step"), r.get("reason"))
            for r in read_runs(warehouse)]
    rows.append((build_id, started, dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                 "success", True, None, None))
    con.executemany("insert into quality.builds values (?, ?, ?, ?, ?, ?, ?)", rows)


def run_publication_checks(con: duckdb.DuckDBPyConnection, build: BuildResource,
                           run_id: str, log=None) -> list:
    """The reporting suites: stored with the build and beside the warehouse; a blocking failure
    stops publication (the previous warehouse stays published) and names the checks."""
    started = time.perf_counter()
    outcomes = run_reporting_suites(con, docs_root=docs_root(build.warehouse_path))
    seconds = time.perf_counter() - started
    rows = record.rows_for(outcomes, run_id, "great_expectations")
    record.store(con, rows)
    record.append_log(build.warehouse_path, rows)
    failed = record.blocking_failures(outcomes)
    if log is not None:
        log.info(f"data-quality reporting suites: {len(outcomes)} rules in {seconds:.1f}s, "
                 f"{len(failed)} blocking failures")
    if failed:
        raise Failure(
            description="blocking checks failed: " + "; ".join(
                f"{o.asset} {o.check} {o.rule}: {o.status} ({o.observed_value or o.reason})"
                for o in failed),
            metadata={"failed_checks": len(failed)})
    return outcomes


def write_build_info(con: duckdb.DuckDBPyConnection, build_id: str, build: BuildResource,
                     built_at: dt.datetime) -> None:
    con.execute("create schema if not exists meta")
    con.execute("""
        create or replace table meta.build_info (
            build_id varchar, built_at timestamp, postloan_version varchar,
            landing_dir varchar, as_of_filter varchar, published_copy varchar,
            dbt_vars varchar, reuse_fingerprint varchar)""")
    # reuse_fingerprint: the next daily build reuses this build's results of the loans its
    # delta leaves unchanged only if it has the same dbt project, vars and version
    # (postloan/reuse.py).
    con.execute("insert into meta.build_info values (?, ?, ?, ?, ?, 'full', ?, ?)",
                [build_id, built_at, postloan.__version__, str(build.landing_path),
                 build.as_of or "all", build.dbt_vars, fingerprint(build.dbt_vars)])


def started_at(context: AssetExecutionContext) -> str | None:
    record = context.instance.get_run_record_by_id(context.run.run_id)
    if record is None or record.start_time is None:
        return None
    return dt.datetime.fromtimestamp(record.start_time, dt.UTC).isoformat(timespec="seconds")


@asset(key=PUBLISHED, deps=REPORTING_INPUTS, group_name="publish", kinds={"duckdb"},
       check_specs=REPORTING_CHECK_SPECS)
def published_warehouse(context: AssetExecutionContext, build: BuildResource):
    """The warehouse readers open: replaced atomically by this run's build once every blocking
    check upstream has passed (a failed check stops the run before this step)."""
    build_file = build.build_file(context.run.run_id)
    built_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    started = time.perf_counter()
    con = connect_for_build(build_file)
    try:
        outcomes = run_publication_checks(con, build, context.run.run_id, context.log)
        record_builds(con, build.warehouse_path, context.run.run_id, started_at(context))
        write_build_info(con, context.run.run_id, build, built_at)
        summary = con.execute("""
            select count(*), count(distinct portfolio_id), string_agg(distinct as_of_date::varchar,
                   ', ' order by as_of_date::varchar)
            from reporting.portfolio_summary""").fetchone()
    finally:
        con.close()
    # Where publication's time goes (metadata of the materialisation; postloan bench reports it).
    seconds = {"checks": time.perf_counter() - started}
    masked = publish_with_masked_copy(build_file, build.warehouse_path, seconds)
    append_run(build.warehouse_path, {
        "run_id": context.run.run_id, "status": "success", "build_id": context.run.run_id,
        "started_at": started_at(context),
        "finished_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "warehouse": str(build.warehouse_path), "failed_step": None, "reason": None,
    })
    context.log.info(f"published {build.warehouse_path} (" + ", ".join(
        f"{part} {sec:.1f}s" for part, sec in seconds.items()) + ")")
    yield MaterializeResult(metadata={
        "path": str(build.warehouse_path), "masked_copy": str(masked),
        "seconds": MetadataValue.json({part: round(sec, 3) for part, sec in seconds.items()}),
        "build_id": context.run.run_id,
        "portfolio_dates": summary[0], "portfolios": summary[1], "as_of_dates": summary[2] or "",
    })
    for (asset_name, check), s in record.summarise(outcomes).items():
        yield AssetCheckResult(
            asset_key=PUBLISHED, check_name=f"{asset_name.split('.')[-1]}__{check}",
            passed=s["status"] in ("passed", "skipped"),
            severity=AssetCheckSeverity.ERROR if s["blocking"] else AssetCheckSeverity.WARN,
            metadata={"status": s["status"], "failed_rows": s["failing_count"],
                      "problems": MetadataValue.text(s["problems"])})
