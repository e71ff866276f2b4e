"""Ingestion: one Dagster asset per landing entity, loaded together in one step (parents first)."""


import datetime as dt
import time
from collections import Counter, defaultdict

import duckdb
from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    AssetSpec,
    MaterializeResult,
    MetadataValue,
    multi_asset,
)

from postloan import personal
from postloan.defs.resources import BuildResource
from postloan.landing import contract
from postloan.landing.load import (
    PUBLISHED_ALIAS,
    FileLoadResult,
    attach_published,
    drop_base_only,
    ensure_raw_schema,
    load_batch,
    plan_batches,
    register_batches,
    resolve_bases,
)
from postloan.landing.manifest import MANIFEST_NAME, SUPPORTED_SUFFIXES
from postloan.operations import load_operations, local_date
from postloan.quality import record
from postloan.quality.docs import docs_root
from postloan.quality.suites import landing_check_specs, run_landing_suites
from postloan.reuse import fingerprint, record_reuse

AUDIT_TABLES = ("batches", "load_log", "rejects", "skipped", "carried", "changed_loans", "reuse")
GROUP = "landing"


def raw_key(table: str) -> AssetKey:
    return AssetKey(["raw", table])


ENTITY_SPECS = [
    AssetSpec(raw_key(e.name), group_name=GROUP, description=e.description, kinds={"duckdb"})
    for e in contract.ENTITIES
]
AUDIT_SPECS = [
    AssetSpec(raw_key(t), group_name=GROUP, kinds={"duckdb"},
              description=f"Load audit: raw.{t}.")
    for t in AUDIT_TABLES
]
QUALITY_SPECS = [
    AssetSpec(AssetKey(["quality", t]), group_name=GROUP, kinds={"duckdb"},
              description=f"Data-quality results: quality.{t} (docs/data-quality.md).")
    for t in ("check_results", "builds")
]
CHECK_SPECS = [
    AssetCheckSpec("all_batches_complete", asset=raw_key("batches"), blocking=False,
                   description="warns when a batch under the landing folder is still being "
                               "delivered (not loaded until it is complete)"),
] + [
    spec
    for e in contract.ENTITIES
    for spec in (
        AssetCheckSpec("records_reconcile", asset=raw_key(e.name), blocking=True,
                       description="loaded + rejected + skipped = data records of every file"),
        AssetCheckSpec("control_totals_match", asset=raw_key(e.name), blocking=True,
                       description="row count and amount sums equal the manifest's control "
                                   "totals, where the sender gave them"),
        AssetCheckSpec("no_rejected_rows", asset=raw_key(e.name), blocking=False,
                       description="warns when rows were quarantined"),
    )
]


GX_CHECK_SPECS = [
    AssetCheckSpec(check, asset=AssetKey(asset.split(".")), blocking=blocking,
                   description=description[:1000])
    for asset, check, blocking, description in landing_check_specs()
]


def check_results(outcomes):
    """One Dagster check result per (asset, check) of the data-quality outcomes."""
    for (asset, check), s in record.summarise(outcomes).items():
        severity = AssetCheckSeverity.ERROR if s["blocking"] else AssetCheckSeverity.WARN
        yield AssetCheckResult(
            asset_key=AssetKey(asset.split(".")), check_name=check,
            passed=s["status"] in ("passed", "skipped"), severity=severity,
            metadata={"status": s["status"], "failed_rows": s["failing_count"],
                      "problems": MetadataValue.text(s["problems"]),
                      "reason": MetadataValue.text(s["reason"] or "none")})


def folders_without_manifest(landing) -> list:
    """Folders holding landing-type files without a manifest (easy to miss, so say so)."""
    return sorted(
        folder for folder in [landing, *landing.rglob("*")]
        if folder.is_dir() and not (folder / MANIFEST_NAME).exists()
        and any(f.suffix.lower() in SUPPORTED_SUFFIXES for f in folder.iterdir() if f.is_file())
    )


def _control_problems(r: FileLoadResult) -> list[str]:
    problems = []
    if r.control_rows is not None and r.control_rows != r.data_lines - r.skipped:
        problems.append(f"{r.source_file}: {r.data_lines - r.skipped} records, manifest says "
                        f"{r.control_rows}")
    for column, expected in r.control_sums.items():
        actual = r.file_sums.get(column)
        if actual is None or actual != expected:
            problems.append(f"{r.source_file}: sum of {column} is {actual}, manifest says "
                            f"{expected}")
    return problems


@multi_asset(specs=ENTITY_SPECS + AUDIT_SPECS + QUALITY_SPECS,
             check_specs=CHECK_SPECS + GX_CHECK_SPECS, name="ingest_landing")
