"""Operating settings (time zone, calendar, schedules, DuckDB limits) and business dates."""

from __future__ import annotations

import csv
import datetime as dt
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

from postloan.paths import PROJECT_DIR

CONFIG_FILE = PROJECT_DIR / "config" / "operations.yaml"
ENV = {
    "timezone": "POSTLOAN_TIMEZONE",
    "daily_cron": "POSTLOAN_DAILY_CRON",
    "holidays_file": "POSTLOAN_HOLIDAYS",
    "lock_wait_seconds": "POSTLOAN_LOCK_WAIT",
    "sensor_interval_seconds": "POSTLOAN_SENSOR_INTERVAL",
    "duckdb_memory_limit": "POSTLOAN_DUCKDB_MEMORY",
    "duckdb_threads": "POSTLOAN_DUCKDB_THREADS",
    "duckdb_temp_directory": "POSTLOAN_DUCKDB_TEMP",
    "history_start": "POSTLOAN_HISTORY_START",
    "close_hour": "POSTLOAN_CLOSE_HOUR",
}


@dataclass(frozen=True)
class Operations:
    timezone: str = "Asia/Shanghai"
    daily_cron: str = "0 6 * * *"
    holidays_file: str | None = None
    lock_wait_seconds: float = 1800.0
    sensor_interval_seconds: int = 60
    duckdb_memory_limit: str = "4GB"
    duckdb_threads: int = 2
    duckdb_temp_directory: str | None = None
    history_start: str = "1985-01-01"
    close_hour: int = 9

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def holidays(self) -> frozenset[dt.date]:
        return read_holidays(self.holidays_file) if self.holidays_file else frozenset()

    def duckdb_config(self, warehouse: Path) -> dict[str, str]:
        """Settings for every connection a build opens (also handed to dbt's profile)."""
        temp = self.duckdb_temp_directory or str(warehouse.parent / ".duckdb_tmp")
        return {"memory_limit": self.duckdb_memory_limit, "threads": str(self.duckdb_threads),
                "temp_directory": temp}


def load_operations(path: Path = CONFIG_FILE) -> Operations:
    """The config file's values, overridden by the environment."""
    values = {}
    if path.exists():
        values = {k: v for k, v in (yaml.safe_load(path.read_text(encoding="utf-8")) or {})
                  .items() if v not in (None, "")}
    for key, var in ENV.items():
        if os.environ.get(var):
            values[key] = os.environ[var]
    unknown = set(values) - set(ENV)
    if unknown:
        raise ValueError(f"{path}: unknown settings {sorted(unknown)}")
    raw = Operations(**values)  # values from YAML or the environment, then typed:
    ops = Operations(
        timezone=str(raw.timezone), daily_cron=str(raw.daily_cron),
        holidays_file=str(raw.holidays_file) if raw.holidays_file else None,
        lock_wait_seconds=float(raw.lock_wait_seconds),
        sensor_interval_seconds=int(raw.sensor_interval_seconds),
        duckdb_memory_limit=str(raw.duckdb_memory_limit), duckdb_threads=int(raw.duckdb_threads),
        duckdb_temp_directory=str(raw.duckdb_temp_directory) if raw.duckdb_temp_directory
        else None,
        history_start=dt.date.fromisoformat(str(raw.history_start)).isoformat(),
        close_hour=int(raw.close_hour))
    _ = ops.zone  # fail early on an unknown time zone
    return ops


@cache
def read_holidays(path: str) -> frozenset[dt.date]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        if "date" not in (reader.fieldnames or []):
            raise ValueError(f"{path}: the holiday calendar needs a 'date' column")
        days = set()
        for line, row in enumerate(reader, start=2):
            try:
                days.add(dt.date.fromisoformat(row["date"].strip()))
            except ValueError as exc:
                raise ValueError(f"{path}: line {line}: {row['date']!r} is not YYYY-MM-DD") \
                    from exc
    return frozenset(days)


def is_business_day(day: dt.date, holidays: frozenset[dt.date] = frozenset()) -> bool:
    return day.weekday() < 5 and day not in holidays


def local_date(moment: dt.datetime, zone: ZoneInfo) -> dt.date:
    """The calendar date in the bank's time zone of an aware moment (host clock irrelevant)."""
    if moment.tzinfo is None:
        raise ValueError("an aware datetime is required")
    return moment.astimezone(zone).date()


def is_month_end(day: dt.date) -> bool:
    return (day + dt.timedelta(days=1)).day == 1
