"""Classes replayed at past month-ends (history.fct_loan_month_ends, class_basis 'replayed').

A delivery as of 2024-06-30 replays every month-end since the first disbursement. Each loan below
puts one rule of the replay at stake, on both sides of its boundary, with the expected class at
each month-end:

* overrides: the latest approved on or before the date is in force, even when it is lower than
  an earlier one, and one approved on a month-end counts at that month-end;
* event floors: refinancing (关注, B3.3) and bankruptcy (损失, B6.2) from the event date on;
  a restructuring keeps the loan at least 关注 from the event until 12 months later, exclusive
  (B12, var observation_months);
* DPD floors, general and credit-card (B15; the build names product ``card`` a credit card):
  DPD 90 is 关注 for both, DPD 121 is 次级 for a term loan and 可疑 for a card;
* the non-retail obligor rules: another loan of the obligor NPL lifts the rest to 关注 (B3.4);
  an NPL share of the obligor's claims above 10% makes all of them NPL (B7), and exactly 10% does
  not; a retail borrower is not lifted.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from postloan.cli import run_build
from tests.helpers import write_csv, write_manifest

D = dt.date
AS_OF = D(2024, 6, 30)
FAR = D(2026, 12, 31)
START = D(2024, 1, 5)


@dataclass
class Loan:
    loan_id: str
    borrower_id: str
    schedule: list[tuple[dt.date, str]]  # (due date, principal); no interest
    disbursed: dt.date = START
    product: str = "term"
    events: list[tuple[dt.date, str]] = field(default_factory=list)
    overrides: list[tuple[dt.date, str]] = field(default_factory=list)

    @property
    def amount(self) -> str:
        return str(sum((Decimal(p) for _, p in self.schedule), Decimal(0)))


BORROWERS = {"CORP1": "corporate", "CORP2": "corporate"}

LOANS = [
    Loan("OV", "R-OV", [(FAR, "1000.00")],
         overrides=[(D(2024, 3, 15), "substandard"), (D(2024, 5, 10), "special_mention")]),
    Loan("OVB", "R-OVB", [(FAR, "1000.00")], overrides=[(D(2024, 3, 31), "doubtful")]),
    Loan("RS", "R-RS", [(FAR, "1000.00")], disbursed=D(2023, 4, 10),
         events=[(D(2023, 5, 31), "restructuring")]),
    Loan("RF", "R-RF", [(FAR, "1000.00")], events=[(D(2024, 2, 10), "refinancing")]),
    Loan("BK", "R-BK", [(FAR, "1000.00")], events=[(D(2024, 3, 31), "bankruptcy")]),
    # Due 2024-01-31, never paid: DPD 90 at 2024-04-30 and 121 at 2024-05-31.
    Loan("CARD", "R-CARD", [(D(2024, 1, 31), "100.00"), (FAR, "900.00")], product="card"),
    Loan("TERM", "R-TERM", [(D(2024, 1, 31), "100.00"), (FAR, "900.00")]),
    # Corporate obligors: one loan NPL from 2024-05-31 (DPD 121), 100 of 1,000 (10%) for
    # CORP1, 101 of 1,000 (10.1%) for CORP2. The retail borrower R-TWIN has the same loans.
    Loan("C1A", "CORP1", [(D(2024, 1, 31), "100.00")]),
    Loan("C1B", "CORP1", [(FAR, "900.00")]),
    Loan("C2A", "CORP2", [(D(2024, 1, 31), "101.00")]),
    Loan("C2B", "CORP2", [(FAR, "899.00")]),
    Loan("TWA", "R-TWIN", [(D(2024, 1, 31), "101.00")]),
    Loan("TWB", "R-TWIN", [(FAR, "899.00")]),
]


def write_portfolio(root: Path) -> None:
    folder = root / "replay" / AS_OF.isoformat()
    borrowers = sorted({ln.borrower_id for ln in LOANS})
    write_csv(folder / "borrowers.csv", ["borrower_id", "borrower_name", "borrower_type"],
              [[b, f"测试{b}", BORROWERS.get(b, "retail")] for b in borrowers])
    write_csv(folder / "loans.csv",
              ["loan_id", "borrower_id", "product", "contract_amount", "disbursement_date",
               "maturity_date", "guarantee_type"],
              [[ln.loan_id, ln.borrower_id, ln.product, ln.amount, ln.disbursed.isoformat(),
                max(d for d, _ in ln.schedule).isoformat(), "credit"] for ln in LOANS])
    write_csv(folder / "repayment_schedule.csv",
              ["loan_id", "installment_no", "due_date", "principal_due", "interest_due"],
              [[ln.loan_id, n, d.isoformat(), p, "0.00"] for ln in LOANS
               for n, (d, p) in enumerate(ln.schedule, start=1)])
    write_csv(folder / "payments.csv",
              ["payment_id", "loan_id", "payment_date", "principal_paid", "interest_paid"], [])
    write_csv(folder / "loan_events.csv", ["loan_id", "event_date", "event_type"],
              [[ln.loan_id, d.isoformat(), t] for ln in LOANS for d, t in ln.events])
    write_csv(folder / "overrides.csv",
              ["loan_id", "override_class", "reason", "approver", "approved_on"],
              [[ln.loan_id, c, "committee review", "张审批", d.isoformat()]
               for ln in LOANS for d, c in ln.overrides])
    write_manifest(folder, portfolio_id="replay", as_of=AS_OF.isoformat(), files={
        "borrowers": "borrowers.csv", "loans": "loans.csv",
        "repayment_schedule": "repayment_schedule.csv", "payments": "payments.csv",
        "loan_events": "loan_events.csv", "classification_overrides": "overrides.csv"})


@pytest.fixture(scope="module")
def con(tmp_path_factory) -> duckdb.DuckDBPyConnection:
    root = tmp_path_factory.mktemp("replay")
    write_portfolio(root / "landing")
    warehouse = root / "wh" / "postloan.duckdb"
    assert run_build(root / "landing", warehouse, ephemeral=True, log_level="WARNING",
                     dbt_vars=json.dumps({"credit_card_products": ["card"]})) == 0
    return duckdb.connect(str(warehouse), read_only=True)


def classes(con, loan_id: str) -> dict[dt.date, tuple[str, str]]:
    """{month-end: (five_class, class_basis)} of one loan."""
    return {d: (c, b) for d, c, b in con.execute(
        "select as_of_date, five_class, class_basis from history.fct_loan_month_ends "
        "where portfolio_id = 'replay' and loan_id = ? order by as_of_date", [loan_id]
    ).fetchall()}


def at(con, loan_id: str, *dates: dt.date) -> list[str]:
    got = classes(con, loan_id)
    assert all(got[d][1] == "replayed" for d in dates)
    return [got[d][0] for d in dates]


JAN, FEB, MAR, APR, MAY = (D(2024, 1, 31), D(2024, 2, 29), D(2024, 3, 31), D(2024, 4, 30),
                           D(2024, 5, 31))


def test_history_dates_start_at_the_first_disbursement_and_end_delivered(con):
    got = classes(con, "RS")
    assert min(got) == D(2023, 4, 30)
    assert got[AS_OF][1] == "delivered"
    assert len(got) == 15  # April 2023 .. June 2024


def test_the_override_in_force_is_the_latest_approved_by_the_date(con):
    assert at(con, "OV", JAN, FEB, MAR, APR, MAY) == [
        "pass", "pass", "substandard", "substandard", "special_mention"]
    # Approved on the month-end itself: in force at it.
    assert at(con, "OVB", FEB, MAR, APR) == ["pass", "doubtful", "doubtful"]


def test_event_floors_from_the_event_date(con):
    assert at(con, "RF", JAN, FEB, MAY) == ["pass", "special_mention", "special_mention"]
    assert at(con, "BK", FEB, MAR, MAY) == ["pass", "loss", "loss"]


def test_restructuring_observation_period_both_ends(con):
    # Restructured 2023-05-31: 关注 from that day until 2024-05-31, exclusive.
    assert at(con, "RS", D(2023, 4, 30), D(2023, 5, 31), APR, MAY) == [
        "pass", "special_mention", "special_mention", "pass"]


def test_dpd_floors_general_and_credit_card(con):
    dpd = dict(con.execute(
        "select as_of_date, dpd from history.fct_loan_month_ends "
        "where portfolio_id = 'replay' and loan_id = 'CARD' and as_of_date in (?, ?, ?)",
        [JAN, APR, MAY]).fetchall())
    assert dpd == {JAN: 0, APR: 90, MAY: 121}
    assert at(con, "CARD", JAN, FEB, APR, MAY) == [
        "pass", "special_mention", "special_mention", "doubtful"]
    assert at(con, "TERM", JAN, FEB, APR, MAY) == [
        "pass", "special_mention", "special_mention", "substandard"]


def test_obligor_rules_at_replayed_month_ends(con):
    # The NPL loan itself.
    assert at(con, "C1A", APR, MAY) == ["special_mention", "substandard"]
    # CORP1: 100 of 1,000 NPL is not above 10%: the other loan is 关注 (B3.4), not NPL.
    assert at(con, "C1B", APR, MAY) == ["pass", "special_mention"]
    # CORP2: 101 of 1,000 is above 10%: all its claims are NPL (B7).
    assert at(con, "C2B", APR, MAY) == ["pass", "substandard"]
    # A retail borrower's other loan is not lifted.
    assert at(con, "TWA", MAY) == ["substandard"]
    assert at(con, "TWB", APR, MAY) == ["pass", "pass"]
