"""A small published warehouse and run log for the dashboard tests.

The tables have exactly the columns the dashboard relies on (``reporting`` and ``meta`` schemas).
The fixture is written to a private build file and published with ``postloan.publish.publish``
(checkpoint + ``os.replace``), the same way a real build is.

Portfolios:

* ``RETAIL-CNY`` (CNY, real): as-of 2024-05-31 and 2024-06-30. At 2024-06-30 its outstanding
  principal is 1,234,567.89 (variant "a") or 1,134,567.89 (variant "b").
* ``SME-USD`` (USD, synthetic): as-of 2024-06-30 only, so no changes to show.
* ``WHOLESALE-CNY`` (CNY, real): as-of 2024-05-31 and 2024-06-30, the five-level classification
  book. At 2024-06-30 its 1,000,000.00 split 900,000 / 60,000 / 20,000 / 12,000 / 8,000 over
  正常 / 关注 / 次级 / 可疑 / 损失 (NPL ratio 4.00%); loan W04 has a schedule, payments and events.

Every outstanding loan also has a ``reporting.loan_classification`` row (see ``CLASSIFIED``) and
each book its ``reporting.portfolio_quality`` rows, computed here in Python from those rows. The
``reference`` tables are loaded from the project's seed files; ``staging`` and ``intermediate``
hold the few rows the loan page reads. The WHOLESALE-CNY batches are not in ``reporting.batches``
(the data-quality tests count the batches of the first two portfolios).
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import duckdb

from postloan import publish, runlog

D = Decimal
JUNE = dt.date(2024, 6, 30)
MAY = dt.date(2024, 5, 31)


@dataclass(frozen=True)
class Portfolio:
    portfolio_id: str
    name: str
    currency: str
    provenance: str


PORTFOLIOS = (
    Portfolio("RETAIL-CNY", "Retail loans", "CNY", "real"),
    Portfolio("SME-USD", "SME loans", "USD", "synthetic"),
    Portfolio("WHOLESALE-CNY", "Wholesale loans", "CNY", "real"),
)


@dataclass(frozen=True)
class Loan:
    portfolio_id: str
    as_of_date: dt.date
    loan_id: str
    outstanding_principal: Decimal
    dpd: int
    loan_status: str = "outstanding"
    contract_amount: Decimal = D("2000000.00")
    borrower_type: str = "individual"


def dpd_bucket(dpd: int) -> str:
    if dpd <= 0:
        return "M0"
    if dpd > 180:
        return "M7"
    return f"M{(dpd - 1) // 30 + 1}"


def loans(variant: str = "a") -> list[Loan]:
    june_l1 = D("1000000.00") if variant == "a" else D("900000.00")
    return [
        # RETAIL-CNY, previous as-of
        Loan("RETAIL-CNY", MAY, "L1", D("1050000.00"), 0),
        Loan("RETAIL-CNY", MAY, "L2", D("140000.00"), 10),
        Loan("RETAIL-CNY", MAY, "L3", D("110000.00"), 70),
        Loan("RETAIL-CNY", MAY, "L4", D("5000.00"), 0),
        # RETAIL-CNY, latest as-of
        Loan("RETAIL-CNY", JUNE, "L1", june_l1, 0),
        Loan("RETAIL-CNY", JUNE, "L2", D("134567.89"), 15),
        Loan("RETAIL-CNY", JUNE, "L3", D("100000.00"), 100),
        Loan("RETAIL-CNY", JUNE, "L4", D("0.00"), 0, "closed"),
        # SME-USD
        Loan("SME-USD", JUNE, "S1", D("2500.50"), 200, contract_amount=D("10000.00")),
        Loan("SME-USD", JUNE, "S2", D("997499.50"), 0),
        *wholesale_loans(),
    ]


WHOLESALE = "WHOLESALE-CNY"


def wholesale_loans() -> list[Loan]:
    """The classification book: (loan id, borrower type, contract, May and June balance and DPD)."""
    book = [
        ("W01", "retail", "600000.00", ("500000.00", 0), ("500000.00", 0)),
        ("W02", "corporate", "500000.00", ("410000.00", 0), ("400000.00", 5)),
        ("W03", "retail", "80000.00", ("60000.00", 15), ("60000.00", 45)),
        ("W04", "retail", "30000.00", ("20000.00", 90), ("20000.00", 120)),
        ("W05", "corporate", "15000.00", ("12000.00", 270), ("12000.00", 300)),
        ("W06", "corporate", "10000.00", ("8000.00", 0), ("8000.00", 30)),
    ]
    return [
        Loan(
            WHOLESALE,
            as_of,
            loan_id,
            D(balance),
            dpd,
            contract_amount=D(contract),
            borrower_type=borrower_type,
        )
        for loan_id, borrower_type, contract, may, june in book
        for as_of, (balance, dpd) in ((MAY, may), (JUNE, june))
    ]


@dataclass(frozen=True)
class Expected:
    """KPI figures computed in Python from the fixture rows (independently of the dashboard)."""

    loans_outstanding: int
    outstanding_principal: Decimal
    overdue_principal: Decimal
    dpd_over_90_principal: Decimal


def expected(portfolio_id: str, as_of: dt.date, variant: str = "a") -> Expected:
    rows = [x for x in loans(variant) if x.portfolio_id == portfolio_id and x.as_of_date == as_of]
    return Expected(
        loans_outstanding=sum(1 for x in rows if x.loan_status == "outstanding"),
        outstanding_principal=sum((x.outstanding_principal for x in rows), D(0)),
        overdue_principal=sum((x.outstanding_principal for x in rows if x.dpd > 0), D(0)),
        dpd_over_90_principal=sum((x.outstanding_principal for x in rows if x.dpd > 90), D(0)),
    )


SCHEMA = """
create schema meta;
create schema reporting;
create table meta.build_info(build_id varchar, built_at timestamp, postloan_version varchar,
    landing_dir varchar, as_of_filter varchar);
