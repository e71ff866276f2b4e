"""Post-loan monitoring on the worked examples of domain rules J and L, end to end.

Every loan below is built so that one signal or one deadline is at stake, at its default
threshold and on both sides of it. Five portfolios, built together in one warehouse:

* ``signals`` as of 2024-06-30: J1-J3, J5-J15, J17, the L6 guarantee examples and the quarterly
  post-loan checks (L7);
* ``history`` as of 2024-05-31 and 2024-06-30: J18 class downgrade, first_seen and the watchlist
  history (entered, escalated, cleared);
* ``collection`` as of 2024-07-03: the L2 collection notice (due 2024-06-30 -> by 2024-07-05);
* ``notices`` as of 2026-05-15: L1 maturity notices (2026-06-30 medium-term -> 2026-05-30);
* ``legal`` as of 2027-06-30: the L5 limitation period (2025-03-15 -> 2028-03-15, restarted by a
  demand acknowledged 2027-01-10 -> 2030-01-10).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.pages_ import monitoring as page
from postloan.cli import run_build
from tests.dashboard_apptest import checked, run_app
from tests.helpers import write_csv, write_manifest

D = dt.date
AS_OF = D(2024, 6, 30)
FAR = D(2026, 6, 30)


@dataclass
class Loan:
    loan_id: str
    schedule: list[tuple[dt.date, str, str]]
    payments: list[tuple[dt.date, str, str]] = field(default_factory=list)
    borrower: str = ""
    amount: str = ""
    disbursed: dt.date = D(2023, 1, 1)
    original_maturity: dt.date | None = None
    events: list[tuple[dt.date, str]] = field(default_factory=list)
    branch: str = "Head office"
    officer: str = "王经理"
    judgmental: str = ""

    def __post_init__(self):
        self.borrower = self.borrower or f"B-{self.loan_id}"
        if not self.amount:
            total = sum((Decimal(p) for _, p, _ in self.schedule), Decimal(0))
            self.amount = str(total)


@dataclass
class Borrower:
    borrower_id: str
    borrower_type: str = "corporate"
    net_assets: str = ""
    bureau_total: str = ""
    bureau_over_90: str = ""
    npl_elsewhere: str = ""


@dataclass
class Book:
    loans: list[Loan] = field(default_factory=list)
    borrowers: list[Borrower] = field(default_factory=list)
    collateral: list[tuple[str, str, str, str, dt.date]] = field(default_factory=list)
    guarantees: list[tuple[str, str, str, str, str]] = field(default_factory=list)


def bullet(loan_id: str, due: dt.date, amount: str = "1000.00", **kw) -> Loan:
    """One principal installment due on ``due``, unpaid."""
    return Loan(loan_id, [(due, amount, "0.00")], **kw)


def days_before(days: int, as_of: dt.date = AS_OF) -> dt.date:
    return as_of - dt.timedelta(days=days)


def write_book(root: Path, portfolio: str, as_of: dt.date, book: Book,
               capital: dict | None = None) -> None:
    folder = root / portfolio / as_of.isoformat()
    known = {b.borrower_id: b for b in book.borrowers}
    for loan in book.loans:
        known.setdefault(loan.borrower, Borrower(loan.borrower))
    write_csv(folder / "borrowers.csv",
              ["borrower_id", "borrower_name", "borrower_type", "net_assets",
               "bureau_total_debt", "bureau_debt_over_90dpd", "bureau_npl_elsewhere"],
              [[b.borrower_id, f"测试{b.borrower_id}", b.borrower_type, b.net_assets,
                b.bureau_total, b.bureau_over_90, b.npl_elsewhere] for b in known.values()])
    write_csv(folder / "loans.csv",
              ["loan_id", "borrower_id", "product", "contract_amount", "disbursement_date",
               "maturity_date", "original_maturity_date", "guarantee_type", "branch",
               "officer", "judgmental_class"],
              [[ln.loan_id, ln.borrower, "term", ln.amount, ln.disbursed.isoformat(),
                max(d for d, _, _ in ln.schedule).isoformat(),
                ln.original_maturity.isoformat() if ln.original_maturity else "", "credit",
                ln.branch, ln.officer, ln.judgmental] for ln in book.loans])
    write_csv(folder / "repayment_schedule.csv",
              ["loan_id", "installment_no", "due_date", "principal_due", "interest_due"],
              [[ln.loan_id, n, d.isoformat(), p, i] for ln in book.loans
               for n, (d, p, i) in enumerate(sorted(ln.schedule), start=1)])
    write_csv(folder / "payments.csv",
              ["payment_id", "loan_id", "payment_date", "principal_paid", "interest_paid"],
              [[f"{ln.loan_id}-{n}", ln.loan_id, d.isoformat(), p, i] for ln in book.loans
               for n, (d, p, i) in enumerate(ln.payments, start=1) if d <= as_of])
    write_csv(folder / "loan_events.csv", ["loan_id", "event_date", "event_type"],
              [[ln.loan_id, d.isoformat(), t] for ln in book.loans for d, t in ln.events
               if d <= as_of])
    files = {"borrowers": "borrowers.csv", "loans": "loans.csv",
             "repayment_schedule": "repayment_schedule.csv", "payments": "payments.csv",
             "loan_events": "loan_events.csv"}
    if book.collateral:
        write_csv(folder / "collateral.csv",
                  ["collateral_id", "loan_id", "collateral_type", "appraised_value",
                   "appraisal_date"],
                  [[c, ln, t, v, d.isoformat()] for c, ln, t, v, d in book.collateral])
        files["collateral"] = "collateral.csv"
    if book.guarantees:
        write_csv(folder / "guarantees.csv",
                  ["guarantee_id", "loan_id", "guarantor_id", "guaranteed_amount",
                   "guarantee_period_end"], [list(g) for g in book.guarantees])
        files["guarantees"] = "guarantees.csv"
    extra = {"capital": capital} if capital else {}
    write_manifest(folder, portfolio_id=portfolio, as_of=as_of.isoformat(), files=files, **extra)


# ------------------------------------------------------------------------------------------
# signals @ 2024-06-30


def monthly_15th(first: dt.date, count: int) -> list[dt.date]:
    dates, year, month = [], first.year, first.month
    for _ in range(count):
        dates.append(D(year, month, 15))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return dates


def repeated(loan_id: str, late: set[dt.date]) -> Loan:
    """J3: installments of 100 on 2023-06-30 and the 15th of every month from July 2023; those
    in ``late`` are paid 3 days late, the others on their due date."""
    dues = [D(2023, 6, 30), *monthly_15th(D(2023, 7, 15), 24)]
    payments = [(d + dt.timedelta(days=3) if d in late else d, "100.00", "0.00")
                for d in dues if d < AS_OF]
    return Loan(loan_id, [(d, "100.00", "0.00") for d in dues], payments)


def guaranteed(loan_id: str, due: dt.date, guarantor: str, period_end: str = "",
               amount: str = "1000.00") -> tuple[Loan, tuple]:
    return (bullet(loan_id, due, amount),
            (f"G-{loan_id}", loan_id, guarantor, amount, period_end))


def signals_book() -> Book:
    book = Book()
    add = book.loans.append
    # J1 principal DPD: due on the as-of date is DPD 0 (A1); 1 and 90 amber; 91 red.
    for d in (0, 1, 90, 91):
        add(bullet(f"P{d}", days_before(d)))
    # J2 interest arrears: interest due 1 day before, paid / unpaid; 91 days unpaid is red.
    add(Loan("I0", [(days_before(1), "0.00", "10.00"), (FAR, "1000.00", "0.00")],
             [(days_before(1), "0.00", "10.00")]))
    add(Loan("I1", [(days_before(1), "0.00", "10.00"), (FAR, "1000.00", "0.00")]))
    add(Loan("I91", [(days_before(91), "0.00", "10.00"), (FAR, "1000.00", "0.00")]))
    # J3: two late months in the window (a third on 2023-06-30 falls just outside), three.
    add(repeated("R2", {D(2023, 6, 30), D(2024, 1, 15), D(2024, 2, 15)}))
    add(repeated("R3", {D(2024, 1, 15), D(2024, 2, 15), D(2024, 3, 15)}))
    # J5: share of the obligor's balance maturing in (as-of, as-of + 90 days].
    for name, part, due in (("MW30", "300.00", D(2024, 9, 28)),
                            ("MW301", "301.00", D(2024, 9, 28)),
                            ("MW91", "301.00", D(2024, 9, 29))):
        rest = str(Decimal("1000.00") - Decimal(part))
        add(bullet(f"{name}-a", due, part, borrower=name))
        add(bullet(f"{name}-b", FAR, rest, borrower=name))
    # J6: extensions, refinancings and restructurings in the last 12 months.
    add(bullet("M1", FAR, events=[(D(2024, 3, 1), "extension")]))
    add(bullet("M2", FAR, events=[(D(2024, 3, 1), "extension"), (D(2024, 5, 1), "refinancing")]))
    add(bullet("M3", FAR, events=[(D(2023, 6, 30), "extension"),
                                  (D(2024, 5, 1), "restructuring")]))
    # J7 / L3: short-term (limit = original term), medium (half), long (3 years).
    short_orig, medium_orig, long_orig = D(2024, 7, 1), D(2025, 1, 1), D(2024, 6, 1)
    short_term = (short_orig - D(2024, 1, 1)).days  # 182
    medium_half = (medium_orig - D(2022, 1, 1)).days // 2  # 548
    for name, disbursed, orig, maturity in (
        ("X1", D(2024, 1, 1), short_orig, short_orig + dt.timedelta(days=short_term)),
        ("X2", D(2024, 1, 1), short_orig, short_orig + dt.timedelta(days=short_term + 1)),
        ("X3", D(2022, 1, 1), medium_orig, medium_orig + dt.timedelta(days=medium_half)),
        ("X4", D(2022, 1, 1), medium_orig, medium_orig + dt.timedelta(days=medium_half + 1)),
        ("X5", D(2014, 1, 1), long_orig, D(2027, 6, 1)),
        ("X6", D(2014, 1, 1), long_orig, D(2027, 6, 2)),
    ):
        add(bullet(name, maturity, disbursed=disbursed, original_maturity=orig))
    # J8 LTV: balance / collateral 1,000.
    for name, balance in (("LTV70", "700.00"), ("LTV701", "701.00"), ("LTV100", "1000.00"),
                          ("LTV1001", "1001.00")):
        add(bullet(name, FAR, balance))
        book.collateral.append((f"C-{name}", name, "property", "1000.00", D(2024, 6, 1)))
    # J9 decline between the two latest appraisals (a later one after the as-of date ignored);
    # J10 property or land appraised more than 365 days ago; equipment is not checked.
    for name in ("COL-D20", "COL-D19", "COL-S365", "COL-S366", "COL-EQ"):
        add(bullet(name, FAR, "100.00"))
    book.collateral += [
        ("C-D20", "COL-D20", "property", "1000.00", D(2023, 12, 31)),
        ("C-D20", "COL-D20", "property", "800.00", D(2024, 6, 1)),
        ("C-D19", "COL-D19", "property", "1000.00", D(2023, 12, 31)),
        ("C-D19", "COL-D19", "property", "801.00", D(2024, 6, 1)),
        ("C-D19", "COL-D19", "property", "100.00", D(2024, 7, 15)),
        ("C-S365", "COL-S365", "land", "1000.00", D(2023, 7, 1)),
        ("C-S366", "COL-S366", "property", "1000.00", D(2023, 6, 30)),
        ("C-EQ", "COL-EQ", "equipment", "1000.00", D(2020, 1, 1)),
    ]
    # J11: guarantors with their own loans at DPD 0, 5 and 100 (NPL).
    for name, dpd in (("GD0", 0), ("GD5", 5), ("GDN", 100)):
        add(bullet(f"{name}-own", days_before(dpd) if dpd else FAR, borrower=name))
        loan, guarantee = guaranteed(f"{name}-gtd", FAR, name)
        add(loan)
        book.guarantees.append(guarantee)
    # J12: guarantees / net assets 1,000: exactly 1.0; 1,000.01; net assets 0.
    book.borrowers += [Borrower("GX1", net_assets="1000.00"), Borrower("GX2", net_assets="1000.00"),
                       Borrower("GX3", net_assets="0.00")]
    for loan_id, guarantor, amount in (("GX1-a", "GX1", "600.00"), ("GX1-b", "GX1", "400.00"),
                                       ("GX2-a", "GX2", "1000.01"), ("GX3-a", "GX3", "10.00")):
        loan, guarantee = guaranteed(loan_id, FAR, guarantor, amount=amount)
        add(loan)
        book.guarantees.append(guarantee)
    # J13: a two-party and a three-party circle, and a chain that is none.
    for guarantor, borrower in (("CA", "CB"), ("CB", "CA"), ("T1", "T2"), ("T2", "T3"),
                                ("T3", "T1"), ("N1", "N2"), ("N2", "N3")):
        book.guarantees.append((f"G-{guarantor}-{borrower}", f"{borrower}-L", guarantor,
                                "500.00", ""))
    for name in ("CA", "CB", "T1", "T2", "T3", "N1", "N2", "N3"):
        add(bullet(f"{name}-L", FAR, borrower=name))
    # J14 / L6: guarantee period ends 30 / 31 days after the as-of date while the debt is
    # overdue; an agreed end after maturity is used, one before it is replaced by 6 months.
    for loan_id, due, period_end in (("GP30", D(2024, 1, 30), ""), ("GP31", D(2024, 1, 31), ""),
                                     ("GPA", D(2024, 6, 1), "2024-07-15"),
                                     ("GPB", D(2024, 1, 30), "2024-01-01"),
                                     ("L6", D(2024, 3, 15), ""), ("L6-AUG", D(2023, 8, 31), "")):
        loan, guarantee = guaranteed(loan_id, due, "SURETY", period_end)
        add(loan)
        book.guarantees.append(guarantee)
    # J15 / L5: the limitation period ends 90 / 91 days after the as-of date; a demand restarts it.
    early = D(2020, 9, 28)
    add(bullet("LP90", D(2021, 9, 28), disbursed=early))
    add(bullet("LP91", D(2021, 9, 29), disbursed=early))
    add(bullet("LPD", D(2021, 9, 28), disbursed=early,
               events=[(D(2023, 1, 10), "collection_demand")]))
    # J17: credit bureau figures.
    book.borrowers += [
        Borrower("BU0", bureau_total="1000.00", bureau_over_90="0.00"),
        Borrower("BU1", bureau_total="1000.00", bureau_over_90="0.01"),
        Borrower("BU20", bureau_total="1000.00", bureau_over_90="200.00"),
        Borrower("BU21", bureau_total="1000.00", bureau_over_90="201.00"),
        Borrower("BUN", npl_elsewhere="true"),
    ]
    for name in ("BU0", "BU1", "BU20", "BU21", "BUN"):
        add(bullet(f"{name}-L", FAR, borrower=name))
    # L1 at the as-of date: short-term maturing 2024-06-30 -> notice by 2024-06-23.
    add(bullet("S0630", AS_OF, disbursed=D(2024, 1, 1), branch="Branch 02", officer="李经理"))
    # L7 quarterly checks: last check 2024-03-31 -> due 2024-06-30; 2024-03-29 -> 2024-06-29;
    # 2023-11-30 -> 2024-02-29 (month end); none logged -> 3 months after disbursement; retail
    # borrowers get none.
    book.borrowers += [Borrower("PCR", borrower_type="retail"), Borrower("PCS", "sme")]
    for loan_id, checked_on in (("PC1", D(2024, 3, 31)), ("PC2", D(2024, 3, 29)),
                                ("PC3", D(2023, 11, 30))):
        add(bullet(loan_id, FAR, events=[(checked_on, "post_loan_check")]))
    add(bullet("PCS-L", FAR, borrower="PCS", disbursed=D(2024, 5, 31)))
    add(bullet("PCR-L", FAR, borrower="PCR", events=[(D(2024, 1, 1), "post_loan_check")]))
    return book


# ------------------------------------------------------------------------------------------
# history @ 2024-05-31 and 2024-06-30


HISTORY_DATES = (D(2024, 5, 31), D(2024, 6, 30))


def history_book(as_of: dt.date) -> Book:
    """H1 falls due 2024-06-20 unpaid (pass -> special_mention); H2 stays current; H3 is 1 day
    late at 05-31 and paid by 06-30; H4 is 61 then 91 days past due (amber -> red); H5 falls
    due 2024-06-25 unpaid (enters in June). J11 without arrears: guarantor HG's own loan H6,
    always current, is judged special_mention in June; HG guarantees H7."""
    june = as_of == HISTORY_DATES[1]
    return Book(loans=[
        bullet("H1", D(2024, 6, 20)),
        bullet("H2", FAR),
        Loan("H3", [(D(2024, 5, 30), "100.00", "0.00"), (FAR, "900.00", "0.00")],
             [(D(2024, 6, 3), "100.00", "0.00")]),
        bullet("H4", D(2024, 3, 31)),
        Loan("H5", [(D(2024, 6, 25), "100.00", "0.00"), (FAR, "900.00", "0.00")]),
        bullet("H6", FAR, borrower="HG", judgmental="special_mention" if june else "pass"),
        bullet("H7", FAR),
    ], guarantees=[("G-H7", "H7", "HG", "1000.00", "")])


# ------------------------------------------------------------------------------------------
# collection @ 2024-07-03, notices @ 2026-05-15, legal @ 2027-06-30


COLLECTION_AS_OF = D(2024, 7, 3)
NOTICES_AS_OF = D(2026, 5, 15)
LEGAL_AS_OF = D(2027, 6, 30)


def collection_book() -> Book:
    return Book(loans=[
        bullet("CN", D(2024, 6, 30)),
        bullet("CND", D(2024, 6, 30), events=[(D(2024, 7, 2), "collection_demand")]),
        bullet("CNL", D(2024, 6, 27)),
        # Two missed installments: the notice follows the latest one.
        Loan("CN2", [(D(2024, 5, 31), "100.00", "0.00"), (D(2024, 6, 30), "100.00", "0.00"),
                     (FAR, "800.00", "0.00")]),
    ])


def notices_book() -> Book:
    medium = D(2024, 1, 1)
    return Book(loans=[
        bullet("N-MED", D(2026, 6, 30), disbursed=medium),          # -> 2026-05-30
        bullet("N-MEND", D(2026, 5, 31), disbursed=medium),         # -> 2026-04-30 (month end)
        bullet("N-S20", D(2026, 5, 20), disbursed=D(2026, 1, 1)),   # short -> 2026-05-13
        bullet("N-S23", D(2026, 5, 23), disbursed=D(2026, 1, 1)),   # short -> 2026-05-16
        bullet("N-IN", D(2026, 7, 14), disbursed=medium),           # -> 2026-06-14: listed
        bullet("N-OUT", D(2026, 7, 15), disbursed=medium),          # -> 2026-06-15: not yet
        bullet("N-LONG", D(2026, 6, 15), disbursed=D(2016, 1, 1)),  # long -> 2026-05-15
    ])


def legal_book() -> Book:
    return Book(loans=[
        bullet("L5", D(2025, 3, 15), disbursed=D(2024, 3, 15)),
        bullet("L5D", D(2025, 3, 15), disbursed=D(2024, 3, 15),
               events=[(D(2027, 1, 10), "collection_demand")]),
    ])


CAPITAL = {"provenance": "synthetic", "net_capital": "10000.00",
           "net_tier1_capital": "100000.00", "net_capital_prev_quarter": "10000.00",
           "net_tier1_capital_prev_quarter": "100000.00"}


def concentration_book(largest: str) -> Book:
    """J20: the largest customer's loans against 10% of net capital 10,000 (G2)."""
    return Book(loans=[bullet("BIG", FAR, largest, borrower="BIG"),
                       bullet("SMALL", FAR, "500.00", borrower="SMALL")])


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("monitoring")
    landing = root / "landing"
    write_book(landing, "signals", AS_OF, signals_book())
    for as_of in HISTORY_DATES:
        write_book(landing, "history", as_of, history_book(as_of))
    write_book(landing, "collection", COLLECTION_AS_OF, collection_book())
    write_book(landing, "notices", NOTICES_AS_OF, notices_book())
    write_book(landing, "legal", LEGAL_AS_OF, legal_book())
    write_book(landing, "conc_at", AS_OF, concentration_book("1000.00"), CAPITAL)
    write_book(landing, "conc_over", AS_OF, concentration_book("1000.01"), CAPITAL)
    path = root / "wh" / "postloan.duckdb"
    assert run_build(landing, path, ephemeral=True, log_level="WARNING") == 0
    return path


