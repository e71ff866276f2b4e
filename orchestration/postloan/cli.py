"""The `postloan` command: build, serve, ui, adapt, seal."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import signal
import subprocess
import sys
import warnings
from pathlib import Path

from postloan.paths import (
    DAGSTER_HOME,
    DEFAULT_LANDING,
    PROJECT_DIR,
    SOURCES_DIR,
    warehouse_path,
)

DAGSTER_YAML = """# The project's persistent Dagster instance (runs, schedules, check results).
telemetry:
  enabled: false
# Scheduled and sensor runs carry dagster/max_retries=1 and are retried once when the run itself
# died (killed, out of memory), not when a step or check failed.
run_retries:
  enabled: true
  max_retries: 0
"""


def dagster_home() -> Path:
    """The persistent instance folder inside the project (or DAGSTER_HOME when set)."""
    home = Path(os.environ.get("DAGSTER_HOME") or DAGSTER_HOME)
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        config.write_text(DAGSTER_YAML, encoding="utf-8")
    os.environ["DAGSTER_HOME"] = str(home)
    return home


def _failed_checks(result) -> list[str]:
    """Each failed ERROR-severity check, with the evidence it recorded."""
    found = []
    for event in result.all_events:
        if event.event_type_value != "ASSET_CHECK_EVALUATION":
            continue
        evaluation = event.event_specific_data
        if evaluation.passed or evaluation.severity.value != "ERROR":
            continue
        evidence = [str(getattr(v, "value", v)) for k, v in evaluation.metadata.items()
                    if k in ("problems", "not_reconciling", "failed_rows", "reason")]
        evidence = [e for e in evidence if e.strip().lower() not in ("", "none")]
        found.append(f"{evaluation.asset_key.to_user_string()} {evaluation.check_name}"
                     + (f" ({'; '.join(evidence)})" if evidence else ""))
    return found


def _plain(message: str) -> str:
    """'postloan.landing.manifest.ManifestError: x' -> 'x' (class paths mean nothing to users)."""
    from postloan.defs.sensors import without_class_path

    if message.startswith("dagster._core.errors.DagsterExecutionInterruptedError"):
        return "the build was interrupted (terminated by a signal)"
    return without_class_path(message)


def _failure_summary(result) -> tuple[str | None, str, list[str]]:
    """The first failing step, why (one line, for the run log) and the failed blocking checks
    (one line each, for the terminal), from a Dagster execution result."""
    from postloan.defs.sensors import error_reason

    checks = _failed_checks(result)
    joined = "blocking checks failed: " + "; ".join(checks)
    for event in result.all_events:
        if event.event_type_value in ("STEP_FAILURE", "RESOURCE_INIT_FAILURE"):
            message = joined if checks else error_reason(event.event_specific_data.error)
            return event.step_key or "resources", _plain(message), checks
    if checks:
        return "checks", joined, checks
    return None, "the run did not complete", []


def published_summary(warehouse: Path, most: int = 8) -> list[str]:
    """What an operator checks after a build, read back from the published warehouse: the
    batches in force, the rows quarantined, every warning-level check that failed (they do not
    stop publication), and each batch left out because its files were still incomplete (a
    delivery in progress, or one that will never complete). At most ``most`` lines of each."""
    import duckdb

    from postloan.publish import connect_readonly

    def capped(items: list[str]) -> list[str]:
        return items[:most] + ([f"... and {len(items) - most} more"] if len(items) > most else [])

    try:
        con = connect_readonly(warehouse)
    except duckdb.Error:
        return []  # replaced or removed since: the publication itself succeeded
    try:
        batches = [f"{pid} as of {day}" for pid, day in con.execute(
            "select portfolio_id, as_of_date from reporting.batches "
            "where batch_status = 'published' order by portfolio_id, as_of_date").fetchall()]
        rows, rules = con.execute(
            "select count(distinct (batch_id, entity, source_file, line_number)), count(*) "
            "from reporting.rejects").fetchone()
        has_checks = con.execute(
            "select count(*) from duckdb_tables() where schema_name = 'quality' "
            "and table_name = 'check_results'").fetchone()[0]
        warnings = [f"warning: {asset} {check} {rule}: {observed or reason}" for
                    asset, check, rule, observed, reason in con.execute(
            "select asset, check_name, rule, observed_value, reason from quality.check_results "
            "where severity = 'warning' and status in ('failed', 'errored') order by all"
        ).fetchall()
        ] if has_checks else []
        incomplete = con.execute(
            "select batch_id, status_reason from reporting.batches "
            "where batch_status = 'incomplete' order by batch_id").fetchall()
    finally:
        con.close()
    lines = [f"{len(batches)} batch{'es' if len(batches) != 1 else ''} in force:"]
    lines += ["  " + b for b in capped(batches)]
    if rows:
        lines.append(f"{counted(rows, 'row')} quarantined ({counted(rules, 'broken rule')}), "
                     "with file, line and reason: reporting.rejects")
    lines += capped(warnings)
    lines += [f"not loaded, files incomplete: {batch}: {why}" for batch, why in incomplete]
    return lines


def counted(n: int, noun: str) -> str:
    """``n`` with its noun: 1 row, 1,234 rows."""
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def _kind(value) -> str:
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int):
        return "a whole number"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, list):
        return "a list, e.g. [a, b]"
    return "text"


def _fits(default, value) -> bool:
    """Whether ``value`` has the kind of the parameter's default (None: anything)."""
    if default is None or isinstance(default, str):
        return True
    if isinstance(default, bool):
        return isinstance(value, bool)
    if isinstance(default, int):
        return isinstance(value, int) and not isinstance(value, bool)
    if isinstance(default, float):
        return isinstance(value, int | float) and not isinstance(value, bool)
    return isinstance(value, type(default))