create table reporting.loans(portfolio_id varchar, as_of_date date, loan_id varchar,
    borrower_id varchar, borrower_type varchar, product varchar, currency varchar,
    branch varchar, contract_amount decimal(20,2), disbursement_date date, maturity_date date,
    outstanding_principal decimal(20,2), dpd integer, dpd_bucket varchar, loan_status varchar,
    provenance varchar, batch_id varchar);
create table reporting.portfolio_summary(portfolio_id varchar, as_of_date date,
    portfolio_name varchar, currency varchar, loan_count bigint,
    outstanding_principal decimal(20,2), overdue_loan_count bigint,
    overdue_principal decimal(20,2), dpd_over_90_principal decimal(20,2),
    closed_loan_count bigint, written_off_loan_count bigint, provenance varchar,
    batch_id varchar);
create table reporting.batches(batch_id varchar, portfolio_id varchar, as_of_date date,
    batch_status varchar, superseded_by varchar, delivered_at varchar, folder varchar,
    provenance varchar, currency varchar, delivery varchar default 'snapshot',
    base_batch_id varchar);
create table reporting.batch_reconciliation(batch_id varchar, carried_rows bigint);
create table reporting.load_reconciliation(batch_id varchar, entity varchar,
    source_file varchar, data_lines bigint, loaded_rows bigint, rejected_rows bigint,
    skipped_rows bigint, reconciles boolean);
create table reporting.rejects(batch_id varchar, entity varchar, source_file varchar,
    line_number bigint, column_name varchar, rule varchar, reason varchar, raw_value varchar,
    raw_record varchar);
