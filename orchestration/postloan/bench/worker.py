"""One measured build, run in its own process by ``postloan bench`` (so its memory is its own).

``python -m postloan.bench.worker LANDING WAREHOUSE RESULT.json [AS_OF]`` runs the product's
build (the same ``materialize_build`` as ``postloan build``) with an ephemeral Dagster instance,
then writes as JSON: success, wall and CPU seconds of the build, the wall seconds of each Dagster
step (from the run's event log), every dbt node's execution time (from dbt's
``run_results.json``), where publication's time went and the landing rows loaded
(``raw.load_log``).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

DBT_OP = "warehouse_dbt_assets"


def step_seconds(instance, run_id: str) -> dict[str, float]:
    started: dict[str, float] = {}
    out: dict[str, float] = {}
    for entry in instance.all_logs(run_id):
        event = entry.dagster_event
        if event is None or not event.step_key:
            continue
        if event.event_type_value == "STEP_START":
            started[event.step_key] = entry.timestamp
        elif event.event_type_value in ("STEP_SUCCESS", "STEP_FAILURE"):
            out[event.step_key] = entry.timestamp - started.get(event.step_key, entry.timestamp)
    return out


def publish_seconds(result) -> dict[str, float]:
    """Where publication's time went (the ``seconds`` metadata of published_warehouse)."""
    for event in result.get_asset_materialization_events():
        found = event.materialization.metadata.get("seconds")
        if found is not None:
            return dict(found.value)
    return {}


def dbt_nodes(since: float) -> list[dict]:
    from postloan.paths import DBT_PROJECT_DIR

    found = sorted((p for p in (DBT_PROJECT_DIR / "target").glob(f"{DBT_OP}-*/run_results.json")
                    if p.stat().st_mtime >= since), key=lambda p: p.stat().st_mtime)
    if not found:
        return []
    results = json.loads(found[-1].read_text(encoding="utf-8"))["results"]
    return [{"id": r["unique_id"], "seconds": r.get("execution_time") or 0.0,
             "status": r.get("status")} for r in results]


def main(argv: list[str]) -> int:
    import duckdb
    from dagster import DagsterInstance

    from postloan.cli import materialize_build

    landing, warehouse, result_path = Path(argv[0]), Path(argv[1]), Path(argv[2])
    as_of = argv[3] if len(argv) > 3 else ""
    instance = DagsterInstance.ephemeral()
    started = time.time()
    clock = time.perf_counter()
    result = materialize_build(landing, warehouse, instance, as_of, 0.0, "WARNING")
    seconds = time.perf_counter() - clock
    rows, delta_rows = {}, None
    if result.success:
        con = duckdb.connect(str(warehouse), read_only=True)
        try:
            rows = dict(con.execute(
                "select entity, sum(loaded_rows)::bigint from raw.load_log group by entity"
            ).fetchall())
            delta_rows = con.execute(
                "select sum(loaded_rows)::bigint from raw.load_log join raw.batches "
                "using (batch_id) where delivery = 'delta'").fetchone()[0]
        finally:
            con.close()
    import resource

    used = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    result_path.write_text(json.dumps({
        "success": result.success, "build_seconds": seconds,
        # CPU of this process and of the finished children (dbt), start-up included.
        "cpu_seconds": sum(u.ru_utime + u.ru_stime for u in used),
        "steps": step_seconds(instance, result.run_id), "dbt_nodes": dbt_nodes(started - 1),
        "publish_seconds": publish_seconds(result),
        "loaded_rows": rows,
        # Rows the build's delta batches loaded from their files (None: no delta).
        "delta_rows": delta_rows,
    }, indent=1), encoding="utf-8")
    return 0 if result.success else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
