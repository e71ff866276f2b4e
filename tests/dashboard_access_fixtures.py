"""The dashboard fixture warehouse (``tests/dashboard_fixtures.py``) with what the access tests
need on top: two branches, borrowers with personal data, collateral and guarantees, and the
masked published copy beside the warehouse (made by ``postloan.publish``, as a real build does).

Branches: every RETAIL-CNY loan and WHOLESALE-CNY's W01-W03 are booked in Beijing; SME-USD and
W04-W06 in Shanghai. So an officer of Shanghai sees SME-USD and WHOLESALE-CNY only, and of
WHOLESALE-CNY at 2024-06-30 the loans W04 (20,000.00, DPD 120), W05 (12,000.00, DPD 300) and W06
(8,000.00, DPD 30): 3 loans outstanding, 40,000.00, all overdue, 32,000.00 more than 90 days.

Borrower B-W04 is 张三丰, id number 110101199003071234; W04 has one property appraised twice
(300,000.00 on 2023-10-01, 280,000.00 on 2024-06-01) and a guarantee of 25,000.00 by B-W01
(王小明, a Beijing borrower: a guarantor is visible to the officer of the loan it guarantees).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import duckdb

from postloan import publish
from tests import dashboard_fixtures as fx

BEIJING = "Beijing"
SHANGHAI = "Shanghai"
BEIJING_WHOLESALE = ("W01", "W02", "W03")
NAMES = {
    "B-W04": ("张三丰", "110101199003071234"),
    "B-W01": ("王小明", "91310000MA1FL0XX2Q"),
}
W04_COLLATERAL = (
    ("C-W04-1", "property", Decimal("300000.00"), dt.date(2023, 10, 1)),
    ("C-W04-1", "property", Decimal("280000.00"), dt.date(2024, 6, 1)),
)
W04_GUARANTEE = ("G-W04-1", "B-W01", Decimal("25000.00"), dt.date(2026, 1, 15))

EXTRA = """
alter table meta.build_info add column published_copy varchar;
create table staging.stg_landing__borrowers(portfolio_id varchar, as_of_date date,
    borrower_id varchar, borrower_name varchar, id_number varchar, borrower_type varchar,
    group_id varchar, industry_scheme varchar, industry_code varchar, region varchar,
    internal_rating varchar, is_related_party boolean, provenance varchar, batch_id varchar);
create table staging.stg_landing__collateral(portfolio_id varchar, as_of_date date,
    collateral_id varchar, loan_id varchar, collateral_type varchar,
    appraised_value decimal(20,2), appraisal_date date, provenance varchar, batch_id varchar);
create table staging.stg_landing__guarantees(portfolio_id varchar, as_of_date date,
    guarantee_id varchar, loan_id varchar, guarantor_id varchar,
    guaranteed_amount decimal(20,2), guarantee_period_end date, provenance varchar,
    batch_id varchar);
"""


def _branches(con: duckdb.DuckDBPyConnection) -> None:
    for table in ("reporting.loans", "reporting.loan_classification", "staging.stg_landing__loans"):
        con.execute(
            f"update {table} set branch = ? where portfolio_id = 'RETAIL-CNY' "
            "or (portfolio_id = ? and loan_id in (?, ?, ?))",
            [BEIJING, fx.WHOLESALE, *BEIJING_WHOLESALE],
        )


def _borrowers(con: duckdb.DuckDBPyConnection) -> None:
    rows = con.execute(
        "select distinct portfolio_id, as_of_date, borrower_id, batch_id "
        "from staging.stg_landing__loans"
    ).fetchall()
    for portfolio_id, as_of, borrower_id, batch in rows:
        name, id_number = NAMES.get(borrower_id, (f"Borrower {borrower_id}", None))
        con.execute(
            "insert into staging.stg_landing__borrowers values "
            "(?, ?, ?, ?, ?, 'retail', null, 'GB/T 4754-2017', 'C13', '上海', 'BBB', false, "
            "'real', ?)",
            [portfolio_id, as_of, borrower_id, name, id_number, batch],
        )
    for as_of in (fx.MAY, fx.JUNE):
        batch = con.execute(
            "select batch_id from staging.stg_landing__loans where loan_id = 'W04' "
            "and as_of_date = ?",
            [as_of],
        ).fetchone()[0]
        for collateral_id, kind, value, appraised in W04_COLLATERAL:
            if appraised <= as_of:
                con.execute(
                    "insert into staging.stg_landing__collateral values "
                    "(?, ?, ?, 'W04', ?, ?, ?, 'real', ?)",
                    [fx.WHOLESALE, as_of, collateral_id, kind, value, appraised, batch],
                )
        guarantee_id, guarantor, amount, ends = W04_GUARANTEE
        con.execute(
            "insert into staging.stg_landing__guarantees values "
            "(?, ?, ?, 'W04', ?, ?, ?, 'real', ?)",
            [fx.WHOLESALE, as_of, guarantee_id, guarantor, amount, ends, batch],
        )


def publish_warehouse(warehouse: Path, build_id: str, built_at: dt.datetime) -> None:
    """The fixture with branches and personal data, published with its masked copy."""
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    build_file = publish.build_path(warehouse, build_id)
    build_file.unlink(missing_ok=True)
    fx.write_warehouse_file(build_file, build_id, built_at)
    con = duckdb.connect(str(build_file))
    try:
        con.execute(EXTRA)
        _branches(con)
        _borrowers(con)
    finally:
        con.close()
    publish.publish_with_masked_copy(build_file, warehouse)