"""


# --- five-level classification ----------------------------------------------------------------

SEEDS_DIR = Path(__file__).resolve().parents[1] / "dbt_project" / "seeds"
CLASSES = ("pass", "special_mention", "substandard", "doubtful", "loss")
RANK = {c: i for i, c in enumerate(CLASSES, start=1)}
PROVISION_RATE = {
    "pass": D("0.0000"),
    "special_mention": D("0.0200"),
    "substandard": D("0.2500"),
    "doubtful": D("0.5000"),
    "loss": D("1.0000"),
}
GENERAL_RESERVE_RATE = D("0.01")
COVERAGE_REQUIREMENT = D("1.50")
LOAN_PROVISION_REQUIREMENT = D("0.025")
RULE_FLOOR = {
    "CN23_DPD_OVERDUE": "special_mention",
    "CN23_DPD_OVER_90": "substandard",
    "CN23_DPD_OVER_270": "doubtful",
    "CN23_DPD_OVER_360": "loss",
    "CN23_BANKRUPTCY": "loss",
    "CN23_TECHNICAL_DELAY_EXEMPT": None,
}
OVERDUE = ("CN23_DPD_OVERDUE",)
OVER_90 = ("CN23_DPD_OVER_90", "CN23_DPD_OVERDUE")


@dataclass(frozen=True)
class Classified:
    """One ``reporting.loan_classification`` row; balance and DPD come from :func:`loans`."""

    portfolio_id: str
    as_of_date: dt.date
    loan_id: str
    judgmental_class: str | None
    final_class: str
    rules_fired: tuple[str, ...] = ()
    ifrs9_stage: int = 1
    us_retail_class: str | None = "pass"
    override: tuple[str, dt.date, str] | None = None  # class, approved on, approver
    override_below_floor: bool = False
    reported_status: str | None = None  # the source system's own status, when delivered


CLASSIFIED = (
    # RETAIL-CNY: the bank judged every loan pass.
    Classified("RETAIL-CNY", MAY, "L1", "pass", "pass"),
    Classified("RETAIL-CNY", MAY, "L2", "pass", "special_mention", OVERDUE),
    Classified("RETAIL-CNY", MAY, "L3", "special_mention", "special_mention", OVERDUE, 2),
    Classified("RETAIL-CNY", MAY, "L4", "pass", "pass"),
    Classified("RETAIL-CNY", JUNE, "L1", "pass", "pass", reported_status="Current"),
    Classified("RETAIL-CNY", JUNE, "L2", "pass", "special_mention", OVERDUE,
               reported_status="Late (16-30 days)"),
    Classified(
        "RETAIL-CNY", JUNE, "L3", "special_mention", "substandard", OVER_90, 3, "substandard",
        reported_status="Late (31-120 days)",
    ),
    # SME-USD: no judgmental class delivered.
    Classified("SME-USD", JUNE, "S1", None, "substandard", OVER_90, 3, "loss"),
    Classified("SME-USD", JUNE, "S2", None, "pass"),
    # WHOLESALE-CNY, 2024-05-31
    Classified(WHOLESALE, MAY, "W01", "pass", "pass"),
    Classified(WHOLESALE, MAY, "W02", "pass", "pass", us_retail_class=None),
    Classified(WHOLESALE, MAY, "W03", "pass", "special_mention", OVERDUE),
    Classified(
        WHOLESALE, MAY, "W04", "special_mention", "special_mention", OVERDUE, 3, "substandard"
    ),
    Classified(WHOLESALE, MAY, "W05", "substandard", "substandard", OVER_90, 3, None),
    Classified(WHOLESALE, MAY, "W06", "pass", "pass", us_retail_class=None),
    # WHOLESALE-CNY, 2024-06-30: 900,000 / 60,000 / 20,000 / 12,000 / 8,000
    Classified(WHOLESALE, JUNE, "W01", "pass", "pass"),
    Classified(
        WHOLESALE,
        JUNE,
        "W02",
        "pass",
        "pass",
        ("CN23_TECHNICAL_DELAY_EXEMPT",),
        us_retail_class=None,
    ),
    Classified(WHOLESALE, JUNE, "W03", "pass", "special_mention", OVERDUE, 2),
    Classified(WHOLESALE, JUNE, "W04", "special_mention", "substandard", OVER_90, 3, "loss"),
    Classified(
        WHOLESALE,
        JUNE,
        "W05",
        "substandard",
        "doubtful",
        ("CN23_DPD_OVER_270", *OVER_90),
        3,
        None,
        ("pass", dt.date(2024, 6, 15), "Risk Committee"),
        True,
    ),
    Classified(
        WHOLESALE,
        JUNE,
        "W06",
        "substandard",
        "loss",
        ("CN23_BANKRUPTCY", "CN23_DPD_OVERDUE"),
        1,
        None,
    ),
)


def _worst(*classes: str | None) -> str:
    return max((c for c in classes if c), key=RANK.__getitem__, default="pass")


def _cents(value: Decimal) -> Decimal:
    return value.quantize(D("0.01"), rounding=ROUND_HALF_UP)


def _fraction(part: Decimal, whole: Decimal) -> Decimal | None:
    return None if not whole else (part / whole).quantize(D("0.000001"), ROUND_HALF_UP)


def classification_rows(variant: str = "a") -> list[dict[str, Any]]:
    """The loan_classification rows, checked to be consistent (final = worse of base and rules)."""
    by_key = {(x.portfolio_id, x.as_of_date, x.loan_id): x for x in loans(variant)}
    currency = {p.portfolio_id: p.currency for p in PORTFOLIOS}
    provenance = {p.portfolio_id: p.provenance for p in PORTFOLIOS}
    rows = []
    for c in CLASSIFIED:
        loan = by_key[(c.portfolio_id, c.as_of_date, c.loan_id)]
        assert loan.loan_status == "outstanding", c
        rule_class = _worst(*(RULE_FLOOR[r] for r in c.rules_fired))
        base_class = (c.override[0] if c.override else None) or c.judgmental_class or "pass"
        assert c.final_class == _worst(base_class, rule_class), c
        rows.append(
            {
                "portfolio_id": c.portfolio_id,
                "as_of_date": c.as_of_date,
                "loan_id": c.loan_id,
                "borrower_id": f"B-{c.loan_id}",
                "borrower_type": loan.borrower_type,
                "product": "consumer",
                "currency": currency[c.portfolio_id],
                "branch": "Shanghai",
                "outstanding_principal": loan.outstanding_principal,
                "dpd": loan.dpd,
                "principal_dpd": loan.dpd,
                "interest_dpd": loan.dpd,
                "dpd_bucket": dpd_bucket(loan.dpd),
                "reported_status": c.reported_status,
                "judgmental_class": c.judgmental_class,
                "override_class": c.override[0] if c.override else None,
                "override_approved_on": c.override[1] if c.override else None,
                "override_approver": c.override[2] if c.override else None,
                "base_class": base_class,
                "rule_class": rule_class,
                "final_class": c.final_class,
                "final_class_rank": RANK[c.final_class],
                "is_npl": RANK[c.final_class] >= 3,
                "rules_fired": ", ".join(c.rules_fired),
                "technical_delay_exempt": "CN23_TECHNICAL_DELAY_EXEMPT" in c.rules_fired,
                "override_below_floor": c.override_below_floor,
                "in_restructuring_observation": False,
                "restructuring_observation_end": None,
                "us_retail_class": c.us_retail_class,
                "ifrs9_stage": c.ifrs9_stage,
                "rule_set": "china_2023",
                "rule_set_version": "2023.1",
                "provision_rate": PROVISION_RATE[c.final_class],
                "specific_provision": _cents(
                    loan.outstanding_principal * PROVISION_RATE[c.final_class]
                ),
                "bank_ecl_amount": None,
                "provenance": provenance[c.portfolio_id],
                "batch_id": _published_batch(loan),
            }
        )
    return rows


def quality_rows(variant: str = "a") -> list[dict[str, Any]]:
    """portfolio_quality: every class of every book, with the book's ratios repeated."""
    classified = classification_rows(variant)
    books = sorted({(r["portfolio_id"], r["as_of_date"]) for r in classified})
    rows = []
    for portfolio_id, as_of in books:
        book = [
            r for r in classified if (r["portfolio_id"], r["as_of_date"]) == (portfolio_id, as_of)
        ]
        total = sum((r["outstanding_principal"] for r in book), D(0))
        npl = sum((r["outstanding_principal"] for r in book if r["is_npl"]), D(0))
        over_90 = sum((r["outstanding_principal"] for r in book if r["dpd"] > 90), D(0))
        specific = sum((r["specific_provision"] for r in book), D(0))
        general = _cents(total * GENERAL_RESERVE_RATE)
        allowance = specific + general
        required = max(
            _cents(npl * COVERAGE_REQUIREMENT), _cents(total * LOAN_PROVISION_REQUIREMENT)
        )
        for five_class in CLASSES:
            of_class = [r for r in book if r["final_class"] == five_class]
            balance = sum((r["outstanding_principal"] for r in of_class), D(0))
            rows.append(
                {
                    "portfolio_id": portfolio_id,
                    "as_of_date": as_of,
                    "currency": book[0]["currency"],
                    "five_class": five_class,
                    "class_rank": RANK[five_class],
                    "loan_count": len(of_class),
                    "balance": balance,
                    "balance_share": _fraction(balance, total),
                    "specific_provision": sum((r["specific_provision"] for r in of_class), D(0)),
                    "total_balance": total,
                    "npl_balance": npl,
                    "npl_ratio": _fraction(npl, total),
                    "total_specific_provision": specific,
                    "general_reserve": general,
                    "allowance": allowance,
                    "coverage_ratio": _fraction(allowance, npl),
                    "loan_provision_ratio": _fraction(allowance, total),
                    "coverage_requirement": COVERAGE_REQUIREMENT,
                    "loan_provision_requirement": LOAN_PROVISION_REQUIREMENT,
                    "required_allowance": required,
                    "allowance_meets_requirement": allowance >= required,
                    "dpd_over_90_balance": over_90,
                    "dpd_over_90_to_npl": _fraction(over_90, npl),
                    "bank_ecl_amount": None,
                    "provenance": book[0]["provenance"],
                }
            )
    return rows