def ingest_landing(context: AssetExecutionContext, build: BuildResource):
    """Read every batch under the landing folder into raw.* of this run's private build file."""
    plans = plan_batches(build.landing_path, build.as_of_dates)
    for folder in folders_without_manifest(build.landing_path):
        context.log.warning(f"{folder} holds data files but no {MANIFEST_NAME}: not a batch, "
                            "not loaded")
    path = build.build_file(context.run.run_id)
    path.unlink(missing_ok=True)
    originals = personal.personal_path(path)
    originals.unlink(missing_ok=True)
    originals.with_name(originals.name + ".wal").unlink(missing_ok=True)
    by_entity: dict[str, list[FileLoadResult]] = defaultdict(list)
    absent: dict[str, list[str]] = defaultdict(list)
    con = duckdb.connect(str(path),
                         config=load_operations().duckdb_config(build.warehouse_path))
    try:
        ensure_raw_schema(con)
        # Names and identity numbers are masked as they are written; their originals go to a
        # side file that publication writes back into the full copy (postloan/personal.py).
        personal.attach(con, originals)
        # A delta whose base is not rebuilt here reads the base's rows from the published
        # warehouse when it holds them (the daily case), not from the base's files again.
        needs_base = any(p.is_delta and p.status == "published" and p.base.status != "published"
                         for p in plans)
        published = attach_published(con, build.warehouse_path) if needs_base else set()
        resolve_bases(plans, published)
        register_batches(con, plans)
        for plan in plans:
            if plan.status == "incomplete":
                context.log.warning(f"{plan.manifest.folder}: incomplete, not loaded: "
                                    f"{plan.reason}")
                continue
            if plan.status not in ("published", "base_only"):
                context.log.info(f"{plan.batch_id}: {plan.status}, not loaded")
                continue
            if plan.status == "published":
                for entity, reason in plan.effective_absent().items():
                    absent[entity].append(f"{plan.batch_id}: {reason}")
            if plan.is_delta:
                context.log.info(f"{plan.batch_id}: delta on {plan.base.batch_id}, its rows "
                                 f"read from {plan.base_source}")
            for result in load_batch(con, plan):
                if plan.status == "published":
                    by_entity[result.entity].append(result)
                context.log.info(
                    f"{result.batch_id} {result.entity}: {result.data_lines} records -> "
                    f"{result.loaded} loaded, {result.rejected} rejected, {result.skipped} "
                    f"skipped ({result.seconds:.1f}s, {result.encoding})")
        drop_base_only(con, plans)
        if published:
            for decided in record_reuse(con, plans, build.warehouse_path,
                                        fingerprint(build.dbt_vars)):
                context.log.info(decided)
        con.execute(f"detach database if exists {PUBLISHED_ALIAS}")
        ops = load_operations()
        started = time.perf_counter()
        outcomes = run_landing_suites(con, today=local_date(dt.datetime.now(dt.UTC), ops.zone),
                                      docs_root=docs_root(build.warehouse_path))
        counts = Counter(o.status for o in outcomes)
        context.log.info(f"data-quality landing suites: {len(outcomes)} rules in "
                         f"{time.perf_counter() - started:.1f}s: " + ", ".join(
                             f"{counts[s]} {s}" for s in ("passed", "failed", "errored",
                                                          "skipped")))
        rows = record.rows_for(outcomes, context.run.run_id, "great_expectations")
        record.store(con, rows)
        record.append_log(build.warehouse_path, rows)
        con.execute(f"detach {personal.ALIAS}")
        con.execute("checkpoint")
        audit_counts = {t: con.execute(f"select count(*) from raw.{t}").fetchone()[0]
                        for t in AUDIT_TABLES}
    finally:
        con.close()

    for entity in contract.ENTITIES:
        results = by_entity.get(entity.name, [])
        totals = {k: sum(getattr(r, k) for r in results)
                  for k in ("data_lines", "loaded", "rejected", "skipped")}
        per_file = "\n".join(
            f"| {r.batch_id} | {r.source_file} | {r.data_lines} | {r.loaded} | {r.rejected} "
            f"| {r.skipped} |" for r in results)
        table = ("| batch | file | records | loaded | rejected | skipped |\n"
                 "|---|---|---|---|---|---|\n" + per_file) if results else "not delivered"
        yield MaterializeResult(
            asset_key=raw_key(entity.name),
            metadata={
                "batches_loaded": len(results),
                "data_lines": totals["data_lines"],
                "loaded_rows": totals["loaded"],
                "rejected_rows": totals["rejected"],
                "skipped_rows": totals["skipped"],
                "per_file": MetadataValue.md(table),
            },
        )
        if not results:
            reason = "; ".join(absent.get(entity.name, [])) or "no batch in force delivers it"
            for check in ("records_reconcile", "control_totals_match", "no_rejected_rows"):
                yield AssetCheckResult(
                    asset_key=raw_key(entity.name), check_name=check, passed=True,
                    metadata={"status": "skipped", "reason": MetadataValue.text(reason)})
            continue
        broken = [r for r in results if not r.reconciles]
        yield AssetCheckResult(
            asset_key=raw_key(entity.name), check_name="records_reconcile", passed=not broken,
            severity=AssetCheckSeverity.ERROR,
            metadata={"files": len(results),
                      "not_reconciling": MetadataValue.text(
                          "; ".join(f"{r.source_file}: {r.loaded}+{r.rejected}+{r.skipped} != "
                                    f"{r.data_lines}" for r in broken) or "none")})
        problems = [p for r in results for p in _control_problems(r)]
        yield AssetCheckResult(
            asset_key=raw_key(entity.name), check_name="control_totals_match",
            passed=not problems, severity=AssetCheckSeverity.ERROR,
            metadata={"problems": MetadataValue.text("; ".join(problems) or "none")})
        yield AssetCheckResult(
            asset_key=raw_key(entity.name), check_name="no_rejected_rows",
            passed=totals["rejected"] == 0, severity=AssetCheckSeverity.WARN,
            metadata={"rejected_rows": totals["rejected"]})
    for table in AUDIT_TABLES:
        yield MaterializeResult(asset_key=raw_key(table),
                                metadata={"rows": audit_counts[table]})
    incomplete = [p for p in plans if p.status == "incomplete"]
    yield AssetCheckResult(
        asset_key=raw_key("batches"), check_name="all_batches_complete",
        passed=not incomplete, severity=AssetCheckSeverity.WARN,
        metadata={"incomplete": MetadataValue.text(
            "; ".join(f"{p.manifest.folder}: {p.reason}" for p in incomplete) or "none")})
    for spec in QUALITY_SPECS:
        yield MaterializeResult(asset_key=spec.key, metadata={
            "rows": len(rows) if spec.key.path[-1] == "check_results" else 0})
    yield from check_results(outcomes)
