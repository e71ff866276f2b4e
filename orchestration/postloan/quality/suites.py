"""The data-quality suites: which rules run on which relation, with what severity.

Landing suites are generated from the landing contract (``postloan.landing.contract``), so a new
column or reference is checked without code here. Checks, per landing entity (asset ``raw.<e>``):

* ``not_empty``      every delivered file loaded at least one row (blocking for borrowers,
  loans and the schedule; warning for the others, which may have no row in a period);
* ``types``          every column has the contract's SQL type (blocking);
* ``completeness``   required columns are never empty (blocking);
* ``ranges``         amounts and counts are not negative (blocking);
* ``within_contract`` (schedule) due dates lie within (disbursement, maturity] (warning);
* ``unique_key``     the key is unique among the loaded rows and among the rows the sender
  *delivered* (no copies in the quarantine), per batch (blocking: a duplicated loan id stops
  publication);
* ``references``     every reference (payments to loans, loans to borrowers...) points at a
  loaded row of the parent, per batch, a rejected parent counting as missing (blocking for
  loans, schedule and payments; warning for events, collateral, guarantees and overrides);
* ``consistency``    maturity after disbursement (blocking); principal and interest paid never
  exceed the whole contractual schedule (so prepayment is allowed; penalties are on top)
  (warning);
* ``control_totals`` row counts and amount sums equal the manifest's, where the sender gave them
  (blocking);
* ``volume`` (loans) a batch far smaller than the previous one of the same portfolio (warning);
* ``freshness`` (batches) a portfolio's latest as-of date older than expected (warning).

Reporting suites (assets ``reporting.<table>``) check keys, completeness, signs and the summary's
internal consistency before publication (blocking).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass
from pathlib import Path

import duckdb
import yaml

from postloan.landing import contract as c
from postloan.paths import PROJECT_DIR
from postloan.quality.engine import BLOCKING, WARNING, Outcome, Rule, run_rules

CONFIG_FILE = PROJECT_DIR / "config" / "data_quality.yaml"
LANDING_CHECKS = ("not_empty", "types", "completeness", "ranges", "within_contract",
                  "unique_key", "references", "consistency", "control_totals")
REPORTING_CHECKS = ("completeness", "ranges", "unique_key", "consistency")
REPORTING_TABLES = ("loans", "portfolio_summary", "loan_classification")
# References whose orphans stop publication: the figures rest on them (a payment or installment
# of an unknown loan changes days past due; a loan of an unknown borrower breaks concentration).
# Orphan events, collateral, guarantees and overrides are quarantined and warned about: the bundled
# SBA data has a few (children of loans the loader rejected), and they change no reported figure
# of a loan that is loaded.
# Entities a portfolio batch cannot do without: an empty file of one of them stops publication.
# Any other entity may legitimately be empty in a batch (no payment or event in the period); its
# checks then fail as warnings, never pass. To say "none" without a warning, declare the entity
# absent in the manifest.
REQUIRED_ROWS = {"borrowers", "loans", "repayment_schedule"}


def empty_severity(entity: str) -> str:
    return BLOCKING if entity in REQUIRED_ROWS else WARNING


BLOCKING_REFERENCES = {("loans", "borrowers"), ("payments", "loans"),
                       ("repayment_schedule", "loans")}


@dataclass(frozen=True)
class Settings:
    volume_min_ratio: float = 0.5
    freshness_max_age_days: int = 7
    sample_rows: int = 5


def load_settings(path: Path = CONFIG_FILE) -> Settings:
    values = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else {}
    env = {"volume_min_ratio": "POSTLOAN_DQ_VOLUME_MIN_RATIO",
           "freshness_max_age_days": "POSTLOAN_DQ_FRESHNESS_DAYS",
           "sample_rows": "POSTLOAN_DQ_SAMPLE_ROWS"}
    for key, var in env.items():
        if os.environ.get(var):
            values[key] = os.environ[var]
    return Settings(volume_min_ratio=float(values.get("volume_min_ratio", 0.5)),
                    freshness_max_age_days=int(values.get("freshness_max_age_days", 7)),
                    sample_rows=int(values.get("sample_rows", 5)))


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _key_text(cols: tuple[str, ...], value) -> str:
    return " || '|' || ".join(f"coalesce({value(k)}, '')" for k in cols)


def entity_rules(entity: c.Entity) -> list[Rule]:
    """The landing suite of one entity."""
    asset = f"raw.{entity.name}"
    table = f"raw.{entity.name}"
    rules: list[Rule] = [Rule(
        asset, "not_empty", "rows_loaded", empty_severity(entity.name),
        f"(select batch_id, source_file, loaded_rows from raw.load_log "
        f"where entity = {_quote(entity.name)})",
        "loaded_rows = 0", "every delivered file loads at least one row", unit="files")]
    expected = ", ".join(f"({_quote(col.name)}, {_quote(c.SQL_TYPES[col.type])})"
                         for col in entity.columns)
    rules.append(Rule(
        asset, "types", "column_types", BLOCKING,
        f"(select e.column_name, e.expected_type, i.data_type from (values {expected}) "
        f"as e(column_name, expected_type) left join information_schema.columns i "
        f"on i.table_schema = 'raw' and i.table_name = {_quote(entity.name)} "
        f"and i.column_name = e.column_name)",
        "data_type is distinct from expected_type",
        "every column has the contract's type", unit="columns"))
    for col in entity.columns:
        if col.required:
            rules.append(Rule(asset, "completeness", f"not_null:{col.name}", BLOCKING, table,
                              f"{col.name} is null", f"{col.name} is never empty",
                              f"batch_id, source_file, line_number, {col.name}"))
    for col in entity.columns:
        if col.nonnegative:
            rules.append(Rule(asset, "ranges", f"not_negative:{col.name}", BLOCKING, table,
                              f"{col.name} < 0", f"{col.name} is not negative",
                              f"batch_id, source_file, line_number, {col.name}"))
    key_cols = entity.key
    keys = ", ".join(key_cols)
    rules.append(Rule(
        asset, "unique_key", "loaded_key_unique", BLOCKING,
        f"(select batch_id, {keys}, count(*) as copies from {table} group by all)",
        "copies > 1", f"({keys}) is unique within each batch among the loaded rows",
        f"batch_id, {keys}, copies", unit="keys"))
    rejected = _key_text(key_cols, lambda k: f"json_extract_string(raw_record, '$.{k}')")
    # The loader quarantines every copy of a repeated key, so the delivered file's duplicates are
    # counted from the quarantine, per batch in force (cheap: no scan of the loaded rows). Each
    # key is named with the file and lines of its copies: "L1 (loans.csv lines 2, 41)".
    rules.append(Rule(
        asset, "unique_key", "delivered_key_unique", BLOCKING,
        f"(select b.batch_id, coalesce(sum(r.copies), 0)::bigint as duplicated_rows, "
        f"count(r.key) as duplicated_keys, "
        f"string_agg(r.key || ' (' || r.file || ' lines ' || r.lines || ')', '; ' "
        f"order by r.key) as keys from raw.batches b "
        f"left join (select batch_id, key, count(distinct line_number) as copies, "
        f"regexp_extract(min(source_file), '[^/]*$') as file, "
        f"array_to_string(list_sort(list_distinct(list(line_number))), ', ') as lines "
        f"from (select batch_id, source_file, line_number, {rejected} as key "
        f"from raw.rejects where entity = {_quote(entity.name)} and rule = 'unique_key') "
        f"group by all) r "
        f"on r.batch_id = b.batch_id where b.batch_status = 'published' group by b.batch_id)",
        "duplicated_rows > 0", f"({keys}) is unique within each delivered file",
        "batch_id, duplicated_keys, duplicated_rows, keys", unit="batches"))
    for ref in entity.references:
        parent = f"raw.{ref.entity}"
        rules.append(Rule(
            asset, "references", f"{ref.column}->{ref.entity}",
            BLOCKING if (entity.name, ref.entity) in BLOCKING_REFERENCES else WARNING,
            f"(select ch.batch_id, ch.value, pa.value is not null as found from ("
            f"select distinct batch_id, {ref.column}::varchar as value from {table} "
            f"where {ref.column} is not null union "
            f"select distinct batch_id, raw_value from raw.rejects "
            f"where entity = {_quote(entity.name)} and rule = 'references_{ref.entity}') ch "
            f"left join (select distinct batch_id, {ref.target_column}::varchar as value "
            f"from {parent}) pa on pa.batch_id = ch.batch_id and pa.value = ch.value)",
            "not found", f"every {ref.column} is a delivered {ref.entity} row of the same batch",
            "batch_id, value", unit="distinct values"))
    rules += _consistency_rules(entity)
    rules.append(Rule(
        asset, "control_totals", "manifest_totals", BLOCKING,
        f"(select * from _dq_control_totals where entity = {_quote(entity.name)})",
        "expected is distinct from actual",
        "row counts and amount sums equal the manifest's control totals",
        "batch_id, source_file, measure, expected, actual", unit="control totals"))
    return rules


def _consistency_rules(entity: c.Entity) -> list[Rule]:
    asset = f"raw.{entity.name}"
    if entity.name == "loans":
        return [Rule(asset, "consistency", "maturity_after_disbursement", BLOCKING, "raw.loans",
                     "maturity_date <= disbursement_date",
                     "maturity_date is after disbursement_date",
                     "batch_id, source_file, line_number, loan_id, disbursement_date, "
                     "maturity_date")]
    if entity.name == "repayment_schedule":
        return [Rule(asset, "within_contract", "due_date_within_contract", WARNING,
                     "(select s.batch_id, s.source_file, s.line_number, s.loan_id, s.due_date, "
                     "l.disbursement_date, l.maturity_date from raw.repayment_schedule s "
                     "join raw.loans l using (batch_id, loan_id))",
                     "due_date <= disbursement_date or due_date > maturity_date",
                     "every due date lies after disbursement and on or before maturity",
                     "batch_id, source_file, line_number, loan_id, due_date, "
                     "disbursement_date, maturity_date")]
    if entity.name == "payments":
        return [Rule(asset, "consistency", "paid_within_schedule", WARNING,
                     "(select p.batch_id, p.loan_id, p.paid, s.due, p.penalties from ("
                     "select batch_id, loan_id, sum(principal_paid + interest_paid) as paid, "
                     "sum(coalesce(penalty_paid, 0)) as penalties from raw.payments "
                     "group by all) p join (select batch_id, loan_id, "
                     "sum(principal_due + interest_due) as due from raw.repayment_schedule "
                     "group by all) s using (batch_id, loan_id))",
                     "paid > due",
                     "principal and interest paid never exceed the whole contractual schedule "
                     "(prepayment allowed; penalties come on top)",
                     "batch_id, loan_id, paid, due, penalties", unit="loans")]
    return []


def volume_rule(settings: Settings) -> Rule:
    return Rule(
        "raw.loans", "volume", "not_far_smaller_than_previous", WARNING,
        "(select portfolio_id, as_of_date, batch_id, rows, lag(rows) over ("
        "partition by portfolio_id order by as_of_date) as previous_rows from ("
        "select b.portfolio_id, b.as_of_date, b.batch_id, "
        "sum(l.data_lines - l.skipped_rows) as rows from raw.batches b "
        "join raw.load_log l on l.batch_id = b.batch_id and l.entity = 'loans' "
        "where b.batch_status = 'published' group by all))",
        f"previous_rows is not null and rows < previous_rows * {float(settings.volume_min_ratio)}",
        f"a batch's loans are at least {settings.volume_min_ratio:g} of the previous batch of "
        f"the same portfolio", "portfolio_id, as_of_date, batch_id, rows, previous_rows",
        unit="batches")


def freshness_rule(settings: Settings, today: dt.date) -> Rule:
    oldest = today - dt.timedelta(days=settings.freshness_max_age_days)
    return Rule(
        "raw.batches", "freshness", "latest_as_of_recent", WARNING,
        "(select portfolio_id, max(as_of_date) as latest_as_of from raw.batches "
        "where batch_status = 'published' and kind = 'portfolio' group by 1)",
        f"latest_as_of < date '{oldest.isoformat()}'",
        f"each portfolio's latest as-of date is on or after {oldest.isoformat()} "
        f"({settings.freshness_max_age_days} days before the build date {today.isoformat()})",
        "portfolio_id, latest_as_of", unit="portfolios")


def _control_totals_table(con: duckdb.DuckDBPyConnection) -> None:
    """One row per control total the sender gave: (file, measure, expected, actual)."""
    rows = []
    for batch_id, entity, source_file, data_lines, skipped, control_rows, control_sums, \
            file_sums in con.execute(
                "select batch_id, entity, source_file, data_lines, skipped_rows, control_rows, "
                "control_sums, file_sums from raw.load_log").fetchall():
        if control_rows is not None:
            rows.append((batch_id, entity, source_file, "rows", str(control_rows),
                         str(data_lines - skipped)))
        actual = json.loads(file_sums or "{}")
        for column, expected in json.loads(control_sums or "{}").items():
            rows.append((batch_id, entity, source_file, f"sum({column})", expected,
                         actual.get(column)))
    con.execute("create or replace temp table _dq_control_totals (batch_id varchar, "
                "entity varchar, source_file varchar, measure varchar, expected varchar, "
                "actual varchar)")
    if rows:
        con.executemany("insert into _dq_control_totals values (?, ?, ?, ?, ?, ?)", rows)


def absent_reasons(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Entities that every loaded batch declares absent, with the manifests' reasons."""
    batches = con.execute("select batch_id, absent_entities from raw.batches "
                          "where batch_status = 'published'").fetchall()
    out = {}
    for entity in c.ENTITIES:
        reasons = [json.loads(absent or "{}").get(entity.name) for _, absent in batches]
        if batches and all(reasons):
            out[f"raw.{entity.name}"] = "declared absent in the manifest: " + "; ".join(
                sorted(set(reasons)))
    return out