def parse_vars(pairs: list[str]) -> str:
    """['coverage_requirement=1.2', 'credit_card_products=[card]'] -> a JSON object of dbt vars.

    Values are read as YAML, so numbers, lists and strings need no extra quoting. Each name must
    be a rule parameter of dbt_project.yml and each value of its default's kind, checked here,
    before a build spends minutes loading files only for dbt to stop on a typo.
    """
    import difflib
    import json

    import yaml

    from postloan.paths import DBT_PROJECT_DIR

    defaults = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text(
        encoding="utf-8"))["vars"]
    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            raise SystemExit(f"postloan build: --var expects KEY=VALUE, got {pair!r}")
        if key not in defaults:
            near = difflib.get_close_matches(key, list(defaults), n=1)
            raise SystemExit(f"postloan build: --var {key}: no such rule parameter"
                             + (f" (did you mean {near[0]}?)" if near else "")
                             + "; they are listed under vars: in dbt_project/dbt_project.yml")
        parsed = yaml.safe_load(value)
        if key.endswith("_date") and not (parsed is None or isinstance(parsed, dt.date)):
            raise SystemExit(f"postloan build: --var {key}={value}: expected a date, "
                             "YYYY-MM-DD")
        if not _fits(defaults[key], parsed):
            raise SystemExit(f"postloan build: --var {key}={value}: expected "
                             f"{_kind(defaults[key])} (default {defaults[key]!r})")
        out[key] = parsed
    return json.dumps(out, default=str)  # a date as YYYY-MM-DD


def materialize_build(landing: Path, warehouse: Path, instance, as_of: str = "",
                      wait: float = 0.0, log_level: str = "INFO", dbt_vars: str = "{}"):
    """Run the whole asset graph once under the writer lock; return Dagster's result.

    The run is the code location's ``build_warehouse`` job (so the UI lists it with the
    scheduled runs), logged to the terminal one line per event (``postloan.console``)."""
    from dagster import Definitions

    from postloan.console import concise_console
    from postloan.definitions import ALL_ASSETS, build_warehouse_job, resources
    from postloan.publish import writer_lock

    landing, warehouse = Path(landing).resolve(), Path(warehouse).resolve()
    defs = Definitions(assets=ALL_ASSETS, jobs=[build_warehouse_job],
                       resources=resources(str(landing), str(warehouse), as_of, wait, dbt_vars),
                       loggers={"console": concise_console})
    # Taken here so that a refused build fails fast and clearly; the run's build resource
    # takes the same lock again (re-entrant in this process, for the same resolved path).
    with writer_lock(warehouse, wait):
        return defs.resolve_job_def(build_warehouse_job.name).execute_in_process(
            instance=instance,
            raise_on_error=False,
            tags={"postloan/trigger": "cli"},
            run_config={"loggers": {"console": {"config": {"log_level": log_level}}}},
        )


