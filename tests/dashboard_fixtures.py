"""A small published warehouse and run log for the dashboard tests.

The tables have exactly the columns the dashboard relies on (``reporting`` and ``meta`` schemas).
The fixture is written to a private build file and published with ``postloan.publish.publish``
(checkpoint + ``os.replace``), the same way a real build is.

Portfolios:

* ``RETAIL-CNY`` (CNY, real): as-of 2024-05-31 and 2024-06-30. At 2024-06-30 its outstanding
  principal is 1,234,567.89 (variant "a") or 1,134,567.89 (variant "b").
* ``SME-USD`` (USD, synthetic): as-of 2024-06-30 only, so no changes to show.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
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
    provenance varchar, currency varchar);
create table reporting.load_reconciliation(batch_id varchar, entity varchar,
    source_file varchar, data_lines bigint, loaded_rows bigint, rejected_rows bigint,
    skipped_rows bigint, reconciles boolean);
create table reporting.rejects(batch_id varchar, entity varchar, source_file varchar,
    line_number bigint, column_name varchar, rule varchar, reason varchar, raw_value varchar,
    raw_record varchar);
"""


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
        con.execute(
            "insert into meta.build_info values (?, ?, '0.1.0', '/landing', null)",
            [build_id, built_at],
        )
        for x in loans(variant):
            p = portfolios[x.portfolio_id]
            con.execute(
                "insert into reporting.loans values "
                "(?, ?, ?, ?, 'individual', 'consumer', ?, 'Shanghai', ?, date '2023-01-15', "
                "date '2026-01-15', ?, ?, ?, ?, ?, ?)",
                [
                    x.portfolio_id,
                    x.as_of_date,
                    x.loan_id,
                    f"B-{x.loan_id}",
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
            "insert into reporting.batches values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
