"""The Dagster code location: every asset, check, job and resource of the warehouse."""

from __future__ import annotations

from dagster import Definitions, EnvVar, define_asset_job, in_process_executor

from postloan.defs.automation import daily_refresh, month_end_refresh, new_batch_sensor
from postloan.defs.dbt import dbt_resource, warehouse_dbt_assets
from postloan.defs.history import month_end_close, month_end_close_job, month_end_close_schedule
from postloan.defs.ingest import ingest_landing
from postloan.defs.publish import published_warehouse
from postloan.defs.resources import BuildResource
from postloan.defs.sensors import record_failed_builds
from postloan.operations import load_operations
from postloan.paths import DEFAULT_LANDING, DEFAULT_WAREHOUSE

ALL_ASSETS = [ingest_landing, warehouse_dbt_assets, published_warehouse]

build_warehouse_job = define_asset_job(
    "build_warehouse", selection=ALL_ASSETS,
    description="Ingest every batch, build, check, publish.")


def landing_dir() -> str:
    return EnvVar("POSTLOAN_LANDING").get_value(str(DEFAULT_LANDING))


def resources(landing: str | None = None, warehouse: str | None = None, as_of: str = "",
              lock_wait_seconds: float = 0.0, dbt_vars: str = "{}") -> dict:
    build = BuildResource(
        landing_dir=landing or landing_dir(),
        warehouse=warehouse or EnvVar("POSTLOAN_WAREHOUSE").get_value(str(DEFAULT_WAREHOUSE)),
        as_of=as_of,
        lock_wait_seconds=lock_wait_seconds,
        dbt_vars=dbt_vars,
    )
    return {"build": build, "dbt": dbt_resource()}


# One process per run: the DuckDB build file has a single writer, and the writer lock taken by the
# build resource must be held across all steps of the run.
defs = Definitions(
    assets=[*ALL_ASSETS, month_end_close],
    jobs=[build_warehouse_job, month_end_close_job],
    schedules=[daily_refresh, month_end_refresh, month_end_close_schedule],
    sensors=[record_failed_builds, new_batch_sensor],
    # Runs started from the UI, a schedule or the sensor wait for a running build.
    resources=resources(lock_wait_seconds=load_operations().lock_wait_seconds),
    executor=in_process_executor,
)
