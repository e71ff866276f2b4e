"""``postloan bench``: build the demonstration bank at several sizes and measure every stage.

For each size: generate the bank (as of ``DEFAULT_AS_OF`` and the day after), build the as-of
batch with the industry reference (the full build), run the plain-SQL and pandas yardsticks on
the same raw rows, then land the next day's batch (a delta of that day's rows on the as-of
batch, as a daily feed sends it) and rebuild that day only (what a daily delivery costs).
Every build and yardstick runs in a child process whose whole process tree's resident memory
is sampled (so dbt's child process counts too); the peak is reported.

Stages of a build: ingest (the ingest_landing step: read, type, check and load every file),
dbt build (the dbt step's wall time less its tests), checks (the dbt tests' time, plus the load
checks, which are part of ingest), publish (stamp, masked copy, atomic swap). Rows per second are
landing rows loaded / seconds, for every stage alike. The results are written to
``docs/benchmarks.md`` (or ``--report``) with the machine and the command.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from postloan.paths import PROJECT_DIR

# dbt models on the path from the raw rows to the five classes: running payments, settlement of
# installments, payments to date, DPD, events to date, the loan snapshot, DPD floors, cures,
# restructurings and the classification itself (staging views are inlined into them).
DPD_CLASSIFICATION_MODELS = (
    "int_loan_cumulative_payments", "int_installment_settlement", "int_loan_payments_to_date",
    "int_loan_dpd",
    "int_loan_events_to_date", "fct_loan_snapshots", "int_classification_dpd_floors",
    "int_loan_cures", "int_loan_restructurings", "fct_loan_classification",
)
SAMPLE_SECONDS = 0.2
# The pandas yardstick holds every schedule row as Python objects: at L (about 37 million rows)
# that is well over 10 GB on a machine shared with others, so it runs up to size M only.
PANDAS_MAX_LOANS = 100_000
# Warm runs of every dashboard page (the median is compared with the one-second target).
DASHBOARD_RUNS = 3
PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8") as fh:
                ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        tree.setdefault(ppid, []).append(int(entry))
    return tree


def tree_rss(pid: int) -> int:
    """Resident bytes of a process and all its descendants (Linux /proc)."""
    tree = _children()
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        try:
            with open(f"/proc/{p}/statm", encoding="utf-8") as fh:
                total += int(fh.read().split()[1]) * PAGE
        except (OSError, IndexError, ValueError):
            pass
        stack.extend(tree.get(p, []))
    return total


@dataclass
class Measured:
    seconds: float
    peak_bytes: int
    returncode: int
    payload: dict = field(default_factory=dict)


def measure(command: list[str], result: Path, log: Path) -> Measured:
    """Run a child process (in the project folder), sampling its tree's memory; read the JSON it
    writes."""
    peak = 0
    result.unlink(missing_ok=True)
    clock = time.perf_counter()
    with log.open("w", encoding="utf-8") as out:
        proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, cwd=PROJECT_DIR,
                                env={**os.environ, "DAGSTER_HOME": str(log.parent)})
        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.is_set():
                peak = max(peak, tree_rss(proc.pid))
                done.wait(SAMPLE_SECONDS)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        code = proc.wait()
        done.set()
        sampler.join()
    seconds = time.perf_counter() - clock
    payload = json.loads(result.read_text(encoding="utf-8")) if result.exists() else {}
    return Measured(seconds, peak, code, payload)


def build(landing: Path, warehouse: Path, work: Path, name: str, as_of: str = "") -> Measured:
    result = work / f"{name}.json"
    return measure([sys.executable, "-m", "postloan.bench.worker", str(landing), str(warehouse),
                    str(result), as_of], result, work / f"{name}.log")


def yardstick(warehouse: Path, batch: str, as_of: dt.date, which: str, work: Path) -> Measured:
    result = work / f"baseline_{which}.json"
    return measure([sys.executable, "-m", "postloan.bench.baselines", str(warehouse), batch,
                    as_of.isoformat(), which, str(result)], result,
                   work / f"baseline_{which}.log")


def dashboard(warehouse: Path, work: Path) -> Measured:
    """Every page for every role, cold and warm (``dashboard/bench.py``), on this warehouse; the
    branch officer sees the branch with the most loans."""
    import duckdb

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        branch = con.execute("select branch from reporting.loans where branch is not null "
                             "group by all order by count(*) desc, branch limit 1").fetchone()
    finally:
        con.close()
    result = work / "dashboard.json"
    return measure([sys.executable, "-m", "dashboard.bench", "--warehouse", str(warehouse),
                    "--runs", str(DASHBOARD_RUNS), "--officer-branch",
                    branch[0] if branch else "", "--json", str(result)],
                   result, work / "dashboard.log")


def stages(m: Measured) -> dict[str, float]:
    p = m.payload
    steps = p.get("steps", {})
    tests = sum(n["seconds"] for n in p.get("dbt_nodes", []) if n["id"].startswith("test."))
    dbt_wall = steps.get("warehouse_dbt_assets", 0.0)
    out = {
        "ingest": steps.get("ingest_landing", 0.0),
        "dbt build": max(dbt_wall - tests, 0.0),
        "checks": min(tests, dbt_wall),
        "publish": steps.get("published_warehouse", 0.0),
    }
    out["total"] = m.seconds
    return out


def model_seconds(m: Measured, name: str) -> float:
    """Seconds of one dbt model in the build ``m`` (0 when it did not run)."""
    return sum(n["seconds"] for n in m.payload.get("dbt_nodes", [])
               if n["id"].startswith("model.") and n["id"].split(".")[-1] == name)


def product_dpd_seconds(m: Measured) -> float:
    return sum(model_seconds(m, name) for name in DPD_CLASSIFICATION_MODELS)


def dpd_alone(warehouse: Path, work: Path) -> Measured:
    """The DPD and classification models alone, one at a time, on a copy of ``warehouse``
    (``postloan/bench/alone.py``): the conditions the yardsticks run in."""
    result = work / "dpd_alone.json"
    return measure([sys.executable, "-m", "postloan.bench.alone", str(warehouse), str(work),
                    str(result)], result, work / "dpd_alone.log")


def product_times(r: dict) -> tuple[float, float]:
    """(the DPD and classification path, its settlement model) in seconds: measured alone when
    that ran, otherwise as the models' times in the full build."""
    if product_basis(r) == "alone":
        alone = r["alone"].payload
        return alone["seconds"], alone["models"].get(SETTLEMENT_MODEL, 0.0)
    return product_dpd_seconds(r["full"]), model_seconds(r["full"], SETTLEMENT_MODEL)


