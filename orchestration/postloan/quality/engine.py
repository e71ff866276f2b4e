"""Run data-quality rules as Great Expectations (GX Core 1.x) suites, pushed down to DuckDB.

GX's SQL execution engine cannot talk to DuckDB (through duckdb-engine every metric query comes
back empty: great_expectations issues #10738 and #11579), and validating 30 million rows in pandas
takes minutes. So the work is split:

* DuckDB evaluates every rule of a relation in **one scan**: for each rule a ``count(*) filter
  (where <violation>)`` column, plus the relation's row count (:func:`profile_sql`);
* GX validates that one-row profile with an expectation per rule (failing rows between 0 and the
  rule's tolerance, rows at least 1), so suites, results and data docs are GX's own;
* only for a rule that failed, DuckDB fetches a few failing rows as samples.

A rule never passes on an empty relation: it is ``failed`` (no rows to check) unless the caller
says why the relation is legitimately empty (the manifest declares the entity absent), and then it
is ``skipped`` with that reason. A rule whose SQL or expectation raises is ``errored``.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

PASSED, FAILED, SKIPPED, ERRORED = "passed", "failed", "skipped", "errored"
BLOCKING, WARNING = "blocking", "warning"
STATUS_ORDER = (ERRORED, FAILED, PASSED, SKIPPED)  # worst first, for a check's overall status


@dataclass(frozen=True)
class Rule:
    """One expectation: rows of ``relation`` matching ``violation`` fail it."""

    asset: str  # the Dagster asset it is reported on, e.g. raw.loans
    check: str  # the Dagster check it belongs to, e.g. completeness
    name: str  # unique within the check, e.g. not_null:loan_id
    severity: str  # blocking | warning
    relation: str  # a DuckDB relation: a table name or "(select ...)"
    violation: str  # SQL condition on one row of the relation
    description: str
    sample_columns: str = "*"
    tolerance: int = 0  # failing rows allowed
    unit: str = "rows"  # what one row of the relation is, for "3 of 10 <unit>"


@dataclass
class Outcome:
    asset: str
    check: str
    rule: str
    severity: str
    status: str
    observed_value: str
    failing_count: int | None
    rows_checked: int | None
    description: str
    reason: str = ""
    samples: list[dict] = field(default_factory=list)

    def as_row(self) -> dict:
        row = asdict(self)
        row["samples"] = json.dumps(self.samples, ensure_ascii=False, default=str)
        return row


def _ident(i: int) -> str:
    return f"f{i}"


def profile_sql(relation: str, rules: list[Rule]) -> str:
    """One scan of ``relation``: its row count and each rule's failing-row count."""
    counts = ", ".join(
        f"count(*) filter (where coalesce(({r.violation}), false)) as {_ident(i)}"
        for i, r in enumerate(rules))
    return f"select count(*) as rows_checked, {counts} from {relation} as _r"


_CONTEXTS: dict[str, object] = {}
DATASOURCE = "duckdb_profiles"


def gx_context(root: Path | None = None):
    """The GX data context: ephemeral, or a file context under ``root`` that keeps every
    validation result and renders the data docs. One per process and root; progress bars off."""
    key = str(root) if root else ""
    if key not in _CONTEXTS:
        # No usage statistics: builds talk to no host (GX 1.24 sends none; this keeps it so).
        os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

        if root is None:
            context = gx.get_context(mode="ephemeral")
        else:
            root.mkdir(parents=True, exist_ok=True)
            context = gx.get_context(mode="file", project_root_dir=str(root))
        context.variables.progress_bars = ProgressBarsConfig(globally=False)
        try:
            context.data_sources.get(DATASOURCE)
        except (KeyError, ValueError, LookupError):
            context.data_sources.add_pandas(DATASOURCE)
        _CONTEXTS[key] = context
    return _CONTEXTS[key]


def label(rule: Rule) -> str:
    """The profile column of a rule, as GX and its data docs show it."""
    return f"{rule.asset} / {rule.check} / {rule.name}"


def gx_suite(name: str, rules: list[Rule]):
    """The GX suite judging a relation's profile: every rule's failing count within tolerance."""
    import great_expectations as gx
    import great_expectations.expectations as gxe

    suite = gx.ExpectationSuite(name=name)
    for rule in rules:
        suite.add_expectation(gxe.ExpectColumnValuesToBeBetween(
            column=label(rule), min_value=0, max_value=rule.tolerance,
            description=f"{rule.severity}: {rule.description}",
            meta={"asset": rule.asset, "check": rule.check, "rule": rule.name,
                  "severity": rule.severity}))
    return suite


def _get_or_add(getter, adder, name):
    try:
        return getter(name)
    except (KeyError, ValueError, LookupError):
        return adder(name)


def _validate(profile: pd.DataFrame, name: str, rules: list[Rule],
              docs_root: Path | None = None) -> list:
    import great_expectations as gx
    from great_expectations.exceptions import DataContextError

    context = gx_context(docs_root)
    source = context.data_sources.get(DATASOURCE)
    asset = _get_or_add(source.get_asset, source.add_dataframe_asset, f"profile_{name}")
    definition = _get_or_add(asset.get_batch_definition,
                             asset.add_batch_definition_whole_dataframe, "profile")
    suite = gx_suite(name, rules)
    if docs_root is None:
        batch = definition.get_batch(batch_parameters={"dataframe": profile})
        return list(batch.validate(suite, result_format="SUMMARY").results)
    # A file context: keep the suite and the result, so the data docs show every run.
    for store in (context.validation_definitions, context.suites):
        try:
            store.delete(name)
        except (DataContextError, KeyError, ValueError):
            pass
    suite = context.suites.add(suite)
    validation = context.validation_definitions.add(
        gx.ValidationDefinition(name=name, data=definition, suite=suite))
    result = validation.run(batch_parameters={"dataframe": profile}, result_format="SUMMARY")
    context.build_data_docs()
    return list(result.results)


