"""Where check results go: the build file (``quality.check_results``, read by the reporting views)
and a file beside the published warehouse (``<warehouse>.checks.jsonl``), which also keeps the
results of builds that were never published, so the dashboard can say why a build was stopped.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import duckdb

from postloan.quality.engine import BLOCKING, ERRORED, FAILED, Outcome, overall_status

COLUMNS = (
    ("build_id", "varchar"), ("checked_at", "timestamp"), ("source", "varchar"),
    ("asset", "varchar"), ("check_name", "varchar"), ("rule", "varchar"),
    ("severity", "varchar"), ("status", "varchar"), ("observed_value", "varchar"),
    ("failing_count", "bigint"), ("rows_checked", "bigint"), ("description", "varchar"),
    ("reason", "varchar"), ("samples", "varchar"),
)
KEEP_BUILDS = 30  # builds whose results the file beside the warehouse keeps
BUILD_COLUMNS = (
    ("build_id", "varchar"), ("started_at", "varchar"), ("finished_at", "varchar"),
    ("status", "varchar"), ("published", "boolean"), ("failed_step", "varchar"),
    ("reason", "varchar"),
)


def ensure_quality_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema if not exists quality")
    con.execute("create table if not exists quality.check_results ("
                + ", ".join(f"{n} {t}" for n, t in COLUMNS) + ")")
    con.execute("create table if not exists quality.builds ("
                + ", ".join(f"{n} {t}" for n, t in BUILD_COLUMNS) + ")")


def checks_log_path(warehouse: Path) -> Path:
    return warehouse.with_name(warehouse.name + ".checks.jsonl")


def rows_for(outcomes: Iterable[Outcome], build_id: str, source: str,
             checked_at: dt.datetime | None = None) -> list[dict[str, Any]]:
    checked_at = checked_at or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    rows = []
    for o in outcomes:
        row = o.as_row()
        rows.append({"build_id": build_id, "checked_at": checked_at.isoformat(timespec="seconds"),
                     "source": source, "asset": o.asset, "check_name": o.check, "rule": o.rule,
                     "severity": o.severity, "status": o.status,
                     "observed_value": o.observed_value, "failing_count": o.failing_count,
                     "rows_checked": o.rows_checked, "description": o.description,
                     "reason": o.reason, "samples": row["samples"]})
    return rows


def store(con: duckdb.DuckDBPyConnection, rows: list[dict[str, Any]]) -> None:
    ensure_quality_schema(con)
    if rows:
        names = [n for n, _ in COLUMNS]
        con.executemany(
            f"insert into quality.check_results ({', '.join(names)}) values "
            f"({', '.join('?' for _ in names)})", [[r[n] for n in names] for r in rows])


def append_log(warehouse: Path, rows: list[dict[str, Any]]) -> None:
    """Append results beside the warehouse, in one write (readers never see half a batch)."""
    if not rows:
        return
    path = checks_log_path(warehouse)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "".join(json.dumps(r, ensure_ascii=False, default=str) + "\n" for r in rows)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        os.write(fd, text.encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
    prune_log(warehouse)


def prune_log(warehouse: Path, keep_builds: int = KEEP_BUILDS) -> None:
    """Keep the results of the last ``keep_builds`` builds (the file is read on every page view;
    older results stay in each published warehouse and in the GX data docs)."""
    rows = read_log(warehouse)
    builds = list(dict.fromkeys(r.get("build_id") for r in rows))
    if len(builds) <= keep_builds:
        return
    kept = set(builds[-keep_builds:])
    path = checks_log_path(warehouse)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text("".join(json.dumps(r, ensure_ascii=False, default=str) + "\n"
                           for r in rows if r.get("build_id") in kept), encoding="utf-8")
    os.replace(tmp, path)


def read_log(warehouse: Path) -> list[dict[str, Any]]:
    path = checks_log_path(warehouse)
    if not path.exists():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return out


EXAMPLES_SHOWN = 3


def _examples(outcome: Outcome) -> str:
    """' e.g. batch_id=b, value=x | ...': the first failing rows, so a stopped build's message
    says which rows to look at without opening the check log."""
    if not outcome.samples:
        return ""
    shown = [", ".join(f"{k}={v}" for k, v in sample.items())
             for sample in outcome.samples[:EXAMPLES_SHOWN]]
    return " e.g. " + " | ".join(shown)


def summarise(outcomes: list[Outcome]) -> dict[tuple[str, str], dict[str, Any]]:
    """Per (asset, check): overall status, severity, failing rows and the rules that failed."""
    groups: dict[tuple[str, str], list[Outcome]] = {}
    for o in outcomes:
        groups.setdefault((o.asset, o.check), []).append(o)
    out = {}
    for key, members in groups.items():
        status = overall_status(o.status for o in members)
        bad = [o for o in members if o.status in (FAILED, ERRORED)]
        blocking = any(o.severity == BLOCKING for o in bad) if bad else any(
            o.severity == BLOCKING for o in members)
        out[key] = {
            "status": status,
            "blocking": blocking,
            "failing_count": sum(o.failing_count or 0 for o in bad),
            "problems": "; ".join(
                f"{o.rule}: {o.status} ({o.observed_value or o.reason})" + _examples(o)
                for o in bad) or "none",
            "reason": "; ".join(sorted({o.reason for o in members if o.reason})),
        }
    return out


def blocking_failures(outcomes: Iterable[Outcome]) -> list[Outcome]:
    return [o for o in outcomes if o.severity == BLOCKING and o.status in (FAILED, ERRORED)]


def dbt_test_outcomes(run_results: dict, manifest: dict) -> list[Outcome]:
    """dbt tests as outcomes: error-severity tests (keys, relationships) block, warn ones warn."""
    nodes = manifest.get("nodes", {})
    out = []
    for result in run_results.get("results", []):
        uid = result.get("unique_id", "")
        if not uid.startswith("test."):
            continue
        node = nodes.get(uid, {})
        attached = node.get("attached_node") or next(
            iter(node.get("depends_on", {}).get("nodes", [])), "")
        parent = nodes.get(attached, {})
        schema = (parent.get("config") or {}).get("schema") or "main"
        asset = f"{schema}.{parent.get('name', attached.split('.')[-1])}" if attached else ""
        severity = str((node.get("config") or {}).get("severity", "error")).lower()
        status = {"pass": "passed", "fail": FAILED, "warn": FAILED, "error": ERRORED,
                  "skipped": "skipped"}.get(result.get("status"), ERRORED)
        failures = result.get("failures")
        out.append(Outcome(
            asset=asset, check="dbt_test", rule=node.get("name", uid.split(".")[-2]),
            severity=BLOCKING if severity == "error" else "warning", status=status,
            observed_value="" if failures is None else f"{failures} failing rows",
            failing_count=failures, rows_checked=None,
            description=(node.get("description") or node.get("name") or uid),
            reason=(result.get("message") or "") if status != "passed" else ""))
    return out