@pytest.fixture(scope="module")
def con(warehouse) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(warehouse), read_only=True)


ALTERNATIVE = {"collection_notice_days": 10, "maturity_notice_days_short": 10,
               "maturity_notice_months_long": 2, "maturity_notice_horizon_days": 60}


@pytest.fixture(scope="module")
def alternative(tmp_path_factory) -> duckdb.DuckDBPyConnection:
    """The committee's other windows: 10 days for short-term notices (ctoth.com's reading of
    L1), 2 months for medium and long-term, collection within 10 days, a 60-day horizon."""
    root = tmp_path_factory.mktemp("monitoring_alt")
    landing = root / "landing"
    write_book(landing, "collection", COLLECTION_AS_OF, collection_book())
    write_book(landing, "notices", NOTICES_AS_OF, notices_book())
    path = root / "wh" / "postloan.duckdb"
    assert run_build(landing, path, ephemeral=True, log_level="WARNING",
                     dbt_vars=json.dumps(ALTERNATIVE)) == 0
    return duckdb.connect(str(path), read_only=True)


def signal(con, code: str, entity_id: str, portfolio: str = "signals",
           as_of: dt.date = AS_OF) -> dict | None:
    cur = con.execute(
        "select * from reporting.early_warnings where portfolio_id = ? and as_of_date = ? "
        "and signal_code = ? and entity_id = ?", [portfolio, as_of, code, entity_id])
    values = cur.fetchone()
    return None if values is None else dict(zip([d[0] for d in cur.description], values,
                                                strict=True))


