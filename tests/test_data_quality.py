"""Data-quality suites (docs/data-quality.md): every check fails on a bad fixture, passes on a
clean one, and never passes on empty input; an erroring check is errored, not passed.

Landing checks run on batches loaded by the real loader (tests/landing_factory.py); where the
loader already quarantines a fault (a negative amount, a null key), the bad fixture breaks the raw
table directly, since the suites are the second line of defence behind it.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb
import pytest

from postloan.quality import engine
from postloan.quality.record import (
    append_log,
    blocking_failures,
    dbt_test_outcomes,
    read_log,
    rows_for,
    summarise,
)
from postloan.quality.suites import (
    Settings,
    landing_check_specs,
    run_landing_suites,
    run_reporting_suites,
)
from tests.helpers import write_csv, write_manifest
from tests.landing_factory import FILE_NAMES, HEADERS, write_batch
from tests.test_loader import load_all

AS_OF = dt.date(2024, 6, 30)
TODAY = AS_OF + dt.timedelta(days=2)
DELIVERED = ("borrowers", "loans", "repayment_schedule", "payments")


def statuses(con, today=TODAY, settings=None) -> dict[tuple[str, str], dict]:
    return summarise(run_landing_suites(con, today=today, settings=settings or Settings()))


def status(con, asset: str, check: str, **kw) -> str:
    return statuses(con, **kw)[(asset, check)]["status"]


def outcome(con, asset: str, rule: str, today=TODAY) -> engine.Outcome:
    found = [o for o in run_landing_suites(con, today=today, settings=Settings())
             if o.asset == asset and o.rule == rule]
    assert len(found) == 1, found
    return found[0]


@pytest.fixture
def clean(tmp_path) -> duckdb.DuckDBPyConnection:
    write_batch(tmp_path / "landing", control_totals=True)
    return load_all(tmp_path / "landing")


def first_line(con, table: str) -> int:
    return con.execute(f"select min(line_number) from raw.{table}").fetchone()[0]


# --------------------------------------------------------------------------------------------
# The clean batch


def test_clean_batch_passes_every_check_and_skips_only_absent_entities(clean):
    result = statuses(clean)
    for (asset, check), s in result.items():
        entity = asset.split(".")[1]
        if entity in DELIVERED or (asset, check) == ("raw.batches", "freshness"):
            expected = "skipped" if (asset, check) == ("raw.loans", "volume") else "passed"
        else:
            expected = "skipped"
        assert s["status"] == expected, (asset, check, s)
    skipped = result[("raw.collateral", "completeness")]
    assert skipped["reason"] == "declared absent in the manifest: not delivered by the test " \
                                "factory"
    assert result[("raw.loans", "volume")]["reason"] == \
        "no portfolio has an earlier batch in this build to compare with"
    assert blocking_failures(run_landing_suites(clean, today=TODAY)) == []


def test_every_landing_check_has_a_dagster_spec_with_its_severity():
    specs = {(a, c): blocking for a, c, blocking, _ in landing_check_specs()}
    assert specs[("raw.loans", "unique_key")] is True
    assert specs[("raw.payments", "references")] is True
    assert specs[("raw.repayment_schedule", "references")] is True
    assert specs[("raw.loans", "references")] is True
    assert specs[("raw.guarantees", "references")] is False
    assert specs[("raw.loan_events", "references")] is False
    assert specs[("raw.loans", "consistency")] is True
    assert specs[("raw.payments", "consistency")] is False
    assert specs[("raw.repayment_schedule", "within_contract")] is False
    assert specs[("raw.loans", "volume")] is False
    assert specs[("raw.batches", "freshness")] is False
    assert ("raw.borrowers", "references") not in specs  # borrowers reference nothing
    assert specs[("raw.loans", "not_empty")] is True
    assert specs[("raw.payments", "not_empty")] is False
    assert specs[("raw.loan_events", "not_empty")] is False


# --------------------------------------------------------------------------------------------
# Bad fixtures, one per check


def test_not_empty_fails_on_a_delivered_file_with_no_rows(tmp_path):
    folder = tmp_path / "b"
    write_csv(folder / "borrowers.csv", ["borrower_id", "borrower_name", "borrower_type"],
              [["B1", "甲", "sme"]])
    write_csv(folder / "loans.csv", HEADERS["loans"], [])
    write_manifest(folder, files={"borrowers": "borrowers.csv", "loans": "loans.csv"})
    con = load_all(tmp_path)
    result = statuses(con)
    assert result[("raw.loans", "not_empty")]["status"] == "failed"
    assert result[("raw.loans", "not_empty")]["failing_count"] == 1
    # An empty table passes nothing: every other loans check fails too, none is skipped.
    for check in ("types", "completeness", "ranges", "unique_key", "references", "consistency"):
        assert result[("raw.loans", check)]["status"] == "failed", check
        assert "loans was delivered (1 file(s)) but no row loaded" in \
            result[("raw.loans", check)]["reason"]
    assert result[("raw.borrowers", "not_empty")]["status"] == "passed"


def test_types_fail_when_a_column_has_another_type(clean):
    clean.execute("alter table raw.loans alter contract_amount type double")
    o = outcome(clean, "raw.loans", "column_types")
    assert (o.status, o.failing_count) == ("failed", 1)
    assert o.samples == [{"column_name": "contract_amount", "expected_type": "DECIMAL(18,2)",
                          "data_type": "DOUBLE"}]


def test_completeness_fails_on_an_empty_required_cell(clean):
    line = first_line(clean, "loans")
    clean.execute("update raw.loans set product = null where line_number = ?", [line])
    o = outcome(clean, "raw.loans", "not_null:product")
    assert (o.status, o.failing_count, o.severity) == ("failed", 1, "blocking")
    assert o.samples[0]["line_number"] == line


def test_ranges_fail_on_a_negative_amount(clean):
    clean.execute("update raw.payments set principal_paid = -0.01 where line_number = ?",
                  [first_line(clean, "payments")])
    o = outcome(clean, "raw.payments", "not_negative:principal_paid")
    assert (o.status, o.failing_count) == ("failed", 1)
    assert o.samples[0]["principal_paid"] == -0.01


def test_ranges_boundary_zero_passes(clean):
    clean.execute("update raw.payments set principal_paid = 0 where line_number = ?",
                  [first_line(clean, "payments")])
    assert outcome(clean, "raw.payments", "not_negative:principal_paid").status == "passed"


def test_due_dates_outside_the_contract_warn(clean):
    loan_id, maturity = clean.execute(
        "select loan_id, maturity_date from raw.loans order by loan_id limit 1").fetchone()
    clean.execute("update raw.repayment_schedule set due_date = ? where loan_id = ? "
                  "and installment_no = 1", [maturity, loan_id])
    assert outcome(clean, "raw.repayment_schedule", "due_date_within_contract").status == \
        "passed"  # on the maturity date: inside
    clean.execute("update raw.repayment_schedule set due_date = ? where loan_id = ? "
                  "and installment_no = 1", [maturity + dt.timedelta(days=1), loan_id])
    o = outcome(clean, "raw.repayment_schedule", "due_date_within_contract")
    assert (o.status, o.failing_count, o.severity) == ("failed", 1, "warning")


def test_unique_key_fails_on_a_duplicated_loan_id_the_loader_quarantined(tmp_path):
    folder = write_batch(tmp_path / "landing")
    path = folder / FILE_NAMES["loans"]
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([*lines, lines[1]]) + "\n", encoding="utf-8")  # loan 1 again
    from postloan.landing.manifest import seal

    seal(folder)
    con = load_all(tmp_path / "landing")
    duplicated = lines[1].split(",")[0]
    assert con.execute("select count(*) from raw.loans where loan_id = ?", [duplicated]) \
        .fetchone()[0] == 0  # both copies quarantined: raw.loans itself is unique
    o = outcome(con, "raw.loans", "delivered_key_unique")
    assert (o.status, o.failing_count, o.severity) == ("failed", 1, "blocking")
    # The key is named with the file and both lines (the header is line 1).
    assert o.samples == [{"batch_id": o.samples[0]["batch_id"], "duplicated_keys": 1,
                          "duplicated_rows": 2,
                          "keys": f"{duplicated} (loans.csv lines 2, {len(lines) + 1})"}]
    assert outcome(con, "raw.loans", "loaded_key_unique").status == "passed"


def test_unique_key_fails_on_a_duplicate_among_loaded_rows(clean):
    clean.execute("insert into raw.repayment_schedule select * from raw.repayment_schedule "
                  "where line_number = ?", [first_line(clean, "repayment_schedule")])
    o = outcome(clean, "raw.repayment_schedule", "loaded_key_unique")
    assert (o.status, o.failing_count, o.severity) == ("failed", 1, "blocking")
    assert o.samples[0]["copies"] == 2 and o.samples[0]["installment_no"] == 1


def test_references_fail_on_a_payment_to_an_unknown_loan(tmp_path):
    folder = write_batch(tmp_path / "landing")
    with (folder / FILE_NAMES["payments"]).open("a", encoding="utf-8") as fh:
        fh.write("PX,NO-SUCH-LOAN,2024-06-01,1.00,0.00,0.00\n")
    from postloan.landing.manifest import seal

    seal(folder)
    con = load_all(tmp_path / "landing")
    o = outcome(con, "raw.payments", "loan_id->loans")
    assert (o.status, o.failing_count, o.severity) == ("failed", 1, "blocking")
    assert o.samples[0]["value"] == "NO-SUCH-LOAN"


def test_maturity_must_follow_disbursement(clean):
    line = first_line(clean, "loans")
    clean.execute("update raw.loans set maturity_date = disbursement_date + 1 "
                  "where line_number = ?", [line])
    assert outcome(clean, "raw.loans", "maturity_after_disbursement").status == "passed"
    clean.execute("update raw.loans set maturity_date = disbursement_date where line_number = ?",
                  [line])
    o = outcome(clean, "raw.loans", "maturity_after_disbursement")
    assert (o.status, o.failing_count, o.severity) == ("failed", 1, "blocking")


def test_payments_beyond_the_whole_schedule_warn_prepayment_does_not(clean):
    loan_id, due = clean.execute(
        "select loan_id, sum(principal_due + interest_due) from raw.repayment_schedule "
        "group by 1 order by 1 limit 1").fetchone()
    paid = clean.execute("select coalesce(sum(principal_paid + interest_paid), 0) "
                         "from raw.payments where loan_id = ?", [loan_id]).fetchone()[0]
    batch = clean.execute("select batch_id from raw.loans limit 1").fetchone()[0]
    # Prepaying everything still due, on one day, is allowed: paid == the whole schedule.
    clean.execute("insert into raw.payments (payment_id, loan_id, payment_date, principal_paid, "
                  "interest_paid, penalty_paid, batch_id) values ('PRE', ?, ?, ?, 0, 50, ?)",
                  [loan_id, AS_OF, due - paid, batch])
    assert outcome(clean, "raw.payments", "paid_within_schedule").status == "passed"
    clean.execute("update raw.payments set principal_paid = principal_paid + 0.01 "
                  "where payment_id = 'PRE'")
    o = outcome(clean, "raw.payments", "paid_within_schedule")
    assert (o.status, o.failing_count, o.severity) == ("failed", 1, "warning")


def test_control_totals_fail_when_the_manifest_disagrees(tmp_path):
    write_batch(tmp_path / "landing", rows={"loans": 15},
                sums={"payments": {"principal_paid": "1.00"}})
    con = load_all(tmp_path / "landing")
    result = statuses(con)
    assert result[("raw.loans", "control_totals")]["status"] == "failed"
    assert result[("raw.payments", "control_totals")]["status"] == "failed"
    assert result[("raw.borrowers", "control_totals")]["status"] == "skipped"
    o = outcome(con, "raw.loans", "manifest_totals")
    assert o.samples[0]["measure"] == "rows"
    assert (o.samples[0]["expected"], o.samples[0]["actual"]) == ("15", "16")


def test_control_totals_pass_when_they_match(clean):
    assert status(clean, "raw.loans", "control_totals") == "passed"


def _two_batches(root: Path, n_first: int, n_second: int) -> duckdb.DuckDBPyConnection:
    write_batch(root, as_of="2024-05-31", n_loans=n_first, seed=1)
    write_batch(root, as_of="2024-06-30", n_loans=n_second, seed=2)
    return load_all(root)


@pytest.mark.parametrize(("n_second", "expected"), [(8, "passed"), (7, "failed"),
                                                    (16, "passed")])
def test_volume_warns_when_a_batch_is_far_smaller_than_the_previous(tmp_path, n_second,
                                                                    expected):
    con = _two_batches(tmp_path / "landing", 16, n_second)  # min ratio 0.5: 8 of 16 is enough
    result = statuses(con)[("raw.loans", "volume")]
    assert result["status"] == expected
    assert result["blocking"] is False


def test_volume_fails_on_an_empty_batch_after_a_full_one(tmp_path):
    root = tmp_path / "landing"
    write_batch(root, as_of="2024-05-31", n_loans=8, seed=1)
    folder = root / "empty"
    write_csv(folder / "loans.csv", HEADERS["loans"], [])
    write_csv(folder / "borrowers.csv", HEADERS["borrowers"], [])
    write_manifest(folder, files={"borrowers": "borrowers.csv", "loans": "loans.csv"})
    con = load_all(root)
    assert statuses(con)[("raw.loans", "volume")]["status"] == "failed"


@pytest.mark.parametrize(("days", "expected"), [(7, "passed"), (8, "failed")])
def test_freshness_warns_when_the_latest_as_of_is_too_old(clean, days, expected):
    result = statuses(clean, today=AS_OF + dt.timedelta(days=days))[("raw.batches",
                                                                      "freshness")]
    assert result["status"] == expected
    assert result["blocking"] is False


def test_freshness_is_skipped_not_passed_without_a_portfolio_batch(tmp_path):
    folder = tmp_path / "ref"
    write_csv(folder / "industries.csv", ["scheme", "code", "name", "level"],
              [["GB/T 4754-2017", "A", "农、林、牧、渔业", "0"]])
    write_manifest(folder, kind="reference", currency="",
                   files={"industries": "industries.csv"})
    con = load_all(tmp_path)
    result = statuses(con)
    assert result[("raw.batches", "freshness")]["status"] == "skipped"
    assert result[("raw.batches", "freshness")]["reason"] == "no portfolio batch in this build"
    assert result[("raw.industries", "completeness")]["status"] == "passed"
    assert result[("raw.loans", "completeness")]["status"] == "skipped"


# --------------------------------------------------------------------------------------------
# Errors are errored, never passed


def test_a_check_that_cannot_run_is_errored(clean):
    clean.execute("drop table raw.repayment_schedule")
    result = statuses(clean)
    assert result[("raw.payments", "consistency")]["status"] == "errored"
    assert result[("raw.payments", "consistency")]["blocking"] is False
    assert result[("raw.repayment_schedule", "completeness")]["status"] == "errored"
    assert result[("raw.repayment_schedule", "types")]["status"] == "failed"  # columns gone
    failures = blocking_failures(run_landing_suites(clean, today=TODAY))
    assert {o.status for o in failures} == {"errored", "failed"}
    assert not [k for k, v in result.items()
                if k[0] == "raw.repayment_schedule" and v["status"] == "passed"
                and k[1] not in ("not_empty", "control_totals")]  # from the load log


def test_a_great_expectations_failure_is_errored(clean, monkeypatch):
    def broken(*_args, **_kwargs):
        raise RuntimeError("metric store unavailable")

    monkeypatch.setattr(engine, "_validate", broken)
    outcomes = run_landing_suites(clean, today=TODAY)
    ran = [o for o in outcomes if o.status != "skipped"]
    assert ran and {o.status for o in ran} == {"errored"}
    assert "metric store unavailable" in ran[0].reason


def test_the_profile_is_one_scan_per_relation():
    rule = engine.Rule("raw.x", "ranges", "r", engine.BLOCKING, "raw.x", "a < 0", "d")
    other = engine.Rule("raw.x", "ranges", "s", engine.BLOCKING, "raw.x", "b is null", "d")
    assert engine.profile_sql("raw.x", [rule, other]) == (
        "select count(*) as rows_checked, count(*) filter (where coalesce((a < 0), false)) as f0, "
        "count(*) filter (where coalesce((b is null), false)) as f1 from raw.x as _r")


def test_checks_of_one_relation_share_a_scan_and_a_broken_rule_errors_only_its_check(
        monkeypatch):
    con = duckdb.connect()
    con.execute("create schema raw")
    con.execute("create table raw.x as select * from (values (1, null), (-2, 'b')) t(a, b)")
    scans = []
    real = engine.profile_sql
    monkeypatch.setattr(engine, "profile_sql",
                        lambda relation, rules: scans.append(len(rules)) or real(relation, rules))
    rules = [engine.Rule("raw.x", "ranges", "a_nonnegative", engine.BLOCKING, "raw.x", "a < 0",
                         "d"),
             engine.Rule("raw.x", "completeness", "b_not_null", engine.BLOCKING, "raw.x",
                         "b is null", "d")]
    outcomes = {o.rule: (o.status, o.failing_count) for o in engine.run_rules(con, rules)}
    assert scans == [2]
    assert outcomes == {"a_nonnegative": ("failed", 1), "b_not_null": ("failed", 1)}

    scans.clear()
    broken = [*rules, engine.Rule("raw.x", "types", "c_known", engine.BLOCKING, "raw.x",
                                  "c is null", "d")]
    outcomes = {o.rule: (o.status, o.failing_count) for o in engine.run_rules(con, broken)}
    assert scans == [3, 1, 1, 1]  # the shared scan, then each check on its own
    assert outcomes == {"a_nonnegative": ("failed", 1), "b_not_null": ("failed", 1),
                        "c_known": ("errored", None)}


# --------------------------------------------------------------------------------------------
# Reporting suites, on hand-built reporting tables


def reporting_db(loans: list[tuple], summary: list[tuple]) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("create schema raw; create schema reporting")
    con.execute("create table raw.batches (batch_status varchar, kind varchar)")
    con.execute("insert into raw.batches values ('published', 'portfolio')")
    for table, rows in (("loans", loans), ("loan_classification", loans and CLEAN_LOANS)):
        con.execute(f"create table reporting.{table} (portfolio_id varchar, as_of_date date, "
                    f"loan_id varchar, loan_status varchar, outstanding_principal decimal(20,2), "
                    f"dpd integer)")
        if rows:
            con.executemany(f"insert into reporting.{table} values (?, ?, ?, ?, ?, ?)", rows)
    con.execute("create table reporting.portfolio_summary (portfolio_id varchar, as_of_date date, "
                "loan_count integer, outstanding_principal decimal(20,2), "
                "overdue_principal decimal(20,2), dpd_over_90_principal decimal(20,2))")
    if summary:
        con.executemany("insert into reporting.portfolio_summary values (?, ?, ?, ?, ?, ?)",
                        summary)
    return con


CLEAN_LOANS = [("p", AS_OF, "L1", "outstanding", "100.00", 0),
               ("p", AS_OF, "L2", "outstanding", "50.50", 95),
               ("p", AS_OF, "L3", "closed", "0.00", 0)]
CLEAN_SUMMARY = [("p", AS_OF, 2, "150.50", "50.50", "50.50")]


def reporting_status(con) -> dict[tuple[str, str], str]:
    return {k: v["status"] for k, v in summarise(run_reporting_suites(con)).items()}


def test_reporting_suites_pass_on_consistent_tables():
    result = reporting_status(reporting_db(CLEAN_LOANS, CLEAN_SUMMARY))
    assert set(result.values()) == {"passed"}
    assert len(result) == 9


@pytest.mark.parametrize(("loans", "summary", "failed", "also"), [
    # A duplicated loan also doubles its balance in the sum the summary is compared with.
    ([*CLEAN_LOANS, CLEAN_LOANS[0]], CLEAN_SUMMARY, ("reporting.loans", "unique_key"),
     ("reporting.portfolio_summary", "consistency")),
    ([("p", AS_OF, None, "closed", "0.00", 0), *CLEAN_LOANS], CLEAN_SUMMARY,
     ("reporting.loans", "completeness"), None),
    ([*CLEAN_LOANS[:2], ("p", AS_OF, "L3", "closed", "0.00", -1)], CLEAN_SUMMARY,
     ("reporting.loans", "ranges"), None),
    (CLEAN_LOANS, [("p", AS_OF, 2, "150.50", "150.51", "50.50")],
     ("reporting.portfolio_summary", "consistency"), None),
    (CLEAN_LOANS, [("p", AS_OF, 2, "150.49", "50.50", "50.50")],
     ("reporting.portfolio_summary", "consistency"), None),
])
def test_reporting_suites_fail_on_bad_tables(loans, summary, failed, also):
    result = reporting_status(reporting_db(loans, summary))
    assert result[failed] == "failed"
    expected = [failed, also] if also else [failed]
    assert [k for k, v in result.items() if v != "passed"] == expected


def test_reporting_suites_fail_on_empty_tables_of_a_portfolio_build():
    result = reporting_status(reporting_db([], []))
    assert set(result.values()) == {"failed"}


def test_reporting_suites_skip_a_reference_only_build():
    con = reporting_db([], [])
    con.execute("update raw.batches set kind = 'reference'")
    outcomes = run_reporting_suites(con)
    assert {o.status for o in outcomes} == {"skipped"}
    assert outcomes[0].reason == "no portfolio batch in this build (reference data only)"


# --------------------------------------------------------------------------------------------
# dbt tests as outcomes


def test_dbt_tests_become_outcomes_with_severity():
    manifest = {"nodes": {
        "model.postloan.loans": {"name": "loans", "config": {"schema": "reporting"}},
        "test.postloan.unique_loans.1": {"name": "unique_loans", "config": {"severity": "ERROR"},
                                         "attached_node": "model.postloan.loans"},
        "test.postloan.soft.2": {"name": "soft", "config": {"severity": "warn"},
                                 "depends_on": {"nodes": ["model.postloan.loans"]}},
    }}
    run_results = {"results": [
        {"unique_id": "test.postloan.unique_loans.1", "status": "fail", "failures": 3,
         "message": "Got 3 results"},
        {"unique_id": "test.postloan.soft.2", "status": "pass", "failures": 0},
        {"unique_id": "model.postloan.loans", "status": "success"},
    ]}
    out = dbt_test_outcomes(run_results, manifest)
    assert [(o.asset, o.rule, o.severity, o.status, o.failing_count) for o in out] == [
        ("reporting.loans", "unique_loans", "blocking", "failed", 3),
        ("reporting.loans", "soft", "warning", "passed", 0),
    ]
    assert json.loads(out[0].as_row()["samples"]) == []


def test_the_log_beside_the_warehouse_keeps_the_last_30_builds(tmp_path):
    warehouse = tmp_path / "postloan.duckdb"
    outcome_ = engine.Outcome("raw.loans", "completeness", "not_null:loan_id", "blocking",
                              "passed", "0 of 3 rows", 0, 3, "d")
    for n in range(32):
        append_log(warehouse, rows_for([outcome_, outcome_], f"run-{n:02d}", "great_expectations"))
    builds = [r["build_id"] for r in read_log(warehouse)]
    assert builds == [f"run-{n:02d}" for n in range(2, 32) for _ in range(2)]


@pytest.mark.parametrize("entity", ["repayment_schedule", "payments", "borrowers"])
def test_no_check_passes_on_an_empty_delivered_file(tmp_path, entity):
    """The file is delivered with its header only, and the manifest's control total says 0 rows:
    even the control total, which matches, is not a pass on an empty file."""
    folder = write_batch(tmp_path / "landing", control_totals=True)
    write_csv(folder / FILE_NAMES[entity], HEADERS[entity], [])
    import yaml

    from postloan.landing.manifest import seal

    manifest = yaml.safe_load((folder / "manifest.yaml").read_text(encoding="utf-8"))
    manifest["files"][entity]["rows"] = 0
    (folder / "manifest.yaml").write_text(yaml.safe_dump(manifest), encoding="utf-8")
    seal(folder)
    con = load_all(tmp_path / "landing")
    result = {check: s["status"] for (asset, check), s in statuses(con).items()
              if asset == f"raw.{entity}"}
    assert set(result.values()) == {"failed"}, result
    expected = {"not_empty", "types", "completeness", "unique_key", "control_totals"}
    expected |= {"repayment_schedule": {"ranges", "within_contract", "references"},
                 "payments": {"ranges", "references", "consistency"},
                 "borrowers": {"ranges"}}[entity]
    assert set(result) == expected
    severities = {o.severity for o in run_landing_suites(con, today=TODAY)
                  if o.asset == f"raw.{entity}"}
    assert severities == {"warning" if entity == "payments" else "blocking"}


def test_a_failed_rule_names_its_first_failing_rows():
    """A stopped build's message shows up to three failing rows, so the operator knows which
    value to look for without opening the check log."""
    samples = [{"batch_id": "b1", "value": f"L{i}"} for i in range(5)]
    failed = engine.Outcome("raw.payments", "references", "loan_id->loans", "blocking",
                            "failed", "5 of 300 rows", 5, 300,
                            "every loan_id is a delivered loans row", samples=samples)
    passed = engine.Outcome("raw.payments", "references", "other", "blocking", "passed", "", 0,
                            300, "")
    summary = summarise([failed, passed])[("raw.payments", "references")]
    assert summary["problems"] == ("loan_id->loans: failed (5 of 300 rows) e.g. batch_id=b1, "
                                   "value=L0 | batch_id=b1, value=L1 | batch_id=b1, value=L2")
    failed.samples = []
    assert summarise([failed])[("raw.payments", "references")]["problems"] == (
        "loan_id->loans: failed (5 of 300 rows)")