def product_basis(r: dict) -> str:
    alone: Measured | None = r.get("alone")
    return "alone" if alone is not None and alone.payload.get("success") else "in the build"


def product_rows(r: dict, s: float) -> list[str]:
    """The product's rows of the DPD and classification table (``s``: the plain SQL's time)."""
    in_build = product_dpd_seconds(r["full"])
    rows = [f"| product in the build (its dbt models' times, two models at a time) | "
            f"{in_build:.2f} | {in_build / s:.2f}x | (in the build) |"]
    alone: Measured | None = r.get("alone")
    if alone is not None and alone.payload.get("success"):
        a = alone.payload["seconds"]
        rows.append(f"| product alone (the same models one at a time, on a copy of the "
                     f"warehouse) | {a:.2f} | {a / s:.2f}x | {_gb(alone.peak_bytes)} |")
    elif alone is not None:
        rows.append(f"| product alone | FAILED (exit {alone.returncode}; dpd_alone.log) | | |")
    return rows


PUBLISH_PARTS = {"checks": "reporting checks and build records",
                 "checkpoint": "checkpointing the build", "masked_copy": "writing the masked copy",
                 "restore_personal": "writing the personal originals back into the full copy",
                 "swap": "the two atomic renames with their checkpoints and fsyncs"}


def publish_lines(m: Measured, label: str) -> list[str]:
    """Where publication's time went (the worker's ``publish_seconds``), as one sentence."""
    parts = m.payload.get("publish_seconds") or {}
    if not parts:
        return []
    return [f"Publication of {label}: " + ", ".join(
        f"{PUBLISH_PARTS.get(part, part)} {sec:.1f} s" for part, sec in parts.items()) + ".", ""]


def slowest_models(m: Measured, count: int = 8) -> list[tuple[str, float]]:
    nodes = [(n["id"].split(".")[-1], n["seconds"]) for n in m.payload.get("dbt_nodes", [])
             if n["id"].startswith("model.")]
    return sorted(nodes, key=lambda x: -x[1])[:count]