def fired(con, code: str, entity_id: str, **kw) -> tuple[Decimal, str] | None:
    """(value, severity) of a signal that fired, None when it did not."""
    r = signal(con, code, entity_id, **kw)
    return None if r is None else (r["value"], r["severity"])


def task(con, task_id: str, portfolio: str, as_of: dt.date) -> tuple | None:
    return con.execute(
        "select due_date, status, reference_date from reporting.post_loan_tasks "
        "where portfolio_id = ? and as_of_date = ? and task_id = ?",
        [portfolio, as_of, task_id]).fetchone()


def dec(text: str) -> Decimal:
    return Decimal(text).quantize(Decimal("0.000001"))


# ------------------------------------------------------------------------------------------
# Section J: every signal at its default threshold and on both sides


@pytest.mark.slow
@pytest.mark.parametrize("code,entity,expected", [
    ("J1", "P0", None), ("J1", "P1", ("1", "amber")), ("J1", "P90", ("90", "amber")),
    ("J1", "P91", ("91", "red")),
    ("J2", "I0", None), ("J2", "I1", ("1", "amber")), ("J2", "I91", ("91", "red")),
    ("J3", "R2", None), ("J3", "R3", ("3", "amber")),
    ("J5", "MW30", None), ("J5", "MW301", ("0.301", "amber")), ("J5", "MW91", None),
    ("J6", "M1", None), ("J6", "M2", ("2", "red")), ("J6", "M3", None),
    ("J7", "X1", None), ("J7", "X2", ("183", "red")), ("J7", "X3", None),
    ("J7", "X4", ("549", "red")), ("J7", "X5", None), ("J7", "X6", ("1096", "red")),
    ("J8", "LTV70", None), ("J8", "LTV701", ("0.701", "amber")),
    ("J8", "LTV100", ("1", "amber")), ("J8", "LTV1001", ("1.001", "red")),
    ("J9", "C-D20", ("0.2", "amber")), ("J9", "C-D19", None),
    ("J10", "C-S365", None), ("J10", "C-S366", ("366", "amber")), ("J10", "C-EQ", None),
    ("J11", "G-GD0-gtd", None), ("J11", "G-GD5-gtd", ("5", "amber")),
    ("J11", "G-GDN-gtd", ("100", "red")),
    ("J12", "GX1", None), ("J12", "GX2", ("1.00001", "amber")), ("J12", "GX3", (None, "amber")),
    ("J13", "CA", ("2", "amber")), ("J13", "CB", ("2", "amber")), ("J13", "T2", ("3", "amber")),
    ("J13", "N1", None), ("J13", "N2", None),
    ("J14", "G-GP30", ("30", "red")), ("J14", "G-GP31", None), ("J14", "G-GPA", ("15", "red")),
    ("J14", "G-GPB", ("30", "red")), ("J14", "G-L6", None), ("J14", "G-L6-AUG", None),
    ("J15", "LP90", ("90", "red")), ("J15", "LP91", None), ("J15", "LPD", None),
    ("J17", "BU0", None), ("J17", "BU1", ("0.00001", "amber")),
    ("J17", "BU20", ("0.2", "amber")), ("J17", "BU21", ("0.201", "red")),
    ("J17", "BUN", (None, "amber")),
])
def test_signal_fires_at_its_default_threshold(con, code, entity, expected):
    got = fired(con, code, entity)
    if expected is None:
        assert got is None
    else:
        value, severity = expected
        assert got == (None if value is None else dec(value), severity)


