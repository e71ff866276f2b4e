"""Sensors: record runs that fail outside the CLI (launched from the Dagster UI or a schedule)."""

import datetime as dt
import re
from pathlib import Path

from dagster import DefaultSensorStatus, RunFailureSensorContext, run_failure_sensor

from postloan.paths import warehouse_path
from postloan.publish import save_failed_rejects
from postloan.runlog import append_run, read_runs


def error_reason(error) -> str:
    """What a user can act on in a Dagster error chain: the outermost error that is not one of
    Dagster's own wrappers. That is the loader's "loans.csv: line 41: bytes are neither UTF-8 nor
    GBK/GB18030", not the step wrapper around it nor the UnicodeDecodeError it was raised from
    (the innermost cause, which names no file or line)."""
    chain = []
    while error is not None:
        chain.append(error)
        error = error.cause
    if not chain:
        return "step failed"
    ours = next((e for e in chain if not (e.cls_name or "").startswith("Dagster")), None)
    if ours is None:  # only Dagster's own errors (an interrupted run): the CLI words those
        return chain[-1].message.strip()
    return without_class_path(ours.message.strip())


# A module path and a class name: postloan.landing.manifest.ManifestError (not loans.csv).
CLASS_PATH = re.compile(r"(?:[A-Za-z_]\w*\.)+[A-Z]\w*: ")


def without_class_path(message: str) -> str:
    """'postloan.landing.readers.LandingFileError: x' -> 'x' (class paths mean nothing to
    users); a message that starts with a file ('/in/b/loans.csv: line 7: ...') is kept."""
    found = CLASS_PATH.match(message)
    return message[found.end():] if found else message


def failure_record(run_id: str, step: str | None, reason: str, warehouse: Path,
                   rejects: tuple[Path, int, int] | None = None) -> dict:
    """A failed build's run-log line; ``rejects``: the CSV its quarantined rows were saved to
    (``postloan.publish.save_failed_rejects``), the rows rejected and the rules they broke."""
    return {
        "run_id": run_id, "status": "failure", "build_id": None,
        "finished_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "warehouse": str(warehouse), "failed_step": step, "reason": reason,
        "rejects_file": str(rejects[0]) if rejects else None,
        "rejected_rows": rejects[1] if rejects else 0,
        "broken_rules": rejects[2] if rejects else 0,
    }


@run_failure_sensor(default_status=DefaultSensorStatus.RUNNING)
def record_failed_builds(context: RunFailureSensorContext) -> None:
    """Append the failure to the run log beside the warehouse, once per run."""
    warehouse = warehouse_path()
    run_id = context.dagster_run.run_id
    if any(r.get("run_id") == run_id for r in read_runs(warehouse)):
        return
    steps = context.get_step_failure_events()
    if steps:
        step, reason = steps[0].step_key, error_reason(steps[0].event_specific_data.error)
    else:
        step, reason = None, context.failure_event.message or "run failed"
    # The failed run's private file stays until the next build starts: save its rejects now.
    try:
        saved = save_failed_rejects(warehouse, run_id)
    except Exception as exc:  # noqa: BLE001 - the failure itself must still be logged
        saved = None
        context.log.warning(f"could not save the rejected rows of run {run_id}: {exc}")
    append_run(warehouse, failure_record(run_id, step, reason, warehouse, saved))
