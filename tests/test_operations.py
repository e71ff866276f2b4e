"""Unattended operation: schedules in the bank's time zone, the new-batch sensor, repeatable
builds."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from dagster import RunRequest, SkipReason, build_sensor_context

from postloan.cli import run_build
from postloan.defs.automation import (
    daily_refresh,
    month_end_refresh,
    new_batch_request,
    new_batch_sensor,
)
from postloan.operations import Operations, load_operations, read_holidays
from tests.landing_factory import write_batch

UTC = dt.UTC

# Evaluated in a separate interpreter whose host clock is UTC (TZ=UTC): the schedule functions
# must give the bank's business date from the tick's own moment, not from the host's local time.
TICK_SCRIPT = """
import datetime as dt, json, sys
from dagster import build_schedule_context
from postloan.defs.automation import daily_refresh, month_end_refresh
out = []
for iso in json.loads(sys.argv[1]):
    moment = dt.datetime.fromisoformat(iso)
    results = []
    for schedule in (daily_refresh, month_end_refresh):
        result = schedule(build_schedule_context(scheduled_execution_time=moment))
        results.append(result.tags.get("postloan/business_date") if hasattr(result, "tags")
                       else None)
    out.append(results)
print(json.dumps(out))
"""


@pytest.mark.slow
def test_schedule_ticks_on_a_utc_host_give_the_bank_business_date():
    # 06:00 in Shanghai is 22:00 UTC the day before.
    ticks = [
        "2024-07-01T22:00:00+00:00",  # Tue 2024-07-02 06:00 CST -> Mon 2024-07-01
        "2024-07-05T22:00:00+00:00",  # Sat 06:00 CST -> Fri 2024-07-05
        "2024-07-06T22:00:00+00:00",  # Sun -> yesterday Saturday: skipped
        "2024-07-07T22:00:00+00:00",  # Mon -> yesterday Sunday: skipped
        "2024-02-29T22:00:00+00:00",  # Fri 2024-03-01 06:00 CST -> Thu 2024-02-29, a month-end
    ]
    env = {**os.environ, "TZ": "UTC"}
    done = subprocess.run([sys.executable, "-c", TICK_SCRIPT, json.dumps(ticks)], env=env,
                          capture_output=True, text=True, timeout=120, check=True)
    assert json.loads(done.stdout.strip().splitlines()[-1]) == [
        ["2024-07-01", None],
        ["2024-07-05", None],
        [None, None],
        [None, None],
        ["2024-02-29", "2024-02-29"],
    ]


def test_holidays_from_the_calendar_file_are_skipped(tmp_path):
    calendar = tmp_path / "holidays.csv"
    calendar.write_text("date,name\n2024-10-01,国庆节\n2024-10-02,国庆节\n", encoding="utf-8")
    ops = Operations(holidays_file=str(calendar))
    from postloan.defs.automation import daily_request

    after_holiday = dt.datetime(2024, 10, 2, 22, 0, tzinfo=UTC)  # 10-03 06:00 CST
    assert isinstance(daily_request(after_holiday, ops), SkipReason)
    before = dt.datetime(2024, 9, 30, 22, 0, tzinfo=UTC)          # 10-01 06:00 CST
    request = daily_request(before, ops)
    assert isinstance(request, RunRequest)
    assert request.tags["postloan/business_date"] == "2024-09-30"
    assert request.run_key == "daily-2024-09-30"
    bad = tmp_path / "bad.csv"
    bad.write_text("date\n2024-13-01\n", encoding="utf-8")
    with pytest.raises(ValueError, match="line 2"):
        read_holidays(str(bad))


def test_schedules_run_in_the_configured_time_zone():
    ops = load_operations()
    assert ops.timezone == "Asia/Shanghai"
    assert daily_refresh.execution_timezone == "Asia/Shanghai"
    assert month_end_refresh.cron_schedule == ops.daily_cron


def test_settings_come_from_the_environment_first(monkeypatch, tmp_path):
    monkeypatch.setenv("POSTLOAN_TIMEZONE", "Europe/London")
    monkeypatch.setenv("POSTLOAN_DUCKDB_MEMORY", "1GB")
    ops = load_operations()
    assert (ops.timezone, ops.duckdb_memory_limit) == ("Europe/London", "1GB")
    assert ops.duckdb_config(tmp_path / "wh.duckdb") == {
        "memory_limit": "1GB", "threads": "2", "temp_directory": str(tmp_path / ".duckdb_tmp")}


def test_sensor_fires_on_a_complete_batch_and_not_on_a_half_copied_one(tmp_path, monkeypatch):
    landing = tmp_path / "landing"
    folder = write_batch(landing, seed=3)
    loans = folder / "loans.csv"
    full = loans.read_bytes()
    loans.write_bytes(full[: len(full) // 2])          # the copy is still under way
    monkeypatch.setenv("POSTLOAN_LANDING", str(landing))

    context = build_sensor_context(cursor=None)
    assert isinstance(new_batch_sensor(context), SkipReason)

    loans.write_bytes(full)                             # the copy has finished
    context = build_sensor_context(cursor=context.cursor)
    first = new_batch_sensor(context)
    assert isinstance(first, RunRequest)
    assert first.tags["postloan/trigger"] == "new_batch"

    # Nothing new: no second run for the same batch.
    again, cursor = new_batch_request(landing, context.cursor)
    assert isinstance(again, SkipReason)

    # A redelivery (a new manifest) is new.
    write_batch(landing, seed=4, delivered_at="2099-01-01T00:00:00+08:00", folder_name="redo")
    redo, _ = new_batch_request(landing, cursor)
    assert isinstance(redo, RunRequest) and redo.run_key != first.run_key


# How long a load took, and which build checked what when, are not data.
TIMINGS = {"load_reconciliation": "load_seconds",
           "data_quality_checks": "build_id, checked_at",
           "builds": "build_id, started_at, finished_at"}


def _compared_rows(table: str) -> str:
    return f"(select * exclude ({TIMINGS[table]}) from reporting.{table})" if table in TIMINGS \
        else f"reporting.{table}"


def checksums(path: Path) -> dict[str, str]:
    con = duckdb.connect(str(path), read_only=True)
    tables = [r[0] for r in con.execute(
        "select table_name from information_schema.tables where table_schema = 'reporting' "
        "order by 1").fetchall()]
    out = {}
    for t in tables:
        out[t] = con.execute(
            f"select count(*) || ':' || coalesce(md5(string_agg(r::varchar, '|' order by "
            f"r::varchar)), '') from {_compared_rows(t)} as r").fetchone()[0]
    return out


def differing_rows(first: Path, second: Path, table: str) -> dict[str, list[str]]:
    """The rows of a reporting table only one of two warehouses holds (each as text), so a
    difference names itself."""
    rows = []
    for path in (first, second):
        con = duckdb.connect(str(path), read_only=True)
        rows.append({r[0] for r in con.execute(
            f"select r::varchar from {_compared_rows(table)} as r").fetchall()})
        con.close()
    return {"first only": sorted(rows[0] - rows[1]), "second only": sorted(rows[1] - rows[0])}


@pytest.mark.slow
def test_building_the_same_batch_twice_gives_identical_reporting_tables(tmp_path):
    landing = tmp_path / "landing"
    write_batch(landing, seed=21, n_loans=40)
    first, second = tmp_path / "a" / "wh.duckdb", tmp_path / "b" / "wh.duckdb"
    assert run_build(landing, first, ephemeral=True, log_level="WARNING") == 0
    assert run_build(landing, second, ephemeral=True, log_level="WARNING") == 0
    a, b = checksums(first), checksums(second)
    assert set(a) >= {"loans", "portfolio_summary", "loan_classification", "portfolio_quality"}
    assert a == b, {t: differing_rows(first, second, t) for t in a if a[t] != b.get(t)}
    builds = [duckdb.connect(str(p), read_only=True).execute(
        "select build_id from meta.build_info").fetchone()[0] for p in (first, second)]
    assert builds[0] != builds[1]  # only the build ids differ


SLOW_COPY = """
import sys, time
source, target, chunks = sys.argv[1], sys.argv[2], int(sys.argv[3])
data = open(source, "rb").read()
step = len(data) // chunks + 1
with open(target, "wb") as out:
    for i in range(0, len(data), step):
        time.sleep(0.3)
        out.write(data[i:i + step])
        out.flush()