def run_build(landing: Path, warehouse: Path, as_of: str = "", wait: float = 0.0,
              ephemeral: bool = False, log_level: str = "INFO", dbt_vars: str = "{}") -> int:
    """Materialise the whole asset graph in this process: ingest, dbt build, checks, publish."""
    from dagster import DagsterInstance

    from postloan.defs.sensors import failure_record
    from postloan.publish import BuildLockedError, build_path, save_failed_rejects
    from postloan.runlog import append_run, read_runs

    if not landing.is_dir():
        print(f"postloan build: landing folder {landing} does not exist", file=sys.stderr)
        return 2
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    started = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    instance = DagsterInstance.ephemeral() if ephemeral else DagsterInstance.get()
    try:
        result = materialize_build(landing, warehouse, instance, as_of, wait, log_level,
                                   dbt_vars)
    except BuildLockedError as exc:
        print(f"postloan build refused: {exc}", file=sys.stderr)
        return 3
    if result.success:
        print(f"published {warehouse} (build {result.run_id})")
        for line in published_summary(warehouse):
            print(f"  {line}")
        return 0
    step, reason, checks = _failure_summary(result)
    try:
        saved = save_failed_rejects(warehouse, result.run_id)
    except Exception as exc:  # noqa: BLE001 - the build's own failure is what must be reported
        saved = None
        print(f"postloan build: could not save the rejected rows: {exc}", file=sys.stderr)
    if not any(r.get("run_id") == result.run_id for r in read_runs(warehouse)):
        append_run(warehouse, {**failure_record(result.run_id, step, reason, warehouse, saved),
                               "started_at": started})
    private = build_path(warehouse, result.run_id[:8])
    for leftover in warehouse.parent.glob(private.stem + ".*"):
        leftover.unlink(missing_ok=True)
    if checks:
        print(f"postloan build FAILED at {step}: {len(checks)} blocking check"
              f"{'s' if len(checks) > 1 else ''} failed:", file=sys.stderr)
        for check in checks:
            print(f"  - {check}", file=sys.stderr)
    else:
        print(f"postloan build FAILED at {step}: {reason}", file=sys.stderr)
    if saved:
        print(f"{counted(saved[1], 'row')} rejected, {counted(saved[2], 'broken rule')} "
              f"(one per line, with file, line, column and reason) are in {saved[0]}",
              file=sys.stderr)
    if warehouse.exists():
        print(f"the published warehouse {warehouse} is unchanged", file=sys.stderr)
    else:
        print(f"nothing was published; {warehouse} does not exist yet", file=sys.stderr)
    return 1


def cmd_build(args: argparse.Namespace) -> int:
    if not args.ephemeral:
        dagster_home()
    return run_build(Path(args.landing).resolve(), Path(args.warehouse).resolve(),
                     args.as_of or "", args.wait, args.ephemeral, args.log_level,
                     parse_vars(args.var))


FORWARDED_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)


def run_child(command: list[str], env: dict[str, str] | None = None) -> int:
    """Run a server (Streamlit, Dagster) until it exits, passing on a stop signal sent to this
    process. A service manager or ``kill <pid>`` signals only this process: without the
    forwarding the server kept running and held its port. Returns the child's exit status
    (128 + the signal's number when a signal ended it, as a shell reports it)."""
    started: list[subprocess.Popen] = []

    def forward(signum, _frame) -> None:
        if started and started[0].poll() is None:
            started[0].send_signal(signum)

    # Handlers first, so no signal can arrive between the start and them (the child starts with
    # the default handlers: exec resets caught signals).
    previous = {sig: signal.signal(sig, forward) for sig in FORWARDED_SIGNALS}
    try:
        started.append(subprocess.Popen(command, env=env))
        code = started[0].wait()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 128 - code if code < 0 else code


