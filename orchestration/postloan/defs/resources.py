"""The build resource: which landing folder, which warehouse, which dates, and the writer lock.

The lock is taken when the resource is set up for a run and released when the run ends, so one run
holds it across every step (runs execute in one process: see definitions.py).
"""


import contextlib
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

from dagster import ConfigurableResource, InitResourceContext
from pydantic import PrivateAttr

from postloan.publish import build_path, clean_stale_builds, writer_lock
from postloan.runlog import append_run, read_runs


def parse_as_of(text: str) -> set[dt.date] | None:
    """'2018-06-30,2010-12-31' -> a set of dates; '' or 'all' -> None (every date)."""
    text = (text or "").strip()
    if text in ("", "all"):
        return None
    dates = set()
    for part in text.split(","):
        try:
            dates.add(dt.date.fromisoformat(part.strip()))
        except ValueError as exc:
            raise ValueError(f"--as-of: {part.strip()!r} is not a YYYY-MM-DD date") from exc
    return dates


def record_killed_builds(warehouse: Path, removed: list[Path]) -> list[str]:
    """Log a failure for each build whose private file outlived it (it was killed), once."""
    prefixes = sorted({p.name.split(".build-")[1][:8] for p in removed
                       if p.name.endswith(".duckdb") and ".build-" in p.name})
    known = [str(r.get("run_id") or "") for r in read_runs(warehouse)]
    recorded = []
    for prefix in prefixes:
        if any(run_id.startswith(prefix) for run_id in known):
            continue
        append_run(warehouse, {
            "run_id": prefix, "status": "failure", "build_id": None,
            "finished_at": None, "warehouse": str(warehouse), "failed_step": "unknown",
            "reason": "the build was killed before it finished (found by the next build); "
                      "the published warehouse was not touched",
        })
        recorded.append(prefix)
    return recorded


class BuildResource(ConfigurableResource):
    landing_dir: str
    warehouse: str
    as_of: str = ""
    lock_wait_seconds: float = 0.0
    # dbt vars as a JSON object, e.g. '{"coverage_requirement": 1.2}': the rules a risk committee
    # may change (dbt_project.yml lists them with their sources).
    dbt_vars: str = "{}"

    _run_id: str = PrivateAttr(default="")

    @property
    def warehouse_path(self) -> Path:
        return Path(self.warehouse).resolve()

    @property
    def landing_path(self) -> Path:
        return Path(self.landing_dir).resolve()

    @property
    def as_of_dates(self) -> set[dt.date] | None:
        return parse_as_of(self.as_of)

    def build_file(self, run_id: str) -> Path:
        return build_path(self.warehouse_path, run_id[:8])

    @contextlib.contextmanager
    def yield_for_execution(self, context: InitResourceContext) -> Iterator["BuildResource"]:
        self.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
        with writer_lock(self.warehouse_path, self.lock_wait_seconds):
            removed = clean_stale_builds(self.warehouse_path)
            for run_prefix in record_killed_builds(self.warehouse_path, removed):
                if context.log:
                    context.log.warning(f"build {run_prefix} was killed before it finished; "
                                        "its private file was removed")
            yield self