# Loan W04: 12 monthly installments of 2,500.00 principal and 150.00 interest from 2023-11-02;
# the first four were paid (the second three days late), nothing since: DPD 90 at 2024-05-31
# and 120 at 2024-06-30.
W04_DUE = tuple(dt.date(2023 + (10 + i) // 12, (10 + i) % 12 + 1, 2) for i in range(12))
W04_PAYMENTS = (
    ("P-W04-1", dt.date(2023, 11, 2), D("0.00")),
    ("P-W04-2", dt.date(2023, 12, 5), D("5.00")),
    ("P-W04-3", dt.date(2024, 1, 2), D("0.00")),
    ("P-W04-4", dt.date(2024, 2, 2), D("0.00")),
)
W04_EVENTS = (
    ("E-W04-1", dt.date(2024, 4, 15), "collection_demand", "reminder delivered"),
    ("E-W04-2", dt.date(2024, 6, 10), "post_loan_check", None),
)

CLASSIFICATION_SCHEMA = """
create schema reference;
create schema staging;
create schema intermediate;
create table reporting.loan_classification(portfolio_id varchar, as_of_date date,
    loan_id varchar, borrower_id varchar, borrower_type varchar, product varchar,
    currency varchar, branch varchar, outstanding_principal decimal(20,2), dpd integer,
    principal_dpd integer, interest_dpd integer, dpd_bucket varchar, reported_status varchar,
    judgmental_class varchar,
    override_class varchar, override_approved_on date, override_approver varchar,
    base_class varchar, rule_class varchar, final_class varchar, final_class_rank integer,
    is_npl boolean, rules_fired varchar, technical_delay_exempt boolean,
    override_below_floor boolean, in_restructuring_observation boolean,
    restructuring_observation_end date, us_retail_class varchar, ifrs9_stage integer,
    rule_set varchar, rule_set_version varchar, provision_rate decimal(6,4),
    specific_provision decimal(20,2), bank_ecl_amount decimal(20,2), provenance varchar,
    batch_id varchar);
create table reporting.portfolio_quality(portfolio_id varchar, as_of_date date,
    currency varchar, five_class varchar, class_rank integer, loan_count bigint,
    balance decimal(20,2), balance_share decimal(12,6), specific_provision decimal(20,2),
    total_balance decimal(20,2), npl_balance decimal(20,2), npl_ratio decimal(12,6),
    total_specific_provision decimal(20,2), general_reserve decimal(20,2),
    allowance decimal(20,2), coverage_ratio decimal(12,6), loan_provision_ratio decimal(12,6),
    coverage_requirement decimal(12,6), loan_provision_requirement decimal(12,6),
    required_allowance decimal(20,2), allowance_meets_requirement boolean,
    dpd_over_90_balance decimal(20,2), dpd_over_90_to_npl decimal(12,6),
    bank_ecl_amount decimal(20,2), provenance varchar);
create table reference.five_classes(five_class varchar, class_rank integer, label_zh varchar,
    label_en varchar, is_npl boolean);
create table reference.classification_rules(rule_id varchar, floor_class varchar,
    description_en varchar, description_zh varchar, source varchar);
create table reference.classification_dpd_floors(rule_set varchar, rule_set_version varchar,
    effective_from date, rule_id varchar, scope varchar, min_dpd integer, floor_class varchar,
    source varchar);
create table staging.stg_landing__loans(portfolio_id varchar, as_of_date date, loan_id varchar,
    borrower_id varchar, product varchar, currency varchar, contract_amount decimal(20,2),
    credit_limit decimal(20,2), undrawn_amount decimal(20,2), disbursement_date date,
    maturity_date date, original_maturity_date date, interest_rate decimal(12,6),
    repayment_method varchar, guarantee_type varchar, purpose varchar, branch varchar,
    officer varchar, judgmental_class varchar, is_credit_impaired boolean,
    ecl_amount decimal(20,2), provenance varchar, batch_id varchar);
create table staging.stg_landing__repayment_schedule(portfolio_id varchar, as_of_date date,
    loan_id varchar, installment_no integer, due_date date, principal_due decimal(20,2),
    interest_due decimal(20,2), provenance varchar, batch_id varchar);
create table staging.stg_landing__payments(portfolio_id varchar, as_of_date date,
    payment_id varchar, loan_id varchar, payment_date date, principal_paid decimal(20,2),
    interest_paid decimal(20,2), penalty_paid decimal(20,2), provenance varchar,
    batch_id varchar);
create table staging.stg_landing__loan_events(portfolio_id varchar, as_of_date date,
    event_id varchar, loan_id varchar, event_date date, event_type varchar,
    amount decimal(20,2), new_maturity_date date, note varchar, provenance varchar,
    batch_id varchar);
create table intermediate.int_installment_settlement(batch_id varchar, loan_id varchar,
    installment_no integer, due_date date, principal_due decimal(20,2),
    interest_due decimal(20,2), settled_on date, days_late_when_settled bigint);
"""


def _seed(name: str) -> list[dict[str, str | None]]:
    with (SEEDS_DIR / f"{name}.csv").open(encoding="utf-8", newline="") as fh:
        return [{k: (v if v != "" else None) for k, v in row.items()} for row in csv.DictReader(fh)]


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    columns = list(rows[0])
    con.executemany(
        f"insert into {table} ({', '.join(columns)}) values ({', '.join('?' for _ in columns)})",
        [[row[c] for c in columns] for row in rows],
    )


def write_classification(con: duckdb.DuckDBPyConnection, variant: str = "a") -> None:
    """The classification tables, the seeds and W04's schedule, payments and events."""
    _insert(con, "reporting.loan_classification", classification_rows(variant))
    _insert(con, "reporting.portfolio_quality", quality_rows(variant))
    _insert(con, "reference.five_classes", _seed("five_classes"))
    _insert(con, "reference.classification_rules", _seed("classification_rules"))
    _insert(con, "reference.classification_dpd_floors", _seed("classification_dpd_floors"))

    provenance = {p.portfolio_id: p.provenance for p in PORTFOLIOS}
    currency = {p.portfolio_id: p.currency for p in PORTFOLIOS}
    batch_loans = [x for x in loans(variant)]
    _insert(
        con,
        "staging.stg_landing__loans",
        [
            {
                "portfolio_id": x.portfolio_id,
                "as_of_date": x.as_of_date,
                "loan_id": x.loan_id,
                "borrower_id": f"B-{x.loan_id}",
                "product": "consumer",
                "currency": currency[x.portfolio_id],
                "contract_amount": x.contract_amount,
                "credit_limit": None,
                "undrawn_amount": None,
                "disbursement_date": dt.date(2023, 1, 15),
                "maturity_date": dt.date(2026, 1, 15),
                "original_maturity_date": None,
                "interest_rate": D("4.350000"),
                "repayment_method": "level_principal",
                "guarantee_type": "mortgage",
                "purpose": "working capital",
                "branch": "Shanghai",
                "officer": None,
                "judgmental_class": None,
                "is_credit_impaired": False,
                "ecl_amount": None,
                "provenance": provenance[x.portfolio_id],
                "batch_id": _published_batch(x),
            }
            for x in batch_loans
        ],
    )
    w04 = [x for x in batch_loans if x.loan_id == "W04"]
    paid = {due: paid_on for due, (_, paid_on, _) in zip(W04_DUE, W04_PAYMENTS, strict=False)}
    schedule, settlement, payments, events = [], [], [], []
    for x in w04:
        batch = _published_batch(x)
        for no, due in enumerate(W04_DUE, start=1):
            schedule.append(
                {
                    "portfolio_id": WHOLESALE,
                    "as_of_date": x.as_of_date,
                    "loan_id": "W04",
                    "installment_no": no,
                    "due_date": due,
                    "principal_due": D("2500.00"),
                    "interest_due": D("150.00"),
                    "provenance": "real",
                    "batch_id": batch,
                }
            )
            settled_on = paid.get(due)
            settlement.append(
                {
                    "batch_id": batch,
                    "loan_id": "W04",
                    "installment_no": no,
                    "due_date": due,
                    "principal_due": D("2500.00"),
                    "interest_due": D("150.00"),
                    "settled_on": settled_on,
                    "days_late_when_settled": (settled_on - due).days if settled_on else None,
                }
            )
        for payment_id, paid_on, penalty in W04_PAYMENTS:
            payments.append(
                {
                    "portfolio_id": WHOLESALE,
                    "as_of_date": x.as_of_date,
                    "payment_id": payment_id,
                    "loan_id": "W04",
                    "payment_date": paid_on,
                    "principal_paid": D("2500.00"),
                    "interest_paid": D("150.00"),
                    "penalty_paid": penalty,
                    "provenance": "real",
                    "batch_id": batch,
                }
            )
        for event_id, day, event_type, note in W04_EVENTS:
            if day <= x.as_of_date:
                events.append(
                    {
                        "portfolio_id": WHOLESALE,
                        "as_of_date": x.as_of_date,
                        "event_id": event_id,
                        "loan_id": "W04",
                        "event_date": day,
                        "event_type": event_type,
                        "amount": None,
                        "new_maturity_date": None,
                        "note": note,
                        "provenance": "real",
                        "batch_id": batch,
                    }
                )
    _insert(con, "staging.stg_landing__repayment_schedule", schedule)
    _insert(con, "intermediate.int_installment_settlement", settlement)
    _insert(con, "staging.stg_landing__payments", payments)
    _insert(con, "staging.stg_landing__loan_events", events)


def batch_id(portfolio_id: str, as_of: dt.date, version: int = 1) -> str:
    return f"{portfolio_id}-{as_of:%Y%m%d}-v{version}"


def _published_batch(loan: Loan) -> str:
    return batch_id(
        loan.portfolio_id,
        loan.as_of_date,
        2 if loan.portfolio_id == "RETAIL-CNY" and loan.as_of_date == JUNE else 1,
    )


def write_warehouse_file(
    path: Path, build_id: str, built_at: dt.datetime, variant: str = "a"
) -> None:
    """Create the fixture tables in a new DuckDB file at ``path``."""
    portfolios = {p.portfolio_id: p for p in PORTFOLIOS}
    con = duckdb.connect(str(path))
    try:
        con.execute(SCHEMA)
        con.execute(CLASSIFICATION_SCHEMA)
        con.execute(
            "insert into meta.build_info values (?, ?, '0.1.0', '/landing', null)",
            [build_id, built_at],
        )
        for x in loans(variant):
            p = portfolios[x.portfolio_id]
            con.execute(
                "insert into reporting.loans values "
                "(?, ?, ?, ?, ?, 'consumer', ?, 'Shanghai', ?, date '2023-01-15', "
                "date '2026-01-15', ?, ?, ?, ?, ?, ?)",
                [
                    x.portfolio_id,
                    x.as_of_date,
                    x.loan_id,
                    f"B-{x.loan_id}",
                    x.borrower_type,
                    p.currency,
                    x.contract_amount,
                    x.outstanding_principal,
                    x.dpd,
                    dpd_bucket(x.dpd),
                    x.loan_status,
                    p.provenance,
                    _published_batch(x),
                ],
            )
        for p in PORTFOLIOS:
            con.execute(
                """
                insert into reporting.portfolio_summary
                select portfolio_id, as_of_date, ?, ?,
                    count(*) filter (where loan_status = 'outstanding'),
                    sum(outstanding_principal),
                    count(*) filter (where dpd > 0),
                    coalesce(sum(outstanding_principal) filter (where dpd > 0), 0),
                    coalesce(sum(outstanding_principal) filter (where dpd > 90), 0),
                    count(*) filter (where loan_status = 'closed'),
                    count(*) filter (where loan_status = 'written_off'),
                    ?, any_value(batch_id)
                from reporting.loans where portfolio_id = ?
                group by portfolio_id, as_of_date
                """,
                [p.name, p.currency, p.provenance, p.portfolio_id],
            )
        retail_v1 = batch_id("RETAIL-CNY", JUNE, 1)
        retail_v2 = batch_id("RETAIL-CNY", JUNE, 2)
        con.executemany(
            "insert into reporting.batches (batch_id, portfolio_id, as_of_date, batch_status, "
            "superseded_by, delivered_at, folder, provenance, currency) "
            "values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                [
                    retail_v1,
                    "RETAIL-CNY",
                    JUNE,
                    "superseded",
                    retail_v2,
                    "2024-07-01T09:00:00",
                    "retail/20240630-v1",
                    "real",
                    "CNY",
                ],
                [
                    retail_v2,
                    "RETAIL-CNY",
                    JUNE,
                    "published",
                    None,
                    "2024-07-02T09:00:00",
                    "retail/20240630-v2",
                    "real",
                    "CNY",
                ],
                [
                    batch_id("RETAIL-CNY", MAY),
                    "RETAIL-CNY",
                    MAY,
                    "published",
                    None,
                    "2024-06-01T09:00:00",
                    "retail/20240531",
                    "real",
                    "CNY",
                ],
                [
                    batch_id("SME-USD", JUNE),
                    "SME-USD",
                    JUNE,
                    "published",
                    None,
                    "2024-07-01T10:00:00",
                    "sme/20240630",
                    "synthetic",
                    "USD",
                ],
            ],
        )
        # The June redelivery is a delta on the May batch: its 4 loaded rows and 3 carried.
        con.execute("update reporting.batches set delivery = 'delta', base_batch_id = ? "
                    "where batch_id = ?", [batch_id("RETAIL-CNY", MAY), retail_v2])
        con.execute("insert into reporting.batch_reconciliation values (?, 3), (?, 0), (?, 0)",
                    [retail_v2, batch_id("RETAIL-CNY", MAY), batch_id("SME-USD", JUNE)])
        con.executemany(
            "insert into reporting.load_reconciliation values (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                [retail_v2, "loans", "loans.csv", 6, 4, 2, 0, True],
                [batch_id("RETAIL-CNY", MAY), "loans", "loans.csv", 4, 4, 0, 0, True],
                # A file that does not add up, so the page has something to flag.
                [batch_id("SME-USD", JUNE), "loans", "loans.csv", 3, 2, 0, 0, False],
            ],
        )
        con.executemany(
            "insert into reporting.rejects values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                [
                    retail_v2,
                    "loans",
                    "loans.csv",
                    5,
                    "outstanding_principal",
                    "money_scale",
                    "more than 2 decimal places",
                    "12.345",
                    "L5,12.345",
                ],
                [
                    retail_v2,
                    "loans",
                    "loans.csv",
                    7,
                    "dpd",
                    "nonnegative",
                    "negative days past due",
                    "-3",
                    "L6,-3",
                ],
            ],
        )
        write_classification(con, variant)
        write_concentration(con, variant)
    finally:
        con.close()