def cmd_serve(args: argparse.Namespace) -> int:
    env = {**os.environ, "POSTLOAN_WAREHOUSE": str(Path(args.warehouse).resolve())}
    command = [
        sys.executable, "-m", "streamlit", "run", str(PROJECT_DIR / "dashboard" / "app.py"),
        "--server.address", args.address, "--server.port", str(args.port),
        "--server.headless", "true", "--browser.gatherUsageStats", "false",
        # no developer toolbar (its "Deploy" button is English-only and not for the committee)
        "--client.toolbarMode", "viewer",
        # No "magic": it parses every page with ast.parse on each run, which on Python 3.11.7
        # can fail under concurrent runs ("AST constructor recursion depth mismatch").
        "--runner.magicEnabled", "false",
    ]
    print(f"serving the dashboard on http://{args.address}:{args.port}")
    return run_child(command, env)


def cmd_ui(args: argparse.Namespace) -> int:
    home = dagster_home()
    env = {**os.environ, "DAGSTER_HOME": str(home),
           "POSTLOAN_WAREHOUSE": str(Path(args.warehouse).resolve()),
           "POSTLOAN_LANDING": str(Path(args.landing).resolve())}
    dagster = Path(sys.executable).with_name("dagster")
    command = [str(dagster), "dev", "-m", "postloan.definitions", "-h", args.address,
               "-p", str(args.port)]
    print(f"Dagster UI and daemon on http://{args.address}:{args.port} (instance {home})")
    return run_child(command, env)


# The third demonstration portfolio: the synthetic bank at size S (docs/demo-bank.md), generated by
# `postloan adapt` rather than committed as files; it is calibrated to the bundled sources.
DEMO_BANK_SIZE = "S"
DEMO_BANK_SEED = 7


def demo_bank(sources: Path, out: Path) -> list[Path]:
    from postloan.generate import DEFAULT_AS_OF, generate

    return generate(DEMO_BANK_SIZE, DEMO_BANK_SEED, out, (DEFAULT_AS_OF,), reference=False,
                    sources=sources)


def cmd_adapt(args: argparse.Namespace) -> int:
    from postloan.adapters import build_all, sba
    from postloan.defs.resources import parse_as_of

    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    sources = Path(args.sources).resolve()
    if args.sba_as_of:
        dates = tuple(sorted(parse_as_of(args.sba_as_of) or ()))
        folders = sba.build_batches(sources / "sba7a_ca", out, dates)
    else:
        folders = build_all(sources, out)
        if not args.no_demo_bank:
            folders.extend(demo_bank(sources, out))
    for folder in folders:
        print(f"wrote batch {folder}")
    return 0


def cmd_generate(args: argparse.Namespace) -> int:
    from postloan.defs.resources import parse_as_of
    from postloan.generate import DEFAULT_AS_OF, generate

    dates = tuple(sorted(parse_as_of(args.as_of) or ())) or (DEFAULT_AS_OF,)
    folders = generate(args.size, args.seed, Path(args.out).resolve(), dates,
                       args.format or None, not args.no_reference, delta=args.delta)
    for folder in folders:
        print(f"wrote batch {folder}")
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    from postloan.bench import run_bench

    sizes = [s.strip().upper() for s in args.sizes.split(",") if s.strip()]
    command = "postloan bench " + " ".join(sys.argv[2:]) if sys.argv[1:2] == ["bench"] \
        else "postloan bench"
    return run_bench(sizes, args.seed, Path(args.work).resolve(), Path(args.report).resolve(),
                     args.format or None, command)