@pytest.mark.slow
def test_concentration_breach_from_the_regulatory_ratios(con):
    """J20: exactly 10% of net capital is within the limit; 1,000.01 / 10,000 is a breach."""
    assert fired(con, "J20", "single_customer_loans", portfolio="conc_at") is None
    r = signal(con, "J20", "single_customer_loans", portfolio="conc_over")
    assert (r["value"], r["threshold"], r["severity"], r["borrower_id"], r["action"]) == (
        dec("0.100001"), dec("0.1"), "red", "BIG", "limit_review")
    count = con.execute("""
        select count(*) from reporting.early_warnings
        where portfolio_id in ('conc_at', 'conc_over') and signal_code = 'J20'""").fetchone()
    assert count == (1,)


@pytest.mark.slow
def test_signal_rows_carry_threshold_action_and_owner(con):
    r = signal(con, "J1", "P1")
    assert (r["threshold"], r["comparison"], r["action"]) == (dec("1"), "ge", "collection_notice")
    assert (r["borrower_id"], r["loan_id"], r["branch"], r["officer"]) == (
        "B-P1", "P1", "Head office", "王经理")
    assert r["first_seen"] == AS_OF and r["entity_type"] == "loan"
    # J7 compares with the loan's own legal limit: 182 days for a 182-day short-term loan.
    assert signal(con, "J7", "X2")["threshold"] == dec("182")
    assert signal(con, "J7", "X4")["threshold"] == dec("548")
    assert signal(con, "J12", "GX2")["borrower_id"] == "GX2"
    assert signal(con, "J3", "R3")["borrower_id"] == "B-R3"


