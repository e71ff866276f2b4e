"""The bundled public data, end to end: adapters -> landing batches -> build -> reporting.

These assert the real counts of the sources and that the warehouse's own days past due, computed
in dbt from the derived schedules and payments, fall inside the bucket each LendingClub loan's real
`loan_status` states.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter
from pathlib import Path

import duckdb
import pytest

from postloan.adapters import build_all
from postloan.cli import run_build
from postloan.paths import SOURCES_DIR

LC_AS_OF = dt.date(2018, 6, 30)
STATUS_DPD = {
    "Current": (0, 0),
    "In Grace Period": (1, 15),
    "Late (16-30 days)": (16, 30),
    "Late (31-120 days)": (31, 120),
}


@pytest.fixture(scope="module")
def bundled(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("bundled")
    build_all(SOURCES_DIR, root / "landing")
    warehouse = root / "warehouse" / "postloan.duckdb"
    assert run_build(root / "landing", warehouse, ephemeral=True, log_level="WARNING") == 0
    return warehouse


def lendingclub_rows() -> dict[str, dict[str, str]]:
    path = SOURCES_DIR / "lendingclub_2018q1" / "loans_full_schema.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        return {f"LC18Q1-{i:05d}": row for i, row in enumerate(csv.DictReader(fh), start=1)}


@pytest.mark.slow
def test_lendingclub_dpd_falls_in_the_real_status_bucket(bundled):
    source = lendingclub_rows()
    status = {loan_id: row["loan_status"] for loan_id, row in source.items()}
    # One "Current" loan has a real balance of 0.00: repaid in full on the snapshot date, status
    # not yet updated. The warehouse closes it, as its balance says.
    repaid_current = {k for k, row in source.items()
                      if row["loan_status"] in STATUS_DPD and float(row["balance"]) == 0}
    assert repaid_current == {"LC18Q1-04166"}
    assert Counter(status.values()) == {
        "Current": 9375, "Fully Paid": 447, "In Grace Period": 67, "Late (31-120 days)": 66,
        "Late (16-30 days)": 38, "Charged Off": 7}
    con = duckdb.connect(str(bundled), read_only=True)
    rows = con.execute("""
        select loan_id, loan_status, dpd from reporting.loans
        where portfolio_id = 'lendingclub_2018q1' and as_of_date = ?""", [LC_AS_OF]).fetchall()
    assert len(rows) == 10_000
    outside = []
    for loan_id, loan_status, dpd in rows:
        real = status[loan_id]
        if loan_id in repaid_current:
            assert (loan_status, dpd) == ("closed", None)
        elif real in STATUS_DPD:
            low, high = STATUS_DPD[real]
            if loan_status != "outstanding" or not low <= dpd <= high:
                outside.append((loan_id, real, loan_status, dpd))
        elif real == "Charged Off":
            assert loan_status == "written_off", loan_id
        else:
            assert loan_status == "closed", (loan_id, real, loan_status)
    assert outside == []
    by_status = Counter(r[1] for r in rows)
    assert by_status == {"outstanding": 9545, "closed": 448, "written_off": 7}


@pytest.mark.slow
def test_lendingclub_summary_matches_the_real_balances(bundled):
    """Outstanding principal = loan amount - real paid principal, summed over open loans."""
    path = SOURCES_DIR / "lendingclub_2018q1" / "loans_full_schema.csv"
    from decimal import Decimal

    expected = Decimal("0")
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if row["loan_status"] in STATUS_DPD:
                expected += Decimal(row["loan_amount"]) - Decimal(row["paid_principal"])
    con = duckdb.connect(str(bundled), read_only=True)
    loan_count, outstanding, currency, provenance = con.execute("""
        select loan_count, outstanding_principal, currency, provenance
        from reporting.portfolio_summary where portfolio_id = 'lendingclub_2018q1'""").fetchone()
    assert (loan_count, currency, provenance) == (9545, "USD", "derived")
    assert outstanding == expected.quantize(Decimal("0.01"))


@pytest.mark.slow
def test_sba_real_bad_rows_are_quarantined_not_dropped(bundled):
    con = duckdb.connect(str(bundled), read_only=True)
    rec = con.execute("""
        select r.entity, sum(r.data_lines), sum(r.loaded_rows), sum(r.rejected_rows),
               bool_and(r.reconciles)
        from reporting.load_reconciliation r join reporting.batches b using (batch_id)
        where b.portfolio_id = 'sba7a_ca' and b.as_of_date = date '2010-12-31'
        group by all order by 1""").fetchall()
    loans = next(r for r in rec if r[0] == "loans")
    assert loans[1:] == (2101, 2096, 5, True)
    assert all(r[4] for r in rec)
    rules = Counter(con.execute("""
        select column_name, rule from reporting.rejects r join reporting.batches b using (batch_id)
        where b.as_of_date = date '2010-12-31' and r.entity = 'loans'""").fetchall())
    # Two loans without a disbursement date (so no maturity either) and three with Term 0.
    assert rules == {("disbursement_date", "required"): 2, ("maturity_date", "required"): 2,
                     ("maturity_date", "maturity_after_disbursement"): 3}


@pytest.mark.slow
def test_sba_history_has_two_snapshots_and_multi_loan_borrowers(bundled):
    con = duckdb.connect(str(bundled), read_only=True)
    dates = [r[0] for r in con.execute("""
        select as_of_date from reporting.portfolio_summary where portfolio_id = 'sba7a_ca'
        order by 1""").fetchall()]
    assert dates == [dt.date(2008, 12, 31), dt.date(2010, 12, 31)]
    multi = con.execute("""
        select count(*) from (
            select borrower_id from reporting.loans
            where portfolio_id = 'sba7a_ca' and as_of_date = date '2010-12-31'
            group by borrower_id having count(*) > 1)""").fetchone()[0]
    # 84 names hold several loans in the source; the loans quarantined above may take a few
    # names below two loans, never above.
    assert 80 <= multi <= 84
    written_off = con.execute("""
        select count(*) from reporting.loans
        where portfolio_id = 'sba7a_ca' and as_of_date = date '2010-12-31'
          and loan_status = 'written_off'""").fetchone()[0]
    assert written_off > 0


@pytest.mark.slow
def test_reference_data_is_loaded_once(bundled):
    con = duckdb.connect(str(bundled), read_only=True)
    counts = dict(con.execute("""
        select scheme, count(*) from staging.stg_landing__industries group by 1""").fetchall())
    assert counts["GB/T 4754-2017"] == 1971
    assert con.execute("select count(*) from reporting.portfolio_summary "
                       "where portfolio_id = 'industry_reference'").fetchone()[0] == 0


def china_class(dpd: int) -> str:
    """The 2023 DPD floors (A5), written independently of the seed."""
    if dpd > 360:
        return "loss"
    if dpd > 270:
        return "doubtful"
    if dpd > 90:
        return "substandard"
    return "special_mention" if dpd > 0 else "pass"


@pytest.mark.slow
def test_lendingclub_class_follows_dpd_under_each_rule_set(bundled):
    con = duckdb.connect(str(bundled), read_only=True)
    rows = con.execute("""
        select loan_id, reported_status, dpd, final_class, us_retail_class, ifrs9_stage
        from reporting.loan_classification
        where portfolio_id = 'lendingclub_2018q1' and as_of_date = ?""", [LC_AS_OF]).fetchall()
    assert len(rows) == 9545
    source = lendingclub_rows()
    crosstab = Counter()
    for loan_id, reported, dpd, final, us, stage in rows:
        assert reported == source[loan_id]["loan_status"]
        assert final == china_class(dpd), loan_id
        assert us == ("pass" if dpd < 90 else "substandard" if dpd < 120 else "loss"), loan_id
        assert stage == (1 if dpd <= 30 else 2 if dpd < 90 else 3), loan_id
        crosstab[reported, final] += 1
    assert crosstab[("Current", "pass")] == 9374
    assert crosstab[("In Grace Period", "special_mention")] == 67
    assert crosstab[("Late (16-30 days)", "special_mention")] == 38
    late = {cls: n for (status, cls), n in crosstab.items() if status == "Late (31-120 days)"}
    assert sum(late.values()) == 66 and set(late) <= {"special_mention", "substandard"}


@pytest.mark.slow
def test_masked_copy_of_the_bundled_book_has_no_real_names(bundled):
    from postloan.publish import masked_path

    path = SOURCES_DIR / "sba7a_ca" / "SBAcase.11.13.17.csv"
    with path.open(encoding="utf-8-sig", newline="") as fh:
        names = sorted({row["Name"] for row in csv.DictReader(fh) if len(row["Name"]) > 12})[:40]
    full, masked = bundled.read_bytes(), masked_path(bundled).read_bytes()
    assert all(name.encode() in full for name in names)
    assert [name for name in names if name.encode() in masked] == []


@pytest.mark.slow
@pytest.mark.parametrize("portfolio", ["lendingclub_2018q1", "sba7a_ca"])
def test_every_dashboard_page_renders_the_bundled_warehouse(bundled, monkeypatch, portfolio):
    """The committee's pages on the real build, not only on fixtures: no page raises."""
    from streamlit.testing.v1 import AppTest

    app = Path(__file__).resolve().parents[1] / "dashboard" / "app.py"
    monkeypatch.setenv("POSTLOAN_WAREHOUSE", str(bundled))
    at = AppTest.from_file(str(app), default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    at.selectbox(key="portfolio_id").set_value(portfolio).run()
    assert not at.exception, [e.value for e in at.exception]
    for page in ("pages_/classification.py", "pages_/concentration.py", "pages_/loan.py",
                 "pages_/loads.py", "pages_/overview.py"):
        at.switch_page(page).run()
        assert not at.exception, (page, [e.value for e in at.exception])
    at.switch_page("pages_/classification.py").run()
    assert any(m.value.endswith("%") for m in at.metric)  # the NPL ratio tile


@pytest.mark.slow
def test_sba_concentration_uses_its_real_repeat_borrowers(bundled):
    con = duckdb.connect(str(bundled), read_only=True)
    as_of = dt.date(2010, 12, 31)
    loans, borrowers = con.execute("""
        select count(*), count(distinct borrower_id) from reporting.loans
        where portfolio_id = 'sba7a_ca' and as_of_date = ? and loan_status = 'outstanding'""",
                                   [as_of]).fetchone()
    names = con.execute("""
        select names from reporting.concentration_indices
        where portfolio_id = 'sba7a_ca' and as_of_date = ? and dimension = 'obligor'""",
                        [as_of]).fetchone()[0]
    assert names == borrowers < loans  # borrowers with several loans are one name
    numerator, customer = con.execute("""
        select numerator, counterparty from reporting.regulatory_ratios
        where portfolio_id = 'sba7a_ca' and as_of_date = ? and ratio = 'single_customer_loans'""",
                                      [as_of]).fetchone()
    summed, count = con.execute("""
        select sum(outstanding_principal), count(*) from reporting.loans
        where portfolio_id = 'sba7a_ca' and as_of_date = ? and borrower_id = ?""",
                                [as_of, customer]).fetchone()
    assert numerator == summed
    largest_single_loan = con.execute("""
        select max(outstanding_principal) from reporting.loans
        where portfolio_id = 'sba7a_ca' and as_of_date = ?""", [as_of]).fetchone()[0]
    assert numerator >= largest_single_loan


# --- post-loan monitoring on the bundled portfolios (docs/monitoring.md) -----------------------

NOT_DELIVERED_BY_BOTH = {"J7", "J8", "J9", "J10", "J11", "J12", "J17"}


@pytest.mark.slow
def test_monitoring_shows_real_signals_and_the_data_each_portfolio_lacks(bundled, monkeypatch):
    """Real signals where the data supports them; the missing data named where it does not."""
    con = duckdb.connect(str(bundled), read_only=True)
    coverage = {
        (p, d.isoformat(), code): (status, fired)
        for p, d, code, status, fired in con.execute("""
            select portfolio_id, as_of_date, signal_code, coverage_status, signals_fired
            from reporting.early_warning_coverage""").fetchall()
    }
    lc, sba = ("lendingclub_2018q1", "2018-06-30"), ("sba7a_ca", "2010-12-31")
    # LendingClub: the 171 late loans (67 + 38 + 66 by their real status) have interest
    # arrears; retail, unsecured, one as-of date: no collateral, guarantee or history signals.
    assert [coverage[(*lc, c)] for c in ("J1", "J2", "J3")] == [
        ("computed", 168), ("computed", 171), ("computed", 35)]
    assert {c for (p, d, c), (s, _) in coverage.items()
            if (p, d) == lc and s == "no_data"} == NOT_DELIVERED_BY_BOTH | {"J13", "J14", "J18"}
    # SBA: guarantees by the SBA (no circles), two as-of dates (class downgrades since 2008).
    assert [coverage[(*sba, c)] for c in ("J1", "J13", "J14", "J15", "J18")] == [
        ("computed", 128), ("computed", 0), ("computed", 0), ("computed", 3), ("computed", 75)]
    assert {c for (p, d, c), (s, _) in coverage.items()
            if (p, d) == sba and s == "no_data"} == NOT_DELIVERED_BY_BOTH
    for portfolio_date in (lc, sba):
        assert [coverage[(*portfolio_date, c)][0] for c in ("J4", "J16", "J19")] == [
            "not_in_contract", "not_wired", "not_in_contract"]
    changes = dict(con.execute("""
        select watch_status, count(*) from reporting.watchlist
        where portfolio_id = 'sba7a_ca' and as_of_date = '2010-12-31' group by all""").fetchall())
    assert changes == {"entered": 83, "escalated": 16, "de_escalated": 12, "unchanged": 39,
                       "cleared": 219}

    from streamlit.testing.v1 import AppTest

    app = Path(__file__).resolve().parents[1] / "dashboard" / "app.py"
    monkeypatch.setenv("POSTLOAN_WAREHOUSE", str(bundled))
    at = AppTest.from_file(str(app), default_timeout=60)
    at.run()
    at.radio(key="lang").set_value("en").run()
    at.selectbox(key="portfolio_id").set_value("sba7a_ca").run()
    at.switch_page("pages_/monitoring.py").run()
    assert not at.exception, [e.value for e in at.exception]
    lacks = [w.value for w in at.warning if w.value.startswith("This portfolio lacks")]
    assert len(lacks) == 1 and "J8 LTV breach (collateral; declared absent: " in lacks[0]
    assert "150 obligors on the list: 83 entered, 16 escalated, 219 cleared." in [
        m.value for m in at.markdown]
    signals = [d.value for d in at.dataframe if "First seen" in d.value.columns]
    assert len(signals) == 1 and len(signals[0]) > 0