def empty_delivered(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Entities delivered in some batch that loaded no row at all: none of their checks may
    pass (an empty table is not a clean one)."""
    out = {}
    for entity, files, loaded in con.execute(
            "select entity, count(*), sum(loaded_rows) from raw.load_log group by 1").fetchall():
        if not loaded:
            out[f"raw.{entity}"] = (f"{entity} was delivered ({files} file(s)) but no row "
                                    f"loaded")
    return out


def _skip_reasons(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], str]:
    absent = absent_reasons(con)
    reasons = {(asset, check): why for asset, why in absent.items() for check in LANDING_CHECKS}
    no_totals = con.execute("select entity from raw.load_log group by entity "
                            "having count(control_rows) = 0 and "
                            "bool_and(coalesce(control_sums, '{}') = '{}')").fetchall()
    for (entity,) in no_totals:
        reasons[(f"raw.{entity}", "control_totals")] = "the manifest gives no control totals"
    # A delta that delivers no file of an entity carries its base's rows: there is no file to
    # check counts or totals of; the rows themselves are checked like any others.
    carried_only = con.execute("select entity, sum(carried_rows)::bigint from raw.carried "
                               "where entity not in (select entity from raw.load_log) "
                               "group by 1 having sum(carried_rows) > 0").fetchall()
    for entity, rows in carried_only:
        why = (f"no file of {entity} in this build: its {rows} rows were carried unchanged "
               "from the base of a delta")
        for check in ("not_empty", "control_totals"):
            reasons[(f"raw.{entity}", check)] = why
    portfolios = con.execute("select count(*) from raw.batches where batch_status = 'published' "
                             "and kind = 'portfolio'").fetchone()[0]
    if not portfolios:
        reasons[("raw.batches", "freshness")] = "no portfolio batch in this build"
    prior = con.execute("select count(*) from (select portfolio_id from raw.batches "
                        "where batch_status = 'published' and kind = 'portfolio' "
                        "group by 1 having count(*) > 1)").fetchone()[0]
    if not prior:
        reasons[("raw.loans", "volume")] = ("no portfolio has an earlier batch in this build to "
                                            "compare with")
    return reasons


def landing_rules(settings: Settings, today: dt.date) -> list[Rule]:
    rules = [r for e in c.ENTITIES for r in entity_rules(e)]
    return rules + [volume_rule(settings), freshness_rule(settings, today)]


def run_landing_suites(con: duckdb.DuckDBPyConnection, today: dt.date | None = None,
                       settings: Settings | None = None,
                       docs_root: Path | None = None) -> list[Outcome]:
    """Every landing rule on the raw schema of ``con``; what the ingest step and the benchmark
    run."""
    settings = settings or load_settings()
    today = today or dt.date.today()
    _control_totals_table(con)
    reasons = _skip_reasons(con)
    outcomes: list[Outcome] = []
    to_run: list[Rule] = []
    skip: dict[str, str] = {}
    empty = empty_delivered(con)
    absent = absent_reasons(con)
    for rule in landing_rules(settings, today):
        why = reasons.get((rule.asset, rule.check))
        if rule.asset in empty and rule.check not in ("not_empty", "freshness"):
            # Nothing to check is a failure, as grave as the file being empty.
            severity = empty_severity(rule.asset.split(".")[1])
            outcomes.append(Outcome(rule.asset, rule.check, rule.name, severity, "failed",
                                    "0 rows", None, 0, rule.description,
                                    f"no rows to check: {empty[rule.asset]}"))
            continue
        if why and (rule.check in ("control_totals", "volume", "freshness")
                    or rule.asset in absent):
            outcomes.append(Outcome(rule.asset, rule.check, rule.name, rule.severity, "skipped",
                                    "", None, None, rule.description, why))
        else:
            to_run.append(rule)
            if why:
                skip[rule.asset] = why
    outcomes += run_rules(con, to_run, skip, settings.sample_rows, "landing", docs_root)
    con.execute("drop table if exists _dq_control_totals")
    return outcomes


def reporting_rules() -> list[Rule]:
    loans = "reporting.loans"
    summary = "reporting.portfolio_summary"
    cls = "reporting.loan_classification"
    rules = []
    for table in (loans, cls):
        for col in ("portfolio_id", "as_of_date", "loan_id"):
            rules.append(Rule(table, "completeness", f"not_null:{col}", BLOCKING, table,
                              f"{col} is null", f"{col} is never empty"))
        rules.append(Rule(
            table, "unique_key", "portfolio_as_of_loan_unique", BLOCKING,
            f"(select portfolio_id, as_of_date, loan_id, count(*) as copies from {table} "
            f"group by all)", "copies > 1", "one row per portfolio, as-of date and loan",
            unit="keys"))
        rules.append(Rule(table, "ranges", "not_negative:outstanding_principal", BLOCKING, table,
                          "outstanding_principal < 0", "outstanding principal is not negative",
                          "portfolio_id, as_of_date, loan_id, outstanding_principal"))
        rules.append(Rule(table, "ranges", "not_negative:dpd", BLOCKING, table, "dpd < 0",
                          "days past due are not negative",
                          "portfolio_id, as_of_date, loan_id, dpd"))
    for col in ("portfolio_id", "as_of_date", "loan_count", "outstanding_principal"):
        rules.append(Rule(summary, "completeness", f"not_null:{col}", BLOCKING, summary,
                          f"{col} is null", f"{col} is never empty"))
    rules.append(Rule(summary, "unique_key", "portfolio_as_of_unique", BLOCKING,
                      f"(select portfolio_id, as_of_date, count(*) as copies from {summary} "
                      f"group by all)", "copies > 1", "one row per portfolio and as-of date",
                      unit="keys"))
    rules.append(Rule(summary, "consistency", "overdue_within_outstanding", BLOCKING, summary,
                      "overdue_principal > outstanding_principal or "
                      "dpd_over_90_principal > overdue_principal",
                      "dpd>90 principal <= overdue principal <= outstanding principal",
                      "portfolio_id, as_of_date, outstanding_principal, overdue_principal, "
                      "dpd_over_90_principal"))
    rules.append(Rule(summary, "consistency", "matches_loans", BLOCKING,
                      f"(select s.portfolio_id, s.as_of_date, s.outstanding_principal, "
                      f"l.outstanding_principal as loans_principal from {summary} s left join ("
                      f"select portfolio_id, as_of_date, sum(outstanding_principal) as "
                      f"outstanding_principal from {loans} where loan_status = 'outstanding' "
                      f"group by all) l using (portfolio_id, as_of_date))",
                      "outstanding_principal is distinct from coalesce(loans_principal, 0)",
                      "the summary's outstanding principal equals the sum over its loans"))
    return rules


def run_reporting_suites(con: duckdb.DuckDBPyConnection, settings: Settings | None = None,
                         docs_root: Path | None = None) -> list[Outcome]:
    """Every reporting rule; reporting tables may be empty only in a build with no portfolio
    batch (reference data only), and then the rules are skipped."""
    settings = settings or load_settings()
    portfolios = con.execute("select count(*) from raw.batches where batch_status = 'published' "
                             "and kind = 'portfolio'").fetchone()[0]
    why = None if portfolios else "no portfolio batch in this build (reference data only)"
    skip = {f"reporting.{t}": why for t in REPORTING_TABLES} if why else None
    return run_rules(con, reporting_rules(), skip, settings.sample_rows, "reporting", docs_root)


def check_specs(rules: list[Rule]) -> list[tuple[str, str, bool, str]]:
    """(asset, check, blocking, description) once per check, for the Dagster check specs."""
    specs: dict[tuple[str, str], list[Rule]] = {}
    for rule in rules:
        specs.setdefault((rule.asset, rule.check), []).append(rule)
    return [(asset, check, any(r.severity == BLOCKING for r in members),
             "GX: " + "; ".join(r.description for r in members))
            for (asset, check), members in specs.items()]


def landing_check_specs() -> list[tuple[str, str, bool, str]]:
    return check_specs(landing_rules(Settings(), dt.date(2000, 1, 1)))


def reporting_check_specs() -> list[tuple[str, str, bool, str]]:
    return check_specs(reporting_rules())