@pytest.mark.slow
def test_guarantee_circles_with_their_members(con):
    rows = con.execute("""
        select cycle_id, cycle_size, borrower_id, guarantees_given, guarantees_received,
               outstanding_principal
        from reporting.guarantee_cycles where portfolio_id = 'signals'
        order by cycle_id, borrower_id""").fetchall()
    amount = Decimal("1000.00")
    assert rows == [
        ("CA>CB", 2, "CA", "CB", "CB", amount),
        ("CA>CB", 2, "CB", "CA", "CA", amount),
        ("T1>T2>T3", 3, "T1", "T2", "T3", amount),
        ("T1>T2>T3", 3, "T2", "T3", "T1", amount),
        ("T1>T2>T3", 3, "T3", "T1", "T2", amount),
    ]


# ------------------------------------------------------------------------------------------
# Section L: the worked examples with exact dates


@pytest.mark.slow
@pytest.mark.parametrize("task_id,portfolio,as_of,expected", [
    # L1: short-term maturing 2024-06-30 -> notice by 2024-06-23 (passed at the as-of date).
    ("maturity_notice:S0630", "signals", AS_OF, (D(2024, 6, 23), "overdue")),
    # L1: medium-term maturing 2026-06-30 -> by 2026-05-30; from 31 May one month back is 30 April.
    ("maturity_notice:N-MED", "notices", NOTICES_AS_OF, (D(2026, 5, 30), "open")),
    ("maturity_notice:N-MEND", "notices", NOTICES_AS_OF, (D(2026, 4, 30), "overdue")),
    ("maturity_notice:N-S20", "notices", NOTICES_AS_OF, (D(2026, 5, 13), "overdue")),
    ("maturity_notice:N-S23", "notices", NOTICES_AS_OF, (D(2026, 5, 16), "open")),
    ("maturity_notice:N-IN", "notices", NOTICES_AS_OF, (D(2026, 6, 14), "open")),
    ("maturity_notice:N-OUT", "notices", NOTICES_AS_OF, None),
    ("maturity_notice:N-LONG", "notices", NOTICES_AS_OF, (D(2026, 5, 15), "open")),
    # L2: due 2024-06-30 unpaid -> collection notice by 2024-07-05.
    ("collection_notice:CN", "collection", COLLECTION_AS_OF, (D(2024, 7, 5), "open")),
    ("collection_notice:CND", "collection", COLLECTION_AS_OF, (D(2024, 7, 5), "done")),
    ("collection_notice:CNL", "collection", COLLECTION_AS_OF, (D(2024, 7, 2), "overdue")),
    ("collection_notice:CN2", "collection", COLLECTION_AS_OF, (D(2024, 7, 5), "open")),
    # L5: last installment 2025-03-15 -> 2028-03-15; acknowledged 2027-01-10 -> 2030-01-10.
    ("limitation_period:L5", "legal", LEGAL_AS_OF, (D(2028, 3, 15), "open")),
    ("limitation_period:L5D", "legal", LEGAL_AS_OF, (D(2030, 1, 10), "open")),
    # L6: main debt due 2024-03-15 -> claim by 2024-09-15; from 31 August 2023 six months is
    # the last day of February 2024 (a leap year: the 29th), passed at the as-of date.
    ("guarantee_claim:G-L6", "signals", AS_OF, (D(2024, 9, 15), "open")),
    ("guarantee_claim:G-L6-AUG", "signals", AS_OF, (D(2024, 2, 29), "overdue")),
    ("guarantee_claim:G-GPA", "signals", AS_OF, (D(2024, 7, 15), "open")),
    ("guarantee_claim:G-GPB", "signals", AS_OF, (D(2024, 7, 30), "open")),
    # L7: quarterly checks of corporate and SME obligors.
    ("post_loan_check:B-PC1", "signals", AS_OF, (D(2024, 6, 30), "open")),
    ("post_loan_check:B-PC2", "signals", AS_OF, (D(2024, 6, 29), "overdue")),
    ("post_loan_check:B-PC3", "signals", AS_OF, (D(2024, 2, 29), "overdue")),
    ("post_loan_check:PCS", "signals", AS_OF, (D(2024, 8, 31), "open")),
    ("post_loan_check:PCR", "signals", AS_OF, None),
])
def test_post_loan_task_deadlines(con, task_id, portfolio, as_of, expected):
    got = task(con, task_id, portfolio, as_of)
    assert (got[:2] if got else None) == expected