"""


@pytest.mark.slow
def test_sensor_waits_for_a_file_another_process_is_still_copying(tmp_path, monkeypatch):
    """A separate process copies the last file of a batch slowly: the sensor must not fire
    until the copy is complete, then fire once."""
    landing = tmp_path / "landing"
    folder = write_batch(landing, seed=5, n_loans=60)
    payments = folder / "payments.csv"
    original = tmp_path / "payments.original.csv"
    payments.rename(original)
    monkeypatch.setenv("POSTLOAN_LANDING", str(landing))
    full_size = original.stat().st_size
    writer = subprocess.Popen([sys.executable, "-c", SLOW_COPY, str(original), str(payments), "6"])
    cursor, fired_while_copying, fired_after, ticks = None, [], [], 0
    try:
        while writer.poll() is None:
            context = build_sensor_context(cursor=cursor)
            result = new_batch_sensor(context)
            cursor = context.cursor
            ticks += 1
            size_after = payments.stat().st_size if payments.exists() else 0
            if isinstance(result, RunRequest):
                if size_after < full_size:  # the file was incomplete during the whole tick
                    fired_while_copying.append(result.run_key)
                else:
                    fired_after.append(result.run_key)
        writer.wait(30)
        for _ in range(2):
            context = build_sensor_context(cursor=cursor)
            result = new_batch_sensor(context)
            cursor = context.cursor
            if isinstance(result, RunRequest):
                fired_after.append(result.run_key)
    finally:
        writer.kill()
    assert writer.returncode == 0 and ticks > 3
    assert fired_while_copying == []
    assert len(fired_after) == 1  # once, not on every tick