def machine() -> str:
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = next(int(line.split()[1]) for line in
                      Path("/proc/meminfo").read_text(encoding="utf-8").splitlines()
                      if line.startswith("MemTotal"))
        memory = f"{mem_kb / 1024 / 1024:.0f} GB"
    except (OSError, StopIteration):
        memory = "unknown memory"
    return (f"{os.cpu_count()} cores ({cpu}), {memory}, {platform.system()} "
            f"{platform.release()}, Python {platform.python_version()}")


def _gb(n: int) -> str:
    return f"{n / 1e9:.2f} GB"


def run_size(size: str, seed: int, work_root: Path, fmt: str | None) -> dict:
    from postloan.generate import DEFAULT_AS_OF, generate, portfolio_id
    from postloan.generate.bank import SIZES

    work = work_root / size.lower()
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    staging, landing = work / "generated", work / "landing"
    next_day = DEFAULT_AS_OF + dt.timedelta(days=1)
    clock = time.perf_counter()
    # The next day comes as a daily feed sends it: a delta of that day's new and changed rows on
    # the as-of batch (docs/landing-contract.md, "Deltas").
    generate(size, seed, staging, (DEFAULT_AS_OF, next_day), fmt, delta=True)
    generated = time.perf_counter() - clock
    pid = portfolio_id(size)
    (landing / pid).mkdir(parents=True)
    shutil.copytree(staging / pid / DEFAULT_AS_OF.isoformat(),
                    landing / pid / DEFAULT_AS_OF.isoformat())
    shutil.copytree(staging / "industry_reference", landing / "industry_reference")
    warehouse = work / "warehouse" / "postloan.duckdb"
    full = build(landing, warehouse, work, "full")
    out: dict = {"size": size, "generate_seconds": generated, "full": full}
    if full.returncode != 0:
        return out
    import duckdb

    con = duckdb.connect(str(warehouse), read_only=True)
    batch = con.execute("select batch_id from raw.batches where portfolio_id = ? and "
                        "as_of_date = ?", [pid, DEFAULT_AS_OF]).fetchone()[0]
    con.close()
    out["dashboard"] = dashboard(warehouse, work)
    out["alone"] = dpd_alone(warehouse, work)
    out["sql"] = yardstick(warehouse, batch, DEFAULT_AS_OF, "sql", work)
    if SIZES[size] <= PANDAS_MAX_LOANS:
        out["pandas"] = yardstick(warehouse, batch, DEFAULT_AS_OF, "pandas", work)
    shutil.copytree(staging / pid / next_day.isoformat(), landing / pid / next_day.isoformat())
    out["incremental"] = build(landing, warehouse, work, "incremental", next_day.isoformat())
    return out