@pytest.mark.slow
@pytest.mark.parametrize("task_id,portfolio,as_of,expected", [
    ("collection_notice:CN", "collection", COLLECTION_AS_OF, (D(2024, 7, 10), "open")),
    ("collection_notice:CNL", "collection", COLLECTION_AS_OF, (D(2024, 7, 7), "open")),
    ("maturity_notice:N-S20", "notices", NOTICES_AS_OF, (D(2026, 5, 10), "overdue")),
    ("maturity_notice:N-MED", "notices", NOTICES_AS_OF, (D(2026, 4, 30), "overdue")),
    ("maturity_notice:N-MEND", "notices", NOTICES_AS_OF, (D(2026, 3, 31), "overdue")),
    ("maturity_notice:N-OUT", "notices", NOTICES_AS_OF, (D(2026, 5, 15), "open")),
])
def test_task_windows_are_configurable(alternative, task_id, portfolio, as_of, expected):
    got = task(alternative, task_id, portfolio, as_of)
    assert (got[:2] if got else None) == expected


@pytest.mark.slow
def test_maturity_wall_of_a_portfolio(con):
    """J5 on the whole book: every loan of `notices` matures within 90 days of 2026-05-15."""
    r = signal(con, "J5", "notices", portfolio="notices", as_of=NOTICES_AS_OF)
    assert (r["entity_type"], r["value"], r["severity"]) == ("portfolio", dec("1"), "amber")
    assert fired(con, "J5", "signals") is None


@pytest.mark.slow
def test_tasks_by_branch_and_officer(con):
    row = con.execute("""
        select branch, officer, days_to_due, rule, reference_date from reporting.post_loan_tasks
        where portfolio_id = 'signals' and task_id = 'maturity_notice:S0630'""").fetchone()
    assert row == ("Branch 02", "李经理", -7, "L1", AS_OF)
    # Loans not yet maturing within the horizon, or already matured, have no notice.
    assert task(con, "maturity_notice:P1", "signals", AS_OF) is None
    assert task(con, "maturity_notice:MW30-b", "signals", AS_OF) is None


# ------------------------------------------------------------------------------------------
# History: J18, first_seen and the watchlist


