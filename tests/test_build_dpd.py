"""A whole build (Dagster -> dbt -> publish) over batches written from the domain-rule examples.

Days past due follow domain rules A1-A3 and the buckets K5; every expected value below is the
worked example's own number or a boundary on either side of it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from postloan.cli import run_build
from postloan.runlog import read_runs
from tests.helpers import write_csv, write_manifest

BORROWERS = ["borrower_id", "borrower_name", "borrower_type"]
LOANS = ["loan_id", "borrower_id", "product", "contract_amount", "disbursement_date",
         "maturity_date", "guarantee_type"]
SCHEDULE = ["loan_id", "installment_no", "due_date", "principal_due", "interest_due"]
PAYMENTS = ["payment_id", "loan_id", "payment_date", "principal_paid", "interest_paid"]
EVENTS = ["loan_id", "event_date", "event_type", "amount"]

BOUNDARY_DAYS = (0, 1, 30, 31, 45, 60, 61, 90, 91, 120, 121, 150, 151, 180, 181, 365)
AS_OF_BOUNDARY = dt.date(2024, 6, 30)


def _loans_and_rows(as_of: dt.date):
    """Loans, schedule, payments and events of the example portfolio, as known on as_of."""
    loans, schedule, payments, events = [], [], [], []
    # A1: oldest unpaid installment due 2024-01-31.
    loans.append(["A1", "B1", "term", "3000.00", "2023-12-31", "2024-03-31", "credit"])
    for n, due in enumerate(("2024-01-31", "2024-02-29", "2024-03-31"), start=1):
        schedule.append(["A1", n, due, "1000.00", "0.00"])
    # A3: 10,000 due each month-end; 10,000 paid 01-31 and 6,000 on 02-29.
    loans.append(["A3", "B1", "term", "40000.00", "2023-12-31", "2024-04-30", "credit"])
    for n, due in enumerate(("2024-01-31", "2024-02-29", "2024-03-31", "2024-04-30"), start=1):
        schedule.append(["A3", n, due, "10000.00", "0.00"])
    payments.append(["P-A3-1", "A3", "2024-01-31", "10000.00", "0.00"])
    payments.append(["P-A3-2", "A3", "2024-02-29", "6000.00", "0.00"])
    # A2: bullet principal 2025-06-30; monthly interest on the 20th, unpaid from 2024-03-20.
    loans.append(["A2", "B1", "bullet", "5000.00", "2024-01-20", "2025-06-30", "credit"])
    interest_dates = [dt.date(2024, m, 20) for m in range(2, 13)]
    for n, due in enumerate(interest_dates, start=1):
        schedule.append(["A2", n, due.isoformat(), "0.00", "25.00"])
    schedule.append(["A2", len(interest_dates) + 1, "2025-06-30", "5000.00", "0.00"])
    payments.append(["P-A2-1", "A2", "2024-02-20", "0.00", "25.00"])
    # K5 boundaries: one installment of 100 due d days before the 2024-06-30 as-of date.
    for d in BOUNDARY_DAYS:
        due = AS_OF_BOUNDARY - dt.timedelta(days=d)
        loans.append([f"D{d:03d}", "B2", "bullet", "100.00", "2023-01-01",
                      due.isoformat(), "credit"])
        schedule.append([f"D{d:03d}", 1, due.isoformat(), "100.00", "0.00"])
    # A closed loan and a written-off one.
    loans.append(["CLOSED", "B2", "term", "200.00", "2024-01-01", "2024-02-01", "credit"])
    schedule.append(["CLOSED", 1, "2024-02-01", "200.00", "1.50"])
    payments.append(["P-C-1", "CLOSED", "2024-02-01", "200.00", "1.50"])
    loans.append(["WO", "B2", "term", "300.00", "2023-01-01", "2023-06-30", "credit"])
    schedule.append(["WO", 1, "2023-06-30", "300.00", "0.00"])
    events.append(["WO", "2024-01-15", "write_off", "300.00"])

    known_loans = [r for r in loans if r[4] <= as_of.isoformat()]
    ids = {r[0] for r in known_loans}
    return (
        known_loans,
        [r for r in schedule if r[0] in ids],
        [r for r in payments if r[2] <= as_of.isoformat()],
        [r for r in events if r[1] <= as_of.isoformat()],
    )


def _write_batch(folder: Path, as_of: dt.date) -> None:
    loans, schedule, payments, events = _loans_and_rows(as_of)
    write_csv(folder / "borrowers.csv", BORROWERS, [["B1", "示例企业", "sme"],
                                                    ["B2", "示例个人", "retail"]])
    write_csv(folder / "loans.csv", LOANS, loans)
    write_csv(folder / "repayment_schedule.csv", SCHEDULE, schedule)
    write_csv(folder / "payments.csv", PAYMENTS, payments)
    write_csv(folder / "loan_events.csv", EVENTS, events)
    write_manifest(folder, portfolio_id="examples", as_of=as_of.isoformat(), files={
        "borrowers": "borrowers.csv", "loans": "loans.csv",
        "repayment_schedule": "repayment_schedule.csv", "payments": "payments.csv",
        "loan_events": "loan_events.csv"})


AS_OF_DATES = (dt.date(2024, 1, 31), dt.date(2024, 2, 1), dt.date(2024, 5, 15), AS_OF_BOUNDARY)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("dpd")
    for as_of in AS_OF_DATES:
        _write_batch(root / "landing" / as_of.isoformat(), as_of)
    path = root / "warehouse" / "postloan.duckdb"
    assert run_build(root / "landing", path, ephemeral=True, log_level="WARNING") == 0
    return path


def _loan(con, loan_id: str, as_of: dt.date):
    return con.execute(
        "select dpd, dpd_bucket, outstanding_principal, loan_status, dpd_over_30, dpd_over_90 "
        "from reporting.loans where loan_id = ? and as_of_date = ?", [loan_id, as_of]).fetchone()


@pytest.mark.slow
def test_a1_oldest_unpaid_installment_sets_dpd(warehouse):
    con = duckdb.connect(str(warehouse), read_only=True)
    assert _loan(con, "A1", dt.date(2024, 5, 15))[0] == 105
    assert _loan(con, "A1", dt.date(2024, 1, 31))[0] == 0   # on the due date
    assert _loan(con, "A1", dt.date(2024, 2, 1))[0] == 1    # the day after


@pytest.mark.slow
def test_a3_partial_payments_apply_oldest_first(warehouse):
    con = duckdb.connect(str(warehouse), read_only=True)
    dpd, bucket, outstanding, status, *_ = _loan(con, "A3", dt.date(2024, 5, 15))
    assert (dpd, bucket, outstanding, status) == (76, "M3", Decimal("24000.00"), "outstanding")


@pytest.mark.slow
def test_a2_unpaid_interest_makes_a_bullet_loan_overdue(warehouse):
    con = duckdb.connect(str(warehouse), read_only=True)
    dpd, bucket, outstanding, *_ = _loan(con, "A2", AS_OF_BOUNDARY)
    assert (dpd, bucket, outstanding) == (102, "M4", Decimal("5000.00"))


@pytest.mark.slow
def test_bucket_and_flag_boundaries(warehouse):
    con = duckdb.connect(str(warehouse), read_only=True)
    expected_bucket = {0: "M0", 1: "M1", 30: "M1", 31: "M2", 45: "M2", 60: "M2", 61: "M3",
                       90: "M3", 91: "M4", 120: "M4", 121: "M5", 150: "M5", 151: "M6",
                       180: "M6", 181: "M7", 365: "M7"}
    for d in BOUNDARY_DAYS:
        dpd, bucket, _, _, over_30, over_90 = _loan(con, f"D{d:03d}", AS_OF_BOUNDARY)
        assert (dpd, bucket) == (d, expected_bucket[d]), d
        assert over_30 == (d > 30) and over_90 == (d > 90), d


@pytest.mark.slow
def test_closed_and_written_off_loans_leave_the_book(warehouse):
    con = duckdb.connect(str(warehouse), read_only=True)
    assert _loan(con, "CLOSED", AS_OF_BOUNDARY)[:4] == (None, None, Decimal("0.00"), "closed")
    assert _loan(con, "WO", AS_OF_BOUNDARY)[:4] == (None, None, Decimal("0.00"), "written_off")
    assert _loan(con, "WO", dt.date(2024, 1, 31))[3] == "written_off"


@pytest.mark.slow
def test_portfolio_summary_is_exact(warehouse):
    con = duckdb.connect(str(warehouse), read_only=True)
    row = con.execute("""
        select loan_count, outstanding_principal, overdue_loan_count, overdue_principal,
               dpd_over_90_principal, closed_loan_count, written_off_loan_count, provenance
        from reporting.portfolio_summary where as_of_date = ?""", [AS_OF_BOUNDARY]).fetchone()
    # Outstanding: A1 3,000 + A3 24,000 + A2 5,000 + 16 boundary loans x 100.
    # Overdue (DPD > 0): A1, A3, A2 and the 15 boundary loans with d > 0.
    # DPD > 90: A1 (151), A3 (122), A2 (102) and the 8 boundary loans with d in 91..365.
    a1_dpd = (AS_OF_BOUNDARY - dt.date(2024, 1, 31)).days
    a3_dpd = (AS_OF_BOUNDARY - dt.date(2024, 2, 29)).days
    assert (a1_dpd, a3_dpd) == (151, 122)
    assert row == (19, Decimal("33600.00"), 18, Decimal("33500.00"),
                   Decimal("32800.00"), 1, 1, "synthetic")


@pytest.mark.slow
def test_build_is_recorded_and_stamped(warehouse):
    con = duckdb.connect(str(warehouse), read_only=True)
    build_id, version = con.execute(
        "select build_id, postloan_version from meta.build_info").fetchone()
    runs = read_runs(warehouse)
    assert runs[-1]["status"] == "success" and runs[-1]["build_id"] == build_id
    assert version
    statuses = con.execute("select count(*) from reporting.batches "
                           "where batch_status = 'published'").fetchone()[0]
    assert statuses == len(AS_OF_DATES)
    assert con.execute("select bool_and(reconciles) from reporting.load_reconciliation") \
        .fetchone()[0] is True


@pytest.mark.slow
def test_masked_copy_hides_personal_data(warehouse):
    from postloan.publish import masked_path

    full = duckdb.connect(str(warehouse), read_only=True)
    masked = duckdb.connect(str(masked_path(warehouse)), read_only=True)
    assert warehouse.stat().st_mode & 0o777 == 0o640  # owner and group: the names are in it
    assert masked_path(warehouse).stat().st_mode & 0o777 == 0o644
    assert full.execute("select borrower_name from raw.borrowers where borrower_id = 'B1' "
                        "limit 1").fetchone()[0] == "示例企业"
    names = {r[0] for r in masked.execute(
        "select borrower_name from staging.stg_landing__borrowers").fetchall()}
    assert names == {"示***"}  # 示例企业 and 示例个人 alike
    assert masked.execute("select published_copy, build_id from meta.build_info").fetchone() == \
        ("masked", full.execute("select build_id from meta.build_info").fetchone()[0])
    # The same figures, only the personal columns differ.
    query = "select sum(outstanding_principal), count(*) from reporting.loans"
    assert masked.execute(query).fetchone() == full.execute(query).fetchone()


@pytest.mark.slow
def test_analyst_route_duckdb_cli_reads_the_published_file(warehouse):
    """The README's route: the pinned duckdb CLI, read-only, runs the README's example queries."""
    import re
    import subprocess
    import sys

    cli = Path(sys.executable).with_name("duckdb")
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```sql\n(.*?)```", readme, re.S).group(1)
    statements = [s.strip() for s in block.split(";") if s.strip()]
    assert len(statements) == 2
    for sql in statements:
        done = subprocess.run([str(cli), "-readonly", str(warehouse), "-csv", "-c", sql],
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0 and not done.stderr, done.stderr
    first = subprocess.run([str(cli), "-readonly", str(warehouse), "-csv", "-noheader", "-c",
                            statements[0]], capture_output=True, text=True, timeout=60)
    last_line = first.stdout.strip().splitlines()[-1]
    assert last_line == "examples,2024-06-30,CNY,19,33600.00,99.7"  # 33,500 / 33,600


@pytest.mark.slow
def test_masked_copy_holds_no_trace_of_the_originals(warehouse):
    """Masking must not leave the original names in freed blocks of the file."""
    from postloan.publish import masked_path

    data = masked_path(warehouse).read_bytes()
    for original in ("示例企业", "示例个人"):
        assert original.encode("utf-8") not in data
    assert "示例企业".encode() in warehouse.read_bytes()  # the check can see them when present