def _samples(con: duckdb.DuckDBPyConnection, rule: Rule, limit: int) -> list[dict]:
    if limit <= 0:
        return []
    frame = con.execute(
        f"select {rule.sample_columns} from {rule.relation} as _r "
        f"where coalesce(({rule.violation}), false) limit {int(limit)}").df()
    return json.loads(frame.to_json(orient="records", date_format="iso", force_ascii=False))


def _profile(con: duckdb.DuckDBPyConnection, relation: str, rules: list[Rule],
             skip_reason: str | None) -> tuple[list[int], int] | list[Outcome]:
    """Failing counts and row count of one relation, or the outcomes when it cannot be judged
    (errored, or empty: failed unless a skip reason is given)."""
    try:
        row = con.execute(profile_sql(relation, rules)).fetchone()
    except duckdb.Error as exc:
        return [Outcome(r.asset, r.check, r.name, r.severity, ERRORED, "", None, None,
                        r.description, f"the check could not run: {exc}") for r in rules]
    rows = int(row[0])
    if rows == 0:
        if skip_reason:
            return [Outcome(r.asset, r.check, r.name, r.severity, SKIPPED, "0 rows", 0, 0,
                            r.description, skip_reason) for r in rules]
        return [Outcome(r.asset, r.check, r.name, r.severity, FAILED, "0 rows", None, 0,
                        r.description, "no rows to check: an empty table or batch never "
                        "passes unless the manifest declares the entity absent") for r in rules]
    return [int(v) for v in row[1:]], rows


def run_rules(con: duckdb.DuckDBPyConnection, rules: Iterable[Rule],
              skip_reasons: dict[str, str] | None = None, sample_rows: int = 5,
              suite_name: str = "postloan", docs_root: Path | None = None) -> list[Outcome]:
    """Evaluate rules: one DuckDB scan per relation, then one GX validation of all the profiles.

    ``skip_reasons`` maps an asset to why its relations may legitimately be empty.
    """
    skip_reasons = skip_reasons or {}
    # One scan per relation of an asset, whatever check its rules belong to (a 36-million-row
    # table is read once, not once per check). When that scan cannot run, each check's rules are
    # scanned on their own, so one broken rule errors only its own check.
    groups: dict[tuple[str, str], list[Rule]] = {}
    for rule in rules:
        groups.setdefault((rule.asset, rule.relation), []).append(rule)
    outcomes: list[Outcome] = []
    judged: list[tuple[Rule, int, int]] = []  # rule, failing rows, rows checked
    for (asset, relation), members in groups.items():
        profile = _profile(con, relation, members, skip_reasons.get(asset))
        checks = list(dict.fromkeys(r.check for r in members))
        errored = isinstance(profile, list) and profile and profile[0].status == ERRORED
        if errored and len(checks) > 1:
            parts = [[r for r in members if r.check == check] for check in checks]
            profiles = [_profile(con, relation, part, skip_reasons.get(asset)) for part in parts]
        else:
            parts, profiles = [members], [profile]
        for part, part_profile in zip(parts, profiles, strict=True):
            if isinstance(part_profile, list):
                outcomes += part_profile
                continue
            counts, rows = part_profile
            judged += [(r, n, rows) for r, n in zip(part, counts, strict=True)]
    if not judged:
        return outcomes
    frame = pd.DataFrame([{label(r): n for r, n, _ in judged}])
    try:
        results = _validate(frame, suite_name, [r for r, _, _ in judged], docs_root)
    except Exception as exc:  # noqa: BLE001 - any GX failure is an errored check, not a pass
        return outcomes + [
            Outcome(r.asset, r.check, r.name, r.severity, ERRORED, "", None, rows,
                    r.description, f"Great Expectations raised: {exc}")
            for r, _, rows in judged]
    for (rule, failing, rows), result in zip(judged, results, strict=True):
        info = result.exception_info or {}
        raised = info.get("raised_exception") or any(
            isinstance(v, dict) and v.get("raised_exception") for v in info.values())
        if raised:
            status, reason = ERRORED, "Great Expectations could not evaluate the expectation"
        else:
            status, reason = (PASSED, "") if result.success else (FAILED, "")
        samples = []
        if status == FAILED:
            try:
                samples = _samples(con, rule, sample_rows)
            except duckdb.Error as exc:
                reason = f"samples unavailable: {exc}"
        outcomes.append(Outcome(rule.asset, rule.check, rule.name, rule.severity, status,
                                f"{failing} of {rows} {rule.unit}", failing, rows, rule.description,
                                reason, samples))
    return outcomes


def overall_status(statuses: Iterable[str]) -> str:
    """A check's status from its rules': errored beats failed beats passed beats skipped."""
    present = set(statuses)
    for status in STATUS_ORDER:
        if status in present:
            return status
    return SKIPPED


@dataclass
class Timing:
    seconds: float
    rules: int
    outcomes: list[Outcome]


def timed(fn, *args, **kwargs) -> Timing:
    """Run a suite function and time it (the benchmark's entry point)."""
    started = time.perf_counter()
    outcomes = fn(*args, **kwargs)
    return Timing(time.perf_counter() - started, len(outcomes), outcomes)