@pytest.mark.slow
def test_class_downgrade_and_first_seen(con):
    june, may = HISTORY_DATES[1], HISTORY_DATES[0]
    assert fired(con, "J18", "H1", portfolio="history", as_of=june) == (dec("1"), "amber")
    assert fired(con, "J18", "H2", portfolio="history", as_of=june) is None
    assert fired(con, "J18", "H4", portfolio="history", as_of=june) == (dec("1"), "amber")
    assert fired(con, "J18", "H1", portfolio="history", as_of=may) is None
    # J11: the guarantor's loan moved down a class with no arrears (value: its DPD 0).
    assert fired(con, "J11", "G-H7", portfolio="history", as_of=june) == (dec("0"), "amber")
    assert fired(con, "J11", "G-H7", portfolio="history", as_of=may) is None
    # H4 has been past due since May: first seen then; H1 only in June.
    assert signal(con, "J1", "H4", portfolio="history", as_of=june)["first_seen"] == may
    assert signal(con, "J1", "H1", portfolio="history", as_of=june)["first_seen"] == june


@pytest.mark.slow
def test_watchlist_score_and_history(con):
    rows = con.execute("""
        select as_of_date, borrower_id, watch_status, watch_level, severity_score,
               previous_score, score_basis, date_entered, on_watchlist
        from reporting.watchlist where portfolio_id = 'history'
        order by as_of_date, borrower_id""").fetchall()
    may, june = HISTORY_DATES
    assert rows == [
        # H1 matures 2024-06-20: all of its balance within 90 days of 05-31 (J5).
        (may, "B-H1", "entered", "amber", 1, None, "J5 amber 1", may, True),
        (may, "B-H3", "entered", "amber", 1, None, "J1 amber 1", may, True),
        (may, "B-H4", "entered", "amber", 1, None, "J1 amber 1", may, True),
        (june, "B-H1", "escalated", "amber", 2, 1, "J1 amber 1 + J18 amber 1", may, True),
        (june, "B-H3", "cleared", None, 0, 1, None, may, False),
        (june, "B-H4", "escalated", "red", 4, 1, "J1 red 3 + J18 amber 1", may, True),
        (june, "B-H5", "entered", "amber", 2, None, "J1 amber 1 + J18 amber 1", june, True),
        (june, "B-H7", "entered", "amber", 1, None, "J11 amber 1", june, True),
        (june, "HG", "entered", "amber", 1, None, "J18 amber 1", june, True),
    ]


@pytest.mark.slow
def test_every_test_row_was_loaded(con):
    """No test loan was quarantined: a rejected row would silently empty its signal."""
    assert con.execute("select count(*) from reporting.rejects").fetchone() == (0,)


@pytest.mark.slow
def test_coverage_says_what_each_portfolio_lacks(con):
    rows = dict(con.execute("""
        select signal_code, coverage_status from reporting.early_warning_coverage
        where portfolio_id = 'signals'""").fetchall())
    assert {k for k, v in rows.items() if v != "computed"} == {"J4", "J16", "J18", "J19"}
    assert (rows["J4"], rows["J16"], rows["J18"]) == ("not_in_contract", "no_data", "no_data")
    history = dict(con.execute("""
        select as_of_date, coverage_status from reporting.early_warning_coverage
        where portfolio_id = 'history' and signal_code = 'J18'""").fetchall())
    assert history == {HISTORY_DATES[0]: "no_data", HISTORY_DATES[1]: "computed"}
    collateral = con.execute("""
        select coverage_status, missing_data from reporting.early_warning_coverage
        where portfolio_id = 'legal' and signal_code = 'J8'""").fetchone()
    assert collateral == ("no_data", "collateral; declared absent: not part of this test")
    # Loan events delivered with no rows: nothing happened, J6 is computed and finds nothing.
    events = con.execute("""
        select coverage_status, signals_fired from reporting.early_warning_coverage
        where portfolio_id = 'history' and signal_code = 'J6'""").fetchall()
    assert events == [("computed", 0), ("computed", 0)]


# ------------------------------------------------------------------------------------------
# The monitoring page


def monitoring_page(warehouse: Path, monkeypatch, portfolio: str, as_of: dt.date) -> AppTest:
    monkeypatch.setenv("POSTLOAN_WAREHOUSE", str(warehouse))
    at = run_app(timeout=60)
    at.radio(key="lang").set_value("en").run()
    at.selectbox(key="portfolio_id").set_value(portfolio).run()
    at.selectbox(key="as_of").set_value(as_of).run()
    at.switch_page("pages_/monitoring.py")
    return checked(at.run())


def table_with(at: AppTest, *columns: str) -> pd.DataFrame:
    found = [d.value for d in at.dataframe if set(columns) <= set(d.value.columns)]
    assert len(found) == 1, [list(d.value.columns) for d in at.dataframe]
    return found[0]


@pytest.mark.slow
def test_page_watchlist_history_and_signals_behind_an_obligor(warehouse, monkeypatch):
    june = HISTORY_DATES[1]
    at = monitoring_page(warehouse, monkeypatch, "history", june)
    assert "5 obligors on the list: 3 entered, 2 escalated, 1 cleared." in [
        m.value for m in at.markdown]
    watch = table_with(at, "Borrower", "Severity score", "Score basis")
    assert list(watch["Borrower"]) == ["B-H4", "B-H1", "B-H5", "B-H7", "HG", "B-H3"]
    assert list(watch["Light"]) == ["🔴", "🟠", "🟠", "🟠", "🟠", "⚪"]
    assert list(watch["Change"]) == [
        "escalated", "escalated", "entered", "entered", "entered", "cleared"]
    assert list(watch["Date entered"]) == [
        "2024-05-31", "2024-05-31", "2024-06-30", "2024-06-30", "2024-06-30", "2024-05-31"]
    # The highest score is chosen first: H4's signals, with value, threshold and first seen.
    signals = table_with(at, "Code", "Value", "Threshold", "First seen")
    assert signals[["Code", "Value", "Threshold", "Severity", "First seen"]].values.tolist() == [
        ["J1", "91", "≥ 1", "red", "2024-05-31"],
        ["J18", "1", "≥ 1", "amber", "2024-06-30"],
    ]
    picker = [s for s in at.selectbox if s.key.endswith(":obligor")][0]
    picker.set_value("B-H5").run()
    signals = table_with(at, "Code", "Value", "Threshold", "First seen")
    assert list(signals["Code"]) == ["J1", "J18"]