def cmd_seal(args: argparse.Namespace) -> int:
    from postloan.landing.manifest import read_manifest, seal

    folder = Path(args.batch).resolve()
    seal(folder)
    manifest = read_manifest(folder)
    print(f"sealed {folder}: {manifest.portfolio_id} as of {manifest.as_of}, "
          f"{len(manifest.files)} files")
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="postloan", description="Post-loan (贷后) risk warehouse")
    sub = p.add_subparsers(dest="command", required=True)

    b = sub.add_parser("build", help="ingest every batch, build with dbt, check, publish")
    b.add_argument("--landing", default=str(DEFAULT_LANDING),
                   help="folder of landing batches (default: warehouse/landing of the project)")
    b.add_argument("--warehouse", default=str(warehouse_path()),
                   help="published DuckDB file (default: $POSTLOAN_WAREHOUSE, else "
                        "warehouse/postloan.duckdb of the project)")
    b.add_argument("--as-of", default="",
                   help="YYYY-MM-DD[,YYYY-MM-DD...]: the dates to build (default: all)")
    b.add_argument("--wait", type=float, default=0.0,
                   help="seconds to wait for another build to finish (default: refuse at once)")
    b.add_argument("--ephemeral", action="store_true",
                   help="do not record the run in the project's Dagster instance")
    b.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"],
                   help="what the terminal shows of the run's events (default INFO); DEBUG "
                        "adds Dagster's stack traces to errors")
    b.add_argument("--var", action="append", default=[], metavar="KEY=VALUE",
                   help="override a rule parameter of dbt_project.yml (repeatable), e.g. "
                        "--var coverage_requirement=1.2")
    b.set_defaults(func=cmd_build)

    s = sub.add_parser("serve", help="the Streamlit dashboard over the published warehouse")
    s.add_argument("--warehouse", default=str(warehouse_path()))
    s.add_argument("--address", default="localhost")
    s.add_argument("--port", type=int, default=8501)
    s.set_defaults(func=cmd_serve)

    u = sub.add_parser("ui", help="the Dagster UI and daemon, with the project's instance")
    u.add_argument("--warehouse", default=str(warehouse_path()))
    u.add_argument("--landing", default=str(DEFAULT_LANDING))
    u.add_argument("--address", default="localhost")
    u.add_argument("--port", type=int, default=3000)
    u.set_defaults(func=cmd_ui)

    a = sub.add_parser("adapt", help="turn the bundled public data into landing batches")
    a.add_argument("--sources", default=str(SOURCES_DIR))
    a.add_argument("--out", default=str(DEFAULT_LANDING))
    a.add_argument("--sba-as-of", default="", metavar="YYYY-MM-DD[,...]",
                   help="write only SBA snapshots at these dates (any date of its history)")
    a.add_argument("--no-demo-bank", action="store_true",
                   help="leave out the synthetic demonstration bank (size S, docs/demo-bank.md)")
    a.set_defaults(func=cmd_adapt)

    g = sub.add_parser("generate", help="write a synthetic demonstration bank as landing batches")
    g.add_argument("--size", required=True, type=str.upper, choices=["XS", "S", "M", "L"],
                   help="XS 300 loans, S 20,000, M 100,000, L 1,000,000")
    g.add_argument("--seed", type=int, default=7, help="same seed, same files (default 7)")
    g.add_argument("--out", required=True, help="landing folder to write the batches under")
    g.add_argument("--as-of", default="", metavar="YYYY-MM-DD[,...]",
                   help="snapshot dates, one batch each (default 2026-11-30)")
    g.add_argument("--format", choices=["csv", "parquet"], default="",
                   help="file format (default: per size, see docs/demo-bank.md)")
    g.add_argument("--no-reference", action="store_true",
                   help="do not also write the industry_reference batch")
    g.add_argument("--delta", action="store_true",
                   help="write each date after the first as a delta on the date before (only "
                        "new and changed rows, as a daily feed delivers)")
    g.set_defaults(func=cmd_generate)

    from postloan.bench import DEFAULT_REPORT, DEFAULT_WORK

    m = sub.add_parser("bench", help="build the demonstration bank at several sizes; measure")
    m.add_argument("--sizes", default="S,M,L", help="comma-separated sizes (default S,M,L)")
    m.add_argument("--seed", type=int, default=7)
    m.add_argument("--work", default=str(DEFAULT_WORK), help="scratch folder (replaced)")
    m.add_argument("--report", default=str(DEFAULT_REPORT), help="Markdown file to write")
    m.add_argument("--format", choices=["csv", "parquet"], default="",
                   help="landing file format (default: per size)")
    m.set_defaults(func=cmd_bench)

    z = sub.add_parser("seal", help="write each listed file's size into a batch's manifest")
    z.add_argument("batch", help="batch folder holding manifest.yaml")
    z.set_defaults(func=cmd_seal)
    return p


def main(argv: list[str] | None = None) -> int:
    from postloan.landing.manifest import ManifestError
    from postloan.landing.readers import LandingFileError

    warnings.filterwarnings("ignore", module="dagster")
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except (ManifestError, LandingFileError, OSError, ValueError) as exc:
        print(f"postloan {args.command}: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