def publish_warehouse(
    warehouse: Path, build_id: str, built_at: dt.datetime, variant: str = "a"
) -> None:
    """Build the fixture in a private file beside ``warehouse`` and publish it over it."""
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    build_file = publish.build_path(warehouse, build_id)
    build_file.unlink(missing_ok=True)
    write_warehouse_file(build_file, build_id, built_at, variant)
    publish.publish(build_file, warehouse)


def run_record(
    run_id: str,
    status: str,
    finished_at: dt.datetime,
    build_id: str | None = None,
    failed_step: str | None = None,
    reason: str | None = None,
) -> dict[str, Any]:
    return {
        "run_id": run_id,
        "started_at": (finished_at - dt.timedelta(minutes=5)).isoformat(),
        "finished_at": finished_at.isoformat(),
        "status": status,
        "build_id": build_id,
        "failed_step": failed_step,
        "reason": reason,
    }


def write_runs(warehouse: Path, records: Iterable[dict[str, Any]]) -> None:
    runlog.runlog_path(warehouse).unlink(missing_ok=True)
    for record in records:
        runlog.append_run(warehouse, record)


# --- concentration ----------------------------------------------------------------------------
#
# WHOLESALE-CNY at 2024-06-30: net capital 5,625,000.00, net tier-1 capital 4,000,000.00,
# previous quarter-end net capital 5,000,000.00. W01 (B-W01) and W02 (B-W02) form the connected
# group G-EAST; every other borrower is its own group. The ratios are written by hand:
#
# * single group credit G-EAST 900,000 / 5,625,000 = 16.00% > 15% -> breach, headroom -56,250;
# * largest customer's loans B-W01 500,000 / 5,625,000 = 8.89% <= 9% (90% of 10%) -> within;
# * large exposure B-W01 550,000 (incl. undrawn) / 4,000,000 = 13.75% >= 13.5% -> warning;
# * large exposure G-EAST 950,000 / 4,000,000 = 23.75% > 20% -> breach;
# * top ten customers 1,000,000 / 5,625,000 = 17.78%, no limit -> reported.
#
# SME-USD delivered no capital: its ratios have no denominator. The indices and Lorenz points are
# computed here (in floats, like the warehouse's doubles) from the outstanding principal by
# obligor, group and a two-level industry tree, at both as-of dates of WHOLESALE-CNY.