@pytest.mark.slow
def test_page_guarantee_network_and_coverage(warehouse, monkeypatch):
    at = monitoring_page(warehouse, monkeypatch, "signals", AS_OF)
    picker = [s for s in at.selectbox if s.key.endswith(":obligor")][0]
    picker.set_value("CA").run()
    assert "This obligor is in the guarantee circle CA>CB (2 obligors)." in [
        w.value for w in at.warning]
    links = table_with(at, "Guarantor", "Amount guaranteed")
    assert links[["Guarantor", "Borrower", "Loan"]].values.tolist() == [
        ["CA", "CB", "CB-L"], ["CB", "CA", "CA-L"]]
    missing = [w.value for w in at.warning if w.value.startswith("This portfolio lacks")]
    assert missing == [
        "This portfolio lacks the data these signals need: J4 Upcoming maturity, no funds seen "
        "(repayment account balance); J16 Industry downgrade (borrowers.industry_code); "
        "J18 Class downgrade (two as-of dates); J19 Falling turnover in repayment account "
        "(repayment account turnover)."]


@pytest.mark.slow
def test_page_task_list_filters_by_branch_type_and_due_date(warehouse, monkeypatch):
    at = monitoring_page(warehouse, monkeypatch, "signals", AS_OF)
    prefix = f"monitoring:signals:{AS_OF.isoformat()}"
    checked(at.multiselect(key=f"{prefix}:branch").set_value(["Branch 02"]).run())
    tasks = table_with(at, "Task", "Due date", "Days to due")
    # S0630's maturity notice, and its obligor's first check 3 months after disbursement.
    assert tasks[["Task", "Due date", "Status", "Loan officer"]].values.tolist() == [
        ["post-loan check", "2024-04-01", "overdue", "李经理"],
        ["maturity notice", "2024-06-23", "overdue", "李经理"],
    ]
    at.date_input(key=f"{prefix}:due").set_value(D(2024, 5, 1)).run()
    tasks = table_with(at, "Task", "Due date", "Days to due")
    assert list(tasks["Task"]) == ["post-loan check"]
    at.multiselect(key=f"{prefix}:branch").set_value([]).run()
    at.multiselect(key=f"{prefix}:type").set_value(["guarantee_claim"]).run()
    at.date_input(key=f"{prefix}:due").set_value(None).run()
    tasks = table_with(at, "Task", "Due date", "Days to due")
    assert tasks[["Due date", "Loan"]].values.tolist() == [
        ["2024-02-29", "L6-AUG"], ["2024-07-15", "GPA"], ["2024-07-30", "GP30"],
        ["2024-07-30", "GPB"], ["2024-07-31", "GP31"], ["2024-09-15", "L6"]]


def test_catalogue_rule_text():
    assert page.rule_text("ge", Decimal("1.000000"), Decimal("91.000000"), "en") == (
        "≥ 1; red ≥ 91")
    assert page.rule_text("gt", Decimal("0.300000"), None, "zh") == "> 0.3"
    assert page.rule_text("gt", None, None, "en") == "> its own limit"
    assert page.rule_text(None, None, None, "en") == ""


def test_decimal_text_and_missing_signals():
    assert [page.decimal_text(v) for v in (Decimal("90.000000"), Decimal("0.301000"),
                                           Decimal("0E-6"), None)] == ["90", "0.301", "0", ""]
    cover = pd.DataFrame({"signal_code": ["J1", "J8"], "coverage_status": ["computed", "no_data"],
                          "missing_data": [None, "collateral"]})
    assert page.missing_signals(cover, "zh") == ["J8 贷款价值比超限 (collateral)"]


def test_watchlist_lights_and_blank_cells_column_at_a_time():
    rows = pd.DataFrame({
        "borrower_id": ["A", "B", "C", "D"],
        "watch_level": ["red", "amber", None, "red"],
        "on_watchlist": [True, True, True, False],
        "score_basis": ["J1", None, float("nan"), pd.NA],
        "branch": [None, "北京分行", "", None],
        "officer": ["王经理", None, None, "李经理"],
    })
    frame = page.watchlist_frame(rows)
    # An unknown or missing level on the list, and anything off it, is the cleared light.
    assert frame["light"].tolist() == ["🔴", "🟠", "⚪", "⚪"]
    assert frame["score_basis"].tolist() == ["J1", "", "", ""]
    assert frame["branch"].tolist() == ["", "北京分行", "", ""]
    assert frame["officer"].tolist() == ["王经理", "", "", "李经理"]
    assert rows["branch"].isna().sum() == 2  # the cached query result is not changed


def test_task_filter_choices_name_missing_values_once():
    values = pd.Series(["北京分行", None, "上海分行", float("nan"), "北京分行", pd.NA])
    assert page._choices(values) == ["", "上海分行", "北京分行"]
    assert page._choices(pd.Series(["b", "a"])) == ["a", "b"]
    assert page._choices(pd.Series([], dtype=object)) == []
