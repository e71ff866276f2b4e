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
from tests.dashboard_apptest import run_app

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
    from dashboard.data import VIEWER_KEY
    from tests.dashboard_apptest import COMMITTEE

    at = AppTest.from_file(str(app), default_timeout=60)
    at.session_state[VIEWER_KEY] = COMMITTEE  # signed in (the login form is tested elsewhere)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    at.selectbox(key="portfolio_id").set_value(portfolio).run()
    assert not at.exception, [e.value for e in at.exception]
    # Every page of the app, those added later included.
    for page in sorted(f"pages_/{p.name}" for p in (app.parent / "pages_").glob("*.py")
                       if not p.name.startswith("_")):
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


def sba_charge_offs(until: dt.date, status: str | None = None) -> dict[str, dt.date]:
    """Loans of the SBA source with a charge-off on or before `until` (and final status `status`
    when given), with their disbursement dates, read straight from the source file (SAS dates:
    days since 1960-01-01); loans the warehouse quarantines (no disbursement date, Term 0) are
    left out."""
    sas_epoch = dt.date(1960, 1, 1)
    path = SOURCES_DIR / "sba7a_ca" / "SBAcase.11.13.17.csv"
    found = {}
    with path.open(encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            if not row["ChgOffDate"] or not row["DisbursementDate"] or int(row["Term"]) == 0:
                continue
            if status and row["MIS_Status"] != status:
                continue
            charged_off = sas_epoch + dt.timedelta(days=int(row["ChgOffDate"]))
            disbursed = sas_epoch + dt.timedelta(days=int(row["DisbursementDate"]))
            if charged_off <= until and disbursed <= until:
                found[row["LoanNr_ChkDgt"]] = disbursed
    return found


@pytest.mark.slow
def test_sba_history_and_vintages_rest_on_the_real_charge_offs(bundled):
    """The replayed SBA history (about 25 years of month-ends) writes off the loans the source
    says were charged off, and each origination cohort's default curve counts them. Eleven loans
    are "paid in full" yet carry a charge-off date: those repaid before it leave the history as
    repaid, the others as written off."""
    charge_offs = sba_charge_offs(dt.date(2010, 12, 31), status="CHGOFF")
    any_charge_off = sba_charge_offs(dt.date(2010, 12, 31))
    con = duckdb.connect(str(bundled), read_only=True)
    first, last, months = con.execute("""
        select min(as_of_date), max(as_of_date), count(distinct as_of_date)
        from reporting.class_snapshots where portfolio_id = 'sba7a_ca'""").fetchone()
    assert last == dt.date(2010, 12, 31) and (last.year - first.year) >= 20 and months >= 240
    written_off = {r[0] for r in con.execute("""
        select loan_id from reporting.class_snapshots
        where portfolio_id = 'sba7a_ca' and loan_status = 'written_off'""").fetchall()}
    assert set(charge_offs) <= written_off <= set(any_charge_off)
    assert len(any_charge_off) - len(charge_offs) <= 11
    per_cohort = Counter(dt.date(d.year, d.month, 1) for d in charge_offs.values())
    curves = dict(con.execute("""
        select cohort, max(loans_reached) from reporting.vintage_curves
        where portfolio_id = 'sba7a_ca' and cohort_granularity = 'month' and metric = 'default'
          and is_observed group by cohort""").fetchall())
    short = {c: (n, curves.get(c)) for c, n in per_cohort.items() if (curves.get(c) or 0) < n}
    assert short == {}
    # Defaults also come from loans still on the book but non-performing, never fewer.
    assert sum(curves.values()) >= len(charge_offs) > 100


@pytest.mark.slow
def test_sba_industries_limits_and_reviews_from_real_data(bundled, monkeypatch):
    """Real industries (NAICS 2007 of the source, filed under GB/T 4754 by the crosswalk), real
    default rates by industry and year from the real charge-offs, the illustrative (synthetic)
    limit set, and reviews triggered by the real book's evidence, on the page too."""
    from decimal import ROUND_HALF_UP, Decimal

    from postloan.adapters.sba import CHARGED_OFF, read_source

    con = duckdb.connect(str(bundled), read_only=True)
    as_of = dt.date(2010, 12, 31)
    level0 = dict(con.execute("""
        select industry_code, limit_exposure from reporting.industry_exposure
        where portfolio_id = 'sba7a_ca' and as_of_date = ? and scheme = 'GB/T 4754-2017'
          and level = 0""", [as_of]).fetchall())
    # Lessors and agents -> K 房地产业, rental and leasing -> L, NAICS 533 -> M; nothing unmapped.
    assert set(level0) == {"K", "L", "M"}
    book = con.execute("""
        select sum(outstanding_principal) from reporting.loans
        where portfolio_id = 'sba7a_ca' and as_of_date = ? and loan_status = 'outstanding'""",
                       [as_of]).fetchone()[0]
    assert sum(level0.values()) == book          # no undrawn amounts: exposure = balance

    # Default rates by year from the real charge-offs: NAICS 531, 2008-2010.
    rates = con.execute("""
        select year, performing_obligors, defaulted_obligors, default_rate, bank_default_rate
        from reporting.industry_risk where portfolio_id = 'sba7a_ca' and scheme = 'NAICS 2007'
          and industry_code = '531' and year between 2008 and 2010 order by year""").fetchall()
    assert rates == [
        (2008, 1107, 98, Decimal("0.088528"), Decimal("0.072139")),
        (2009, 1058, 113, Decimal("0.106805"), Decimal("0.083925")),
        (2010, 954, 171, Decimal("0.179245"), Decimal("0.146290")),
    ]
    # Against the source: every obligor counted as defaulting in a year is a real name charged
    # off in that year (those charged off earlier, or not on book on 1 January, are not counted).
    source = [loan for loan in read_source(SOURCES_DIR / "sba7a_ca")
              if loan.charge_off_date
              and (loan.charge_off_amount > 0 or loan.status == CHARGED_OFF)]
    for year, _, defaulted, *_ in rates:
        counted = {name for (name,) in con.execute("""
            select b.borrower_name from intermediate.int_industry_obligor_years y
            join staging.stg_landing__borrowers b using (batch_id, borrower_id)
            where y.portfolio_id = 'sba7a_ca' and y.year = ? and y.defaulted
              and b.industry_code like '531%'""", [year]).fetchall()}
        assert len(counted) == defaulted
        assert counted <= {loan.name for loan in source if loan.charge_off_date.year == year}

    # The demonstration limits are synthetic and labelled so; 71 租赁业 is over its 2010 limit.
    breach = con.execute("""
        select limit_amount, exposure, band, provenance from reporting.industry_limit_utilisation
        where portfolio_id = 'sba7a_ca' and as_of_date = ? and industry_code = '71'""",
                         [as_of]).fetchone()
    assert breach == (Decimal("95000000.00"), level0["L"], "breach", "synthetic")

    # The trend runs through real month-ends (the history replays every month-end between the
    # two deliveries): at 2010-12-31 each limit's line goes through July-December 2010, its
    # slope is the least-squares slope of those six month-ends' exposures, and the breach list
    # is the delivered dates' only.
    from tests.test_industry_limits import least_squares
    trend = con.execute("""
        select industry_code, trend_status, trend_points, trend_slope_per_month
        from reporting.industry_limit_utilisation
        where portfolio_id = 'sba7a_ca' and as_of_date = ?""", [as_of]).fetchall()
    assert trend and {(r[1] != "too_few_month_ends", r[2]) for r in trend} == {(True, 6)}
    for code, _, _, slope in trend:
        points = [e for (e,) in con.execute("""
            select exposure from reporting.industry_limit_utilisation
            where portfolio_id = 'sba7a_ca' and industry_code = ?
              and as_of_date between date '2010-07-31' and ? order by as_of_date""",
                                            [code, as_of]).fetchall()]
        assert len(points) == 6
        exact = least_squares(points)[0]
        assert slope == (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP), code
    assert {d for (d,) in con.execute("""
        select distinct as_of_date from reporting.industry_limit_breaches
        where portfolio_id = 'sba7a_ca'""").fetchall()} <= {dt.date(2008, 12, 31), as_of}

    # Reviews triggered by the real book's evidence (not the synthetic limits): NAICS 5321
    # automotive equipment rental has 4x the book's NPL ratio.
    real = con.execute("""
        select industry_code, trigger_id, observed_value, obligors, provenance
        from reporting.industry_reviews
        where portfolio_id = 'sba7a_ca' and as_of_date = ? and provenance <> 'synthetic'
        order by industry_code""", [as_of]).fetchall()
    assert ("5321", "npl_ratio_vs_bank", Decimal("4.007885"), 70, "derived") in real
    npl, loans_5321 = con.execute("""
        select sum(c.outstanding_principal) filter (where c.is_npl), sum(c.outstanding_principal)
        from reporting.loan_classification c
        join staging.stg_landing__borrowers b using (batch_id, borrower_id)
        where c.portfolio_id = 'sba7a_ca' and c.as_of_date = ? and b.industry_code like '5321%'
        """, [as_of]).fetchone()
    bank_npl, bank = con.execute("""
        select npl_balance, total_balance from reporting.portfolio_quality
        where portfolio_id = 'sba7a_ca' and as_of_date = ? and five_class = 'pass'""",
                                 [as_of]).fetchone()
    assert round((npl / loans_5321) / (bank_npl / bank), 6) == Decimal("4.007885")

    monkeypatch.setenv("POSTLOAN_WAREHOUSE", str(bundled))
    at = run_app(timeout=60)
    at.selectbox(key="portfolio_id").set_value("sba7a_ca").run()
    at.radio(key="lang").set_value("en").run()
    at.switch_page("pages_/industry.py").run()
    assert not at.exception, [e.value for e in at.exception]
    frames = [d.value for d in at.dataframe]
    reviews = next(f for f in frames if "Evidence" in f.columns)
    row = reviews[reviews["Industry"] == "5321"].iloc[0]
    assert row["Evidence"].startswith("NPL ratio 12.43% against the bank's 3.10%: 4.01x")
    defaults = next(f for f in frames if "Performing obligors" in f.columns)
    k2010 = defaults[(defaults["Year"] == 2010) & (defaults["Industry"] == "K")].iloc[0]
    assert (k2010["Industry name"], k2010["Default rate"]) == ("房地产业", "17.92%")


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
            if (p, d) == lc and s == "no_data"} == NOT_DELIVERED_BY_BOTH | {"J13", "J14", "J16",
                                                                             "J18"}
    # SBA: guarantees by the SBA (no circles), two as-of dates (class downgrades since 2008).
    assert [coverage[(*sba, c)] for c in ("J1", "J13", "J14", "J15", "J18")] == [
        ("computed", 128), ("computed", 0), ("computed", 0), ("computed", 3), ("computed", 75)]
    assert {c for (p, d, c), (s, _) in coverage.items()
            if (p, d) == sba and s == "no_data"} == NOT_DELIVERED_BY_BOTH
    for portfolio_date in (lc, sba):
        assert [coverage[(*portfolio_date, c)][0] for c in ("J4", "J19")] == [
            "not_in_contract", "not_in_contract"]
    # J16: every SBA obligor on the book in an industry the committee should downgrade (the
    # real book's NPL ratio at least twice the bank's: NAICS 5321 and 5323 at 2010-12-31).
    reviewed = {r[0] for r in con.execute("""
        select industry_code from reporting.industry_reviews where portfolio_id = 'sba7a_ca'
          and as_of_date = '2010-12-31' and suggested_action = 'lower_grade'""").fetchall()}
    assert {"5321", "5323"} <= reviewed
    in_reviewed = {r[0] for r in con.execute("""
        select distinct l.borrower_id from reporting.loans l
        join staging.stg_landing__borrowers b using (batch_id, borrower_id)
        where l.portfolio_id = 'sba7a_ca' and l.as_of_date = '2010-12-31'
          and l.loan_status = 'outstanding'
          and list_has_any([b.industry_code[:2], b.industry_code[:3], b.industry_code[:4],
                            b.industry_code[:5], b.industry_code], ?)""",
                                                 [sorted(reviewed)]).fetchall()}
    j16 = {r[0] for r in con.execute("""
        select borrower_id from reporting.early_warnings where portfolio_id = 'sba7a_ca'
          and as_of_date = '2010-12-31' and signal_code = 'J16'""").fetchall()}
    assert j16 == in_reviewed and len(j16) >= 70
    assert coverage[(*sba, "J16")] == ("computed", len(j16))
    changes = dict(con.execute("""
        select watch_status, count(*) from reporting.watchlist
        where portfolio_id = 'sba7a_ca' and as_of_date = '2010-12-31' group by all""").fetchall())
    # The watchlist is every obligor a signal names: entered = named in 2010 and not in 2008,
    # cleared = the reverse; the others escalated, de-escalated or stayed.
    def named(as_of: str) -> set[str]:
        return {r[0] for r in con.execute("""
            select distinct borrower_id from reporting.early_warnings
            where portfolio_id = 'sba7a_ca' and as_of_date = ? and borrower_id is not null""",
                                          [as_of]).fetchall()}
    before, now = named("2008-12-31"), named("2010-12-31")
    assert (changes["entered"], changes["cleared"]) == (len(now - before), len(before - now))
    assert changes["escalated"] + changes["de_escalated"] + changes["unchanged"] == len(
        now & before) > 50

    monkeypatch.setenv("POSTLOAN_WAREHOUSE", str(bundled))
    at = run_app(timeout=60)
    at.radio(key="lang").set_value("en").run()
    at.selectbox(key="portfolio_id").set_value("sba7a_ca").run()
    at.switch_page("pages_/monitoring.py").run()
    assert not at.exception, [e.value for e in at.exception]
    lacks = [w.value for w in at.warning if w.value.startswith("This portfolio lacks")]
    assert len(lacks) == 1 and "J8 LTV breach (collateral; declared absent: " in lacks[0]
    assert (f"{len(now)} obligors on the list: {changes['entered']} entered, "
            f"{changes['escalated']} escalated, {changes['cleared']} cleared.") in [
        m.value for m in at.markdown]
    signals = [d.value for d in at.dataframe if "First seen" in d.value.columns]
    assert len(signals) == 1 and len(signals[0]) > 0
