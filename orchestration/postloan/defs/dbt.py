"""dbt models, seeds and tests as Dagster assets and asset checks (dagster-dbt)."""


import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dagster import AssetExecutionContext, AssetKey, Failure
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets
from dagster_dbt.errors import DagsterDbtCliRuntimeError

from postloan.defs.resources import BuildResource
from postloan.operations import load_operations
from postloan.paths import DBT_PROJECT_DIR
from postloan.publish import connect_for_build

MANIFEST = DBT_PROJECT_DIR / "target" / "manifest.json"
# The dbt installed beside this interpreter, whether or not the virtualenv is on PATH.
DBT_EXECUTABLE = Path(sys.executable).with_name("dbt")
STALE_TARGET_SECONDS = 24 * 3600
PROJECT_INPUTS = ("dbt_project.yml", "profiles.yml", "models", "macros", "seeds", "tests")


def _newest_input_mtime() -> float:
    newest = 0.0
    for name in PROJECT_INPUTS:
        path = DBT_PROJECT_DIR / name
        paths = [path] if path.is_file() else path.rglob("*")
        for p in paths:
            newest = max(newest, p.stat().st_mtime)
    return newest


def ensure_manifest() -> Path:
    """Parse the dbt project when its manifest is missing or older than any project file."""
    if MANIFEST.exists() and MANIFEST.stat().st_mtime >= _newest_input_mtime():
        return MANIFEST
    subprocess.run(
        [str(DBT_EXECUTABLE), "parse", "--quiet", "--project-dir", str(DBT_PROJECT_DIR),
         "--profiles-dir", str(DBT_PROJECT_DIR)],
        check=True, env={**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
    )
    return MANIFEST


class PostloanTranslator(DagsterDbtTranslator):
    """dbt sources are the raw.* tables the ingestion assets write: give them the same keys."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            # raw.* (the landing tables) and quality.* (check results), both written by ingestion
            return AssetKey([dbt_resource_props.get("schema") or "raw",
                             dbt_resource_props["name"]])
        schema = dbt_resource_props.get("config", {}).get("schema") or "main"
        return AssetKey([schema, dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return dbt_resource_props.get("config", {}).get("schema") or "warehouse"


def dbt_build_args(dbt_vars: str = "{}") -> list[str]:
    """The dbt command a build runs: everything, with the committee's vars if any."""
    args = ["build"]
    if json.loads(dbt_vars):
        args += ["--vars", dbt_vars]
    return args


@dbt_assets(manifest=ensure_manifest(), dagster_dbt_translator=PostloanTranslator())
def warehouse_dbt_assets(context: AssetExecutionContext, dbt: DbtCliResource,
                         build: BuildResource):
    """Staging, intermediate, marts and the reporting layer, built in this run's private file."""
    # dagster-dbt gives every invocation its own target folder. The writer lock is per warehouse,
    # so builds of two warehouses may share this project: only folders untouched for a day go.
    cutoff = time.time() - STALE_TARGET_SECONDS
    for stale in (DBT_PROJECT_DIR / "target").glob(f"{context.op_def.name}-*"):
        if stale.stat().st_mtime < cutoff:
            shutil.rmtree(stale, ignore_errors=True)
    duckdb_settings = load_operations().duckdb_config(build.warehouse_path)
    overrides = {
        "POSTLOAN_BUILD_DB": str(build.build_file(context.run.run_id)),
        "POSTLOAN_DUCKDB_MEMORY": duckdb_settings["memory_limit"],
        "POSTLOAN_DUCKDB_THREADS": duckdb_settings["threads"],
        "POSTLOAN_DUCKDB_TEMP": duckdb_settings["temp_directory"],
        # dbt's lines reach this process's stdout: coloured on a terminal, plain in a log file.
        "DBT_USE_COLORS": "true" if sys.stdout.isatty() else "false",
    }
    previous = {key: os.environ.get(key) for key in overrides}
    os.environ.update(overrides)  # the dbt child process reads them through profiles.yml
    invocation = dbt.cli(dbt_build_args(build.dbt_vars), context=context)
    try:
        yield from invocation.stream()
    except DagsterDbtCliRuntimeError as exc:
        # dagster-dbt's message is a page of dbt's coloured log; say which node failed and why.
        try:
            summary = dbt_failure_summary(invocation.get_artifact("run_results.json"))
        except Exception:  # noqa: BLE001 - no run results (dbt died before running): keep its own
            summary = None
        if summary is None:
            raise
        raise Failure(description=f"{summary} (dbt log: {invocation.target_path / 'dbt.log'})"
                      ) from exc
    finally:
        record_dbt_tests(invocation, build, context.run.run_id, context.log)
        for key, value in previous.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


ANSI = re.compile(r"\x1b\[[0-9;]*m")
FAILED_STATUSES = ("error", "fail", "runtime error")


def dbt_failure_summary(run_results: dict, most: int = 3) -> str | None:
    """One line naming the dbt nodes that failed and dbt's reason for each, from
    run_results.json: 'dbt: 1 node failed: model fct_loan_classification: Binder Error:
    Referenced column "abc" not found in FROM clause! LINE 66: and loans.dpd between 1 and abc'.
    None when no node failed (dbt stopped before running any)."""
    failed = [r for r in run_results.get("results", [])
              if str(r.get("status")).lower() in FAILED_STATUSES]
    if not failed:
        return None
    parts = []
    for result in failed[:most]:
        kind, _, name = result["unique_id"].split(".")[:3]  # model.postloan.<name>[.<hash>]
        lines = [" ".join(ANSI.sub("", line).split())
                 for line in (result.get("message") or "").splitlines()]
        # dbt's first line repeats the node ("Runtime Error in model x (path)"); the caret line
        # under LINE n points at a column that a single line cannot show.
        lines = [line for line in lines if line and set(line) != {"^"}
                 and not line.startswith(("Runtime Error in", "Database Error in",
                                          "Compilation Error in"))]
        parts.append(f"{kind} {name}: {' '.join(lines)[:300] or result['status']}")
    more = f"; and {len(failed) - most} more" if len(failed) > most else ""
    return f"dbt: {len(failed)} node{'s' if len(failed) > 1 else ''} failed: " \
        + "; ".join(parts) + more


def record_dbt_tests(invocation, build: BuildResource, run_id: str, log) -> None:
    """Keep every dbt test's result with the other data-quality results (see quality/record.py),
    also when a failing test stops the build."""
    from postloan.quality import record

    try:
        outcomes = record.dbt_test_outcomes(invocation.get_artifact("run_results.json"),
                                            invocation.get_artifact("manifest.json"))
    except Exception as exc:  # noqa: BLE001 - no artifacts (dbt died early): nothing to record
        log.warning(f"dbt test results not recorded: {exc}")
        return
    rows = record.rows_for(outcomes, run_id, "dbt")
    record.append_log(build.warehouse_path, rows)
    con = connect_for_build(build.build_file(run_id))
    try:
        record.store(con, rows)
    finally:
        con.close()


def dbt_resource() -> DbtCliResource:
    # Through the wrapper that makes dbt die with the build (see postloan/dbt_child.py).
    return DbtCliResource(project_dir=str(DBT_PROJECT_DIR), profiles_dir=str(DBT_PROJECT_DIR),
                          dbt_executable=str(DBT_EXECUTABLE.with_name("postloan-dbt")))