def report(results: list[dict], command: str, started: str, load: tuple[str, str]) -> str:
    lines = [
        "# Benchmarks",
        "",
        "Written by `postloan bench` (`make bench`); rerun it to refresh this page. What is "
        "measured and why: the top of `orchestration/postloan/bench/__init__.py`; the "
        "demonstration bank: `docs/demo-bank.md`.",
        "",
        f"- Command: `{command}`",
        f"- Started: {started}",
        f"- Machine: {machine()}",
        f"- Load average (1, 5, 15 min) at start: {load[0]}; at end: {load[1]}. The machine is "
        "shared, so figures carry other people's load.",
        "",
    ]
    for r in results:
        full: Measured = r["full"]
        size = r["size"]
        lines += [f"## Size {size}", ""]
        rows = sum(full.payload.get("loaded_rows", {}).values())
        lines.append(f"Generated in {r['generate_seconds']:.1f} s (two snapshot dates). Landing "
                     f"rows loaded: {rows:,} "
                     + ", ".join(f"{k} {v:,}" for k, v in sorted(
                         full.payload.get("loaded_rows", {}).items()) if v) + ".")
        lines.append("")
        if full.returncode != 0:
            lines += [f"The full build FAILED (exit {full.returncode}); see the bench log.", ""]
            continue
        lines += ["| stage | seconds | rows per second |", "|---|---:|---:|"]
        for stage, seconds in stages(full).items():
            rate = f"{rows / seconds:,.0f}" if seconds > 0 else "-"
            lines.append(f"| {stage} | {seconds:.1f} | {rate} |")
        lines += ["", f"Peak memory of the build (process tree): {_gb(full.peak_bytes)}.", ""]
        lines += publish_lines(full, "the full build")
        inc: Measured | None = r.get("incremental")
        if inc is not None:
            ratio = inc.seconds / full.seconds if full.seconds else 0
            delta_rows = inc.payload.get("delta_rows")
            delivered = f"a delta of {delta_rows:,} rows" if delta_rows else "a delta"
            lines.append(
                f"Next day (one more day of payments, new loans and changed rows, delivered as "
                f"{delivered} on the as-of batch and built with `--as-of` that day): "
                f"{inc.seconds:.1f} s, {ratio:.2f} of the full build, peak "
                f"{_gb(inc.peak_bytes)}; stages: " + ", ".join(
                    f"{k} {v:.1f} s" for k, v in stages(inc).items() if k != "total") + ".")
            lines.append("")
            lines += publish_lines(inc, "the next day")
            if slowest_models(inc):
                lines += ["Slowest dbt models of the next day (seconds; in the full build): "
                          + ", ".join(f"{name} {sec:.1f} ({model_seconds(full, name):.1f})"
                                      for name, sec in slowest_models(inc)) + ".", ""]
        sql: Measured | None = r.get("sql")
        pandas: Measured | None = r.get("pandas")
        product, _ = product_times(r)
        if sql is not None and sql.payload and pandas is None:
            s = sql.payload["seconds"]
            lines += [
                "| DPD and classification | seconds | vs plain SQL | peak memory |",
                "|---|---:|---:|---:|",
                *product_rows(r, s),
                f"| plain DuckDB SQL (CPU {sql.payload['cpu_seconds']:.2f} s) | {s:.2f} | 1.00x "
                f"| {_gb(sql.peak_bytes)} |",
                "",
                f"pandas is not run above {PANDAS_MAX_LOANS:,} loans (memory).",
                "",
            ]
        if sql is not None and pandas is not None and sql.payload and pandas.payload:
            s, p = sql.payload["seconds"], pandas.payload["seconds"]
            agree = sql.payload["figures"] == pandas.payload["figures"]
            lines += [
                "| DPD and classification | seconds | vs plain SQL | peak memory |",
                "|---|---:|---:|---:|",
                *product_rows(r, s),
                f"| plain DuckDB SQL (CPU {sql.payload['cpu_seconds']:.2f} s) | {s:.2f} | 1.00x "
                f"| {_gb(sql.peak_bytes)} |",
                f"| pandas, compute only (CPU {pandas.payload['cpu_seconds']:.2f} s) | {p:.2f} | "
                f"{p / s:.2f}x | {_gb(pandas.peak_bytes)} |",
                f"| pandas (with loading {pandas.payload['load_seconds']:.1f} s) | "
                f"{p + pandas.payload['load_seconds']:.2f} | "
                f"{(p + pandas.payload['load_seconds']) / s:.2f}x | |",
                "",
                f"Product vs pandas (compute only): the product ({product_basis(r)}) takes "
                f"{product / p:.1f} times "
                f"pandas's time (target: at most a tenth). Plain SQL and pandas agree on every "
                f"class's loan count and balance: {'yes' if agree else 'NO'}.",
                "",
            ]
        board: Measured | None = r.get("dashboard")
        if board is not None:
            lines += dashboard_lines(board)
        lines.append("Slowest dbt models (seconds): " + ", ".join(
            f"{name} {sec:.1f}" for name, sec in slowest_models(full)) + ".")
        lines.append("")
    lines += targets_lines(results)
    lines += NOTES
    return "\n".join(lines)


SETTLEMENT_MODEL = "int_installment_settlement"