GROUP_OF = {"W01": "G-EAST", "W02": "G-EAST"}
INDUSTRY_OF = {"W01": "C13", "W02": "C26", "W03": "F51", "W04": "C13", "W05": "F52", "W06": "G54"}
WARNING_SHARE = D("0.90")
CONCENTRATION_SCHEMA = """
create table reporting.regulatory_ratios(portfolio_id varchar, as_of_date date,
    currency varchar, ratio varchar, rule varchar, numerator_basis varchar,
    denominator_basis varchar, counterparty varchar, numerator decimal(20,2),
    denominator decimal(20,2), value decimal(12,6), limit_share decimal(12,6),
    headroom decimal(20,2), status varchar);
create table reporting.large_exposures(portfolio_id varchar, as_of_date date, currency varchar,
    counterparty_type varchar, counterparty_id varchar, exposure decimal(20,2),
    share_of_net_tier1_capital decimal(12,6), limit_share decimal(12,6), status varchar);
create table reporting.concentration_indices(portfolio_id varchar, as_of_date date,
    dimension varchar, level integer, names bigint, total_exposure decimal(38,2), hhi double,
    hhi_normalised double, effective_names double, gini double, gini_small_sample double,
    entropy double, entropy_normalised double, top_1_share double, top_5_share double,
    top_10_share double, top_20_share double);
create table reporting.concentration_lorenz(portfolio_id varchar, as_of_date date,
    dimension varchar, level integer, point bigint, item varchar, exposure decimal(20,2),
    cumulative_name_share double, cumulative_exposure_share double);
alter table reporting.loans add column group_id varchar;
"""

