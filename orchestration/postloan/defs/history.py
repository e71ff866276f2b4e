"""Month-end close: monthly partitions over the replayed history.

Every build replays the whole history set-based (dbt models under models/history: one pass over
all month-ends, not one dbt run per month). The partitions record the close of each month: for
each portfolio and month-end, the row count and a checksum of its snapshots in the published
warehouse, kept in a register beside it (``<warehouse>.month_ends.jsonl``). A month closed again
must give the same checksum; a restated month fails the ``closed_months_unchanged`` check and is
named. A backfill over the whole history is a single run (one query over all its months).
"""


import datetime as dt
import json
from pathlib import Path

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    BackfillPolicy,
    Failure,
    MaterializeResult,
    MonthlyPartitionsDefinition,
    asset,
    build_schedule_from_partitioned_job,
    define_asset_job,
)

from postloan.defs.resources import BuildResource
from postloan.operations import load_operations
from postloan.publish import connect_readonly

OPS = load_operations()
MONTHS = MonthlyPartitionsDefinition(start_date=OPS.history_start, timezone=OPS.timezone,
                                     end_offset=0)

CHECKSUMS = """
    select portfolio_id, as_of_date, count(*) as loans,
        md5(string_agg(concat_ws('|', loan_id, loan_status, outstanding_principal,
                                 overdue_principal, overdue_interest, dpd, dpd_bucket,
                                 five_class, class_basis, batch_id),
                       ',' order by loan_id)) as checksum,
    from reporting.class_snapshots
    where is_month_end and as_of_date >= ? and as_of_date < ?
    group by all
    order by portfolio_id, as_of_date"""


def register_path(warehouse: Path) -> Path:
    return warehouse.with_name(warehouse.name + ".month_ends.jsonl")


def read_register(warehouse: Path) -> dict[tuple[str, str], dict]:
    """The latest close of each (portfolio, month-end)."""
    latest: dict[tuple[str, str], dict] = {}
    path = register_path(warehouse)
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                record = json.loads(line)
                latest[(record["portfolio_id"], record["month_end"])] = record
    return latest


def close_months(warehouse: Path, start: dt.date, end: dt.date, closed_by: str) -> dict:
    """Checksum every month-end in [start, end) of the published warehouse and append them to
    the register. Returns the months closed and those whose checksum changed since last time."""
    con = connect_readonly(warehouse)
    try:
        build_id = con.execute("select build_id from meta.build_info").fetchone()[0]
        rows = con.execute(CHECKSUMS, [start, end]).fetchall()
    finally:
        con.close()
    if not rows:
        raise Failure(f"No month-end in {start} .. {end - dt.timedelta(days=1)} is in the "
                      f"published warehouse {warehouse}: the month-end build has not published "
                      "yet, or no portfolio reaches that month.")
    previous = read_register(warehouse)
    closed_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    restated, records = [], []
    for portfolio_id, month_end, loans, checksum in rows:
        record = {"portfolio_id": portfolio_id, "month_end": month_end.isoformat(),
                  "loans": loans, "checksum": checksum, "build_id": build_id,
                  "closed_at": closed_at, "closed_by": closed_by}
        before = previous.get((portfolio_id, record["month_end"]))
        if before is not None and before["checksum"] != checksum:
            restated.append({**record, "previous_checksum": before["checksum"],
                             "previous_build_id": before["build_id"]})
        records.append(record)
    with register_path(warehouse).open("a", encoding="utf-8") as fh:
        for record in records:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    return {"closed": records, "restated": restated}


@asset(
    key=AssetKey(["history", "month_end_close"]),
    deps=[AssetKey(["reporting", "class_snapshots"])],
    partitions_def=MONTHS,
    backfill_policy=BackfillPolicy.single_run(),
    group_name="history",
    check_specs=[AssetCheckSpec("closed_months_unchanged",
                                asset=AssetKey(["history", "month_end_close"]),
                                description="A month closed before has the same snapshots.")],
)
def month_end_close(context: AssetExecutionContext, build: BuildResource) -> MaterializeResult:
    """Close the month(s) of this run's partitions against the published warehouse."""
    window = context.partition_time_window
    result = close_months(build.warehouse_path, window.start.date(), window.end.date(),
                          closed_by=context.run.run_id)
    restated = result["restated"]
    return MaterializeResult(
        metadata={"months_closed": len({r["month_end"] for r in result["closed"]}),
                  "portfolio_months": len(result["closed"]),
                  "register": str(register_path(build.warehouse_path))},
        check_results=[AssetCheckResult(
            check_name="closed_months_unchanged",
            passed=not restated,
            severity=AssetCheckSeverity.WARN,
            metadata={"restated": json.dumps(restated[:20], ensure_ascii=False),
                      "restated_count": len(restated)},
        )],
    )


month_end_close_job = define_asset_job(
    "month_end_close", selection=[month_end_close],
    description="Record the month-end snapshots of the published warehouse, month by month.")

# After the month-end build (month_end_refresh, at the daily time): the partition of the month
# that just ended, a few hours later in the bank's time zone.
month_end_close_schedule = build_schedule_from_partitioned_job(
    month_end_close_job, hour_of_day=OPS.close_hour, minute_of_hour=0)