def targets_lines(results: list[dict]) -> list[str]:
    """The issue's targets against this run's measurements, met or not, and for each one not
    met what bounds it, from this run's own figures."""
    by_size = {r["size"]: r for r in results}
    rows: list[tuple[str, str, str, str]] = []
    cores = os.cpu_count() or 1

    def ok(flag: bool) -> str:
        return "yes" if flag else "no"

    large = by_size.get("L")
    if large is not None and large["full"].returncode == 0:
        full: Measured = large["full"]
        cpu = full.payload.get("cpu_seconds")
        bound = "" if full.seconds <= 600 or not cpu else (
            f"the work: {cpu:,.0f} CPU seconds, {cpu / full.seconds:.2f} of the {cores} cores "
            f"busy on average; {cores} cores need at least {cpu / cores:,.0f} s for that work")
        rows.append(("L full build within 10 minutes", f"{full.seconds:.0f} s",
                     ok(full.seconds <= 600), bound))
        rows.append(("L peak memory within 8 GB", _gb(full.peak_bytes),
                     ok(full.peak_bytes <= 8e9), ""))
    else:
        rows.append(("L full build within 10 minutes", "not measured in this run", "-", ""))
    for size, r in by_size.items():
        full, inc = r["full"], r.get("incremental")
        if inc is not None and full.returncode == 0 and full.seconds:
            ratio = inc.seconds / full.seconds
            parts = stages(inc)
            rebuilt = parts["dbt build"] + parts["checks"] + parts["publish"]
            bound = "" if ratio <= 0.2 else (
                f"the day is delivered as a delta (ingest {parts['ingest']:.0f} s, composing "
                f"it with its base); dbt copies the settlement of installments and the earlier "
                f"month-end history of the loans it leaves unchanged but rebuilds the other "
                f"tables from the whole book "
                f"({parts['dbt build']:.0f} s, tests {parts['checks']:.0f} s) and publish "
                f"(checks, the masked copy, names restored: {parts['publish']:.0f} s): those "
                f"alone are "
                f"{rebuilt / full.seconds:.2f} of the full build")
            rows.append((f"{size}: next day's build at most a fifth of the full one",
                         f"{ratio:.2f}", ok(ratio <= 0.2), bound))
    for size, r in by_size.items():
        sql, pandas = r.get("sql"), r.get("pandas")
        product, settle = product_times(r)
        if sql is not None and sql.payload and product:
            ratio = product / sql.payload["seconds"]
            bound = "" if ratio <= 1.5 or not settle else (
                f"dating every installment's settlement (`{SETTLEMENT_MODEL}`, for B10, B12 and "
                f"the history) alone took {settle:.1f} s, "
                f"{settle / sql.payload['seconds']:.2f}x the plain SQL, which sums payments "
                f"per loan; 1.5x is {1.5 * sql.payload['seconds']:.2f} s for the whole path")
            rows.append((f"{size}: DPD and classification within 1.5x of plain SQL",
                         f"{ratio:.2f}x", ok(ratio <= 1.5), bound))
        if pandas is not None and pandas.payload and product:
            times = pandas.payload["seconds"] / product
            bound = "" if times >= 10 or not settle else (
                f"the settlement dates alone took {settle:.1f} s, "
                f"{settle / pandas.payload['seconds']:.1f} times pandas's whole time; 10x "
                f"faster is {pandas.payload['seconds'] / 10:.2f} s for the whole path")
            if bound and sql is not None and sql.payload:
                floor = pandas.payload["seconds"] / sql.payload["seconds"]
                bound += (f". The plain SQL, the least work the job can be done with, is itself "
                          f"{floor:.2f}x pandas's speed")
            rows.append((f"{size}: at least 10x faster than pandas",
                         f"{times:.2f}x pandas's speed", ok(times >= 10), bound))
    if large is not None and isinstance(large.get("dashboard", Measured(0, 0, 1)).payload, list):
        pages = large["dashboard"].payload
        if pages:
            worst = max(pages, key=lambda p: p["warm"])
            bound = "" if worst["warm"] < 1.0 else f"{worst['page']} ({worst['role']})"
            rows.append(("L: dashboard pages under one second once warm",
                         f"slowest {worst['warm']:.2f} s", ok(worst["warm"] < 1.0), bound))
    return ["## Targets (this run)", "",
            "| target (2 cores, 24 GB) | measured | met? | what bounds it (this run) |",
            "|---|---|---|---|", *[f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows], ""]


def dashboard_lines(board: Measured) -> list[str]:
    pages = board.payload if isinstance(board.payload, list) else []
    if not pages:
        return [f"Dashboard timing FAILED (exit {board.returncode}); see dashboard.log.", ""]
    worst = max(pages, key=lambda p: p["warm"])
    cold = max(pages, key=lambda p: p["cold"])
    over = [p for p in pages if p["warm"] >= 1.0 or p["errors"]]
    return [
        f"Dashboard on this warehouse ({len(pages)} page and role runs, `dashboard/bench.py`, "
        f"{DASHBOARD_RUNS} warm runs each): slowest warm median {worst['warm']:.2f} s "
        f"({worst['page']}, {worst['role']}); slowest cold run {cold['cold']:.2f} s "
        f"({cold['page']}, {cold['role']}); pages at or over one second warm, or with an error: "
        + (", ".join(f"{p['page']} ({p['role']}, {p['warm']:.2f} s)" for p in over) or "none")
        + ".",
        "",
    ]