# (ratio, rule, numerator basis, denominator basis, counterparty, numerator, denominator, limit)
WHOLESALE_RATIOS = (
    ("single_customer_loans", "G2", "loans", "net_capital", "B-W01", "500000", "5625000", "0.10"),
    ("single_group_credit", "G2", "credit", "net_capital", "G-EAST", "900000", "5625000", "0.15"),
    ("top_ten_customers_loans", "G2", "loans", "net_capital", None, "1000000", "5625000", None),
    (
        "single_related_party_credit", "G4", "credit", "net_capital_prev_quarter", "B-W06",
        "8000", "5000000", "0.10",
    ),
    (
        "all_related_parties_credit", "G4", "credit", "net_capital_prev_quarter", None, "8000",
        "5000000", "0.50",
    ),
    (
        "large_exposure_single", "G3", "exposure", "net_tier1_capital", "B-W01", "550000",
        "4000000", "0.15",
    ),
    (
        "large_exposure_group", "G3", "exposure", "net_tier1_capital", "G-EAST", "950000",
        "4000000", "0.20",
    ),
)
SME_RATIOS = (
    ("single_customer_loans", "G2", "loans", "net_capital", "B-S2", "997499.50", None, "0.10"),
    (
        "large_exposure_single", "G3", "exposure", "net_tier1_capital", "B-S2", "997499.50",
        None, "0.15",
    ),
)
# (counterparty type, id, exposure, limit) over net tier-1 capital 4,000,000 (above 2.5%)
WHOLESALE_LARGE = (
    ("group", "G-EAST", "950000", "0.20"),
    ("customer", "B-W01", "550000", "0.15"),
    ("customer", "B-W02", "400000", "0.15"),
)
WHOLESALE_TIER1 = D("4000000")


def limit_status(numerator: Decimal, denominator: Decimal | None, limit: Decimal | None) -> str:
    if not denominator:
        return "no_denominator"
    if limit is None:
        return "reported"
    if numerator > limit * denominator:
        return "breach"
    return "warning" if numerator >= WARNING_SHARE * limit * denominator else "within"


