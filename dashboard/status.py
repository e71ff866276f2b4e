"""Did the last refresh fail after the build we are showing was published?

Pure functions over run-log records (``postloan.runlog``) so that the banner rule can be tested
without Streamlit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from dashboard.formatting import utc_timestamp


def run_time(record: dict[str, Any]) -> dt.datetime | None:
    """When a run ended (or, if it never recorded an end, when it started); naive times are UTC."""
    return utc_timestamp(record.get("finished_at")) or utc_timestamp(record.get("started_at"))


def failed_refresh(
    runs: Sequence[dict[str, Any]],
    published_build_id: str | None,
    built_at: object,
) -> dict[str, Any] | None:
    """The last run-log record if it is a failure newer than the published build, else None.

    "Newer" is decided by the log's order when the published build's own successful run is in the
    log, and by time otherwise. When neither can tell (no build published, unreadable times), a
    failing last run is reported: hiding a failed refresh is worse than one warning too many.
    """
    if not runs:
        return None
    last = runs[-1]
    if last.get("status") != "failure":
        return None
    if published_build_id is None:
        return last
    published_runs = [
        i
        for i, record in enumerate(runs)
        if record.get("status") == "success" and record.get("build_id") == published_build_id
    ]
    if published_runs:
        return last  # the last record is a failure, so it comes after that success
    failed_at = run_time(last)
    built = utc_timestamp(built_at)  # build_info.built_at is a naive UTC timestamp
    if failed_at is None or built is None:
        return last
    return last if failed_at > built else None