NOTES = [
    "## Reading the figures",
    "",
    "- Wall times on a shared machine stretch with other people's load (see the load average "
    "above); the yardsticks' CPU seconds show how far: when wall time is several times the CPU "
    "time, the process mostly waited for a core.",
    "- The next day arrives as a delta (docs/landing-contract.md, \"Deltas\"): only that "
    "day's new and changed rows, on the as-of batch. Ingest reads those and copies the rest of "
    "the book from the published warehouse, so it no longer reads the base's files again. The "
    "dbt build copies from the published warehouse the settlement of installments of the "
    "loans the day leaves unchanged, and their month-end history before the base's date where "
    "no loan of their borrower changed; it computes only the others "
    "(docs/operations.md, \"Daily builds\"). Every other table is still rebuilt from the "
    "composed snapshot. A fifth needs the same for the tables that read the history and the "
    "loan-level tables.",
    "- Publication copies the build file byte for byte as the masked copy: the loader wrote "
    "every name and id number masked and kept the originals apart, and publication writes "
    "them back into the full copy afterwards (docs/operations.md, \"Personal data\"). Up to "
    "the eleventh round it wrote every row a second time, masked on the way.",
    "- The product's DPD and classification is the sum of the dbt models on that path "
    "(`DPD_CLASSIFICATION_MODELS` in `orchestration/postloan/bench/__init__.py`), measured "
    "twice: in the full build, where dbt runs two models at a time, so each model's time "
    "includes waiting for the other's core; and alone, the same models run again one at a time "
    "on a copy of the built warehouse with the build's DuckDB settings (2 threads, 4 GB), the "
    "conditions the yardsticks run in. The targets are read against the second. It does more "
    "than the yardsticks: the date every installment was settled (cures, B10; restructured "
    "assets' observation periods, B12; the month-end history), overrides, obligor rules, IFRS 9 "
    "stages and US classes. `int_installment_settlement` finds those dates in three steps: one "
    "ASOF join by date tells which installments were paid by their due date (recorded as "
    "settled on it), the total paid tells which are still open, and only the rest, paid late, "
    "get an exact date from ASOF joins on the cumulative amounts of their own loans. The plain "
    "SQL needs only the total paid per loan.",
    "- At size L the month-end history is the largest part of the dbt build: every loan at "
    "every month-end since the first disbursement (72 month-ends, about 23 million loan-months), "
    "rebuilt in full by every full build (`fct_loan_month_ends` with the grid of balances inlined "
    "into it, `int_loan_history_dpd`, the transitions counted once in "
    "`int_migration_counts` for the migration and roll-rate tables, and the trend and "
    "industry-history tables that read it).",
    "- Every stage is bound by the 2 cores, not by waiting: dbt runs two models at a time, "
    "and a third thread did not shorten the build at M (dbt and its tests 40.4 s with 2 "
    "threads, 41.6 s with 3, 42.9 s with 1); loading the schedule and the payments side by side "
    "took as long as one after the other at L (118 s). What shortens a build is less work.",
    "- Ingest runs every landing row through the contract's checks in DuckDB (types, required, "
    "non-negative, codes, unique keys, references). Parquet columns already stored with the "
    "contract's type (dates, decimals, integers, booleans) are cast, not parsed from text; the "
    "pass that types the cells also marks the rows breaking any rule.",
    "",
]


def run_bench(sizes: list[str], seed: int, work: Path, report_path: Path, fmt: str | None,
              command: str) -> int:
    started = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    load_start = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    results = []
    for size in sizes:
        print(f"bench: size {size} ...", flush=True)
        r = run_size(size, seed, work, fmt)
        results.append(r)
        # Written after every size, so a long run leaves what it has measured so far.
        load_now = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        report_path.write_text(report(results, command, started, (load_start, load_now))
                               + "\n", encoding="utf-8")
        full = r["full"]
        print(f"bench: size {size}: full build {full.seconds:.1f} s (exit {full.returncode}), "
              f"peak {_gb(full.peak_bytes)}", flush=True)
    load_end = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    text = report(results, command, started, (load_start, load_end))
    report_path.write_text(text + "\n", encoding="utf-8")
    (work / "bench.json").write_text(json.dumps(
        [{k: (v.__dict__ if isinstance(v, Measured) else v) for k, v in r.items()}
         for r in results], indent=1, default=str), encoding="utf-8")
    print(text)
    return 0 if all(r["full"].returncode == 0 for r in results) else 1


DEFAULT_REPORT = PROJECT_DIR / "docs" / "benchmarks.md"
DEFAULT_WORK = PROJECT_DIR / "warehouse" / "bench"