def ratio_rows() -> list[dict[str, Any]]:
    rows = []
    for portfolio_id, currency, ratios in (
        (WHOLESALE, "CNY", WHOLESALE_RATIOS),
        ("SME-USD", "USD", SME_RATIOS),
    ):
        for ratio, rule, num_basis, den_basis, who, num, den, limit in ratios:
            numerator = D(num)
            denominator = D(den) if den else None
            limit_share = D(limit) if limit else None
            rows.append(
                {
                    "portfolio_id": portfolio_id,
                    "as_of_date": JUNE,
                    "currency": currency,
                    "ratio": ratio,
                    "rule": rule,
                    "numerator_basis": num_basis,
                    "denominator_basis": den_basis,
                    "counterparty": who,
                    "numerator": numerator,
                    "denominator": denominator,
                    "value": _fraction(numerator, denominator) if denominator else None,
                    "limit_share": limit_share,
                    "headroom": _cents(limit_share * denominator - numerator)
                    if denominator and limit_share is not None
                    else None,
                    "status": limit_status(numerator, denominator, limit_share),
                }
            )
    return rows


def large_exposure_rows() -> list[dict[str, Any]]:
    return [
        {
            "portfolio_id": WHOLESALE,
            "as_of_date": JUNE,
            "currency": "CNY",
            "counterparty_type": kind,
            "counterparty_id": who,
            "exposure": D(exposure),
            "share_of_net_tier1_capital": _fraction(D(exposure), WHOLESALE_TIER1),
            "limit_share": D(limit),
            "status": limit_status(D(exposure), WHOLESALE_TIER1, D(limit)),
        }
        for kind, who, exposure, limit in WHOLESALE_LARGE
    ]


def concentration_items(as_of: dt.date) -> dict[tuple[str, int], dict[str, Decimal]]:
    """Outstanding principal per item of every (dimension, level) of WHOLESALE-CNY."""
    items: dict[tuple[str, int], dict[str, Decimal]] = {}
    for x in wholesale_loans():
        if x.as_of_date != as_of:
            continue
        borrower = f"B-{x.loan_id}"
        industry = INDUSTRY_OF[x.loan_id]
        for key, item in (
            (("obligor", 0), borrower),
            (("group", 0), GROUP_OF.get(x.loan_id, borrower)),
            (("industry", 1), industry[0]),
            (("industry", 2), industry),
        ):
            of_key = items.setdefault(key, {})
            of_key[item] = of_key.get(item, D(0)) + x.outstanding_principal
    return items


def index_row(exposures: dict[str, Decimal]) -> dict[str, Any]:
    """Section H's indices of one set of exposures, in floats (the warehouse stores doubles)."""
    total = sum(exposures.values(), D(0))
    n = len(exposures)
    shares = [float(v / total) for v in exposures.values()]
    hhi = sum(s * s for s in shares)
    ascending = sorted(float(v) for v in exposures.values())
    weighted = sum(i * x for i, x in enumerate(ascending, start=1))
    gini = 2 * weighted / (n * float(total)) - (n + 1) / n
    entropy = -sum(s * math.log(s) for s in shares if s > 0)
    descending = sorted(shares, reverse=True)
    return {
        "names": n,
        "total_exposure": total,
        "hhi": hhi,
        "hhi_normalised": (hhi - 1 / n) / (1 - 1 / n) if n > 1 else 1.0,
        "effective_names": 1 / hhi,
        "gini": gini,
        "gini_small_sample": gini * n / (n - 1) if n > 1 else 0.0,
        "entropy": entropy,
        "entropy_normalised": entropy / math.log(n) if n > 1 else 0.0,
        **{f"top_{k}_share": sum(descending[:k]) for k in (1, 5, 10, 20)},
    }


def index_rows() -> list[dict[str, Any]]:
    return [
        {
            "portfolio_id": WHOLESALE,
            "as_of_date": as_of,
            "dimension": dim,
            "level": level,
            **index_row(exposures),
        }
        for as_of in (MAY, JUNE)
        for (dim, level), exposures in concentration_items(as_of).items()
    ]


def lorenz_rows() -> list[dict[str, Any]]:
    rows = []
    for as_of in (MAY, JUNE):
        for (dim, level), exposures in concentration_items(as_of).items():
            total = sum(exposures.values(), D(0))
            ordered = sorted(exposures.items(), key=lambda kv: (kv[1], kv[0]))
            running = D(0)
            for point, (item, exposure) in enumerate(ordered, start=1):
                running += exposure
                rows.append(
                    {
                        "portfolio_id": WHOLESALE,
                        "as_of_date": as_of,
                        "dimension": dim,
                        "level": level,
                        "point": point,
                        "item": item,
                        "exposure": exposure,
                        "cumulative_name_share": point / len(ordered),
                        "cumulative_exposure_share": float(running / total),
                    }
                )
    return rows


def write_concentration(con: duckdb.DuckDBPyConnection, variant: str = "a") -> None:
    """The concentration tables and reporting.loans.group_id (G-EAST: W01 and W02)."""
    del variant  # the concentration rows are the same in both variants
    con.execute(CONCENTRATION_SCHEMA)
    for loan_id, group_id in GROUP_OF.items():
        con.execute(
            "update reporting.loans set group_id = ? where portfolio_id = ? and loan_id = ?",
            [group_id, WHOLESALE, loan_id],
        )
    _insert(con, "reporting.regulatory_ratios", ratio_rows())
    _insert(con, "reporting.large_exposures", large_exposure_rows())
    _insert(con, "reporting.concentration_indices", index_rows())
    _insert(con, "reporting.concentration_lorenz", lorenz_rows())
