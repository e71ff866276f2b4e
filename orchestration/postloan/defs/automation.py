"""Unattended runs: the daily and month-end schedules and the new-batch sensor.

Times are evaluated in the bank's time zone (config/operations.yaml), so a host whose clock is
UTC still refreshes for the right business date. Runs started here wait for a running build
(lock_wait_seconds) instead of failing, and are retried once by the instance when the run itself
died (not when a check failed: a retry cannot fix the data).
"""

import datetime as dt
import hashlib
import json
from pathlib import Path

from dagster import (
    DefaultScheduleStatus,
    DefaultSensorStatus,
    RunRequest,
    ScheduleEvaluationContext,
    SensorEvaluationContext,
    SkipReason,
    schedule,
    sensor,
)

from postloan.landing.manifest import (
    MANIFEST_NAME,
    ManifestError,
    completeness_problems,
    find_batches,
    read_manifest,
)
from postloan.operations import is_business_day, is_month_end, load_operations, local_date

OPS = load_operations()
JOB_NAME = "build_warehouse"
RETRY_TAGS = {"dagster/max_retries": "1", "dagster/retry_on_asset_or_op_failure": "false"}


def daily_request(moment: dt.datetime, ops=OPS) -> RunRequest | SkipReason:
    """Refresh for the previous business day, or skip when yesterday was not one."""
    today = local_date(moment, ops.zone)
    business_date = today - dt.timedelta(days=1)
    if not is_business_day(business_date, ops.holidays()):
        return SkipReason(f"{business_date} was not a business day in {ops.timezone}")
    return RunRequest(run_key=f"daily-{business_date}",
                      tags={"postloan/business_date": business_date.isoformat(),
                            "postloan/trigger": "daily", **RETRY_TAGS})


def month_end_request(moment: dt.datetime, ops=OPS) -> RunRequest | SkipReason:
    """The month-end snapshot run, the morning after the last calendar day of a month."""
    month_end = local_date(moment, ops.zone) - dt.timedelta(days=1)
    if not is_month_end(month_end):
        return SkipReason(f"{month_end} is not a month-end")
    return RunRequest(run_key=f"month-end-{month_end}",
                      tags={"postloan/business_date": month_end.isoformat(),
                            "postloan/month_end": month_end.isoformat(),
                            "postloan/trigger": "month_end", **RETRY_TAGS})


@schedule(job_name=JOB_NAME, cron_schedule=OPS.daily_cron, execution_timezone=OPS.timezone,
          default_status=DefaultScheduleStatus.RUNNING)
def daily_refresh(context: ScheduleEvaluationContext):
    """Every morning, bank time: rebuild for the previous business day."""
    return daily_request(context.scheduled_execution_time)


@schedule(job_name=JOB_NAME, cron_schedule=OPS.daily_cron, execution_timezone=OPS.timezone,
          default_status=DefaultScheduleStatus.RUNNING)
def month_end_refresh(context: ScheduleEvaluationContext):
    """The morning after each month-end, bank time: the month-end snapshot run."""
    return month_end_request(context.scheduled_execution_time)


def complete_batches(landing: Path) -> dict[str, str]:
    """Batches that are complete as the landing contract defines it: manifest present and every
    listed file there with its stated size. Keyed by a digest of the manifest (which states the
    sizes), valued by folder. Half-copied or invalid batches are left out."""
    found = {}
    for folder in find_batches(landing) if landing.is_dir() else []:
        try:
            manifest = read_manifest(folder)
        except ManifestError:
            continue
        if completeness_problems(manifest):
            continue
        digest = hashlib.sha256((folder / MANIFEST_NAME).read_bytes()).hexdigest()[:16]
        found[f"{manifest.portfolio_id}@{manifest.as_of}#{digest}"] = str(folder)
    return found


def new_batch_request(landing: Path, cursor: str | None) -> tuple[RunRequest | SkipReason, str]:
    seen = set(json.loads(cursor)) if cursor else set()
    complete = complete_batches(landing)
    new = sorted(set(complete) - seen)
    if not new:
        return SkipReason(f"no new complete batch under {landing}"), cursor or "[]"
    run_key = "batches-" + hashlib.sha256("|".join(new).encode()).hexdigest()[:16]
    request = RunRequest(run_key=run_key,
                         tags={"postloan/trigger": "new_batch",
                               "postloan/new_batches": ", ".join(new)[:1000], **RETRY_TAGS})
    return request, json.dumps(sorted(seen | set(complete)))


@sensor(job_name=JOB_NAME, minimum_interval_seconds=OPS.sensor_interval_seconds,
        default_status=DefaultSensorStatus.RUNNING)
def new_batch_sensor(context: SensorEvaluationContext):
    """Start a build when a complete new batch lands in the landing folder."""
    from postloan.definitions import landing_dir

    result, cursor = new_batch_request(Path(landing_dir()), context.cursor)
    context.update_cursor(cursor)
    return result
