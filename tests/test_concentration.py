"""Concentration: the regulatory ratios of section G and the indices of section H, on the worked
examples (both sides of the boundaries) and against numpy on random portfolios."""

from __future__ import annotations

import math
import random
from decimal import Decimal
from pathlib import Path

import duckdb
import numpy as np
import pytest

from postloan.cli import run_build
from tests.helpers import write_csv, write_manifest

AS_OF = "2024-06-30"
CAPITAL = {"net_capital": "200.00", "net_tier1_capital": "170.00",
           "net_capital_prev_quarter": "200.00", "net_tier1_capital_prev_quarter": "165.00"}


def write_book(landing: Path, portfolio: str, customers: list[tuple], capital=CAPITAL,
               product_of=None) -> None:
    """customers: (borrower_id, group_id, related, [loan amounts][, borrower_type]) -> one bullet
    loan per amount, not yet due, so each loan's outstanding principal is its amount."""
    folder = landing / portfolio
    write_csv(folder / "borrowers.csv",
              ["borrower_id", "borrower_name", "borrower_type", "group_id", "is_related_party"],
              [[c[0], f"客户{c[0]}", c[4] if len(c) > 4 else "corporate", c[1] or "",
                "true" if c[2] else "false"] for c in customers])
    loans, schedule = [], []
    for b, _, _, amounts, *_ in customers:
        for n, amount in enumerate(amounts, start=1):
            loan_id = f"{b}-{n}"
            product = product_of(loan_id) if product_of else "term"
            loans.append([loan_id, b, product, amount, "2024-01-01", "2026-01-01", "credit"])
            schedule.append([loan_id, 1, "2026-01-01", amount, "0.00"])
    write_csv(folder / "loans.csv", ["loan_id", "borrower_id", "product", "contract_amount",
                                     "disbursement_date", "maturity_date", "guarantee_type"], loans)
    write_csv(folder / "repayment_schedule.csv",
              ["loan_id", "installment_no", "due_date", "principal_due", "interest_due"], schedule)
    write_manifest(folder, portfolio_id=portfolio, as_of=AS_OF,
                   files={"borrowers": "borrowers.csv", "loans": "loans.csv",
                          "repayment_schedule": "repayment_schedule.csv"},
                   capital=capital if capital else {})


RANDOM_BOOKS = {f"random{n}": n for n in (7, 50, 230)}


def random_amounts(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return [f"{rng.lognormvariate(10, 1.5):.2f}" for _ in range(n)]


@pytest.fixture(scope="module")
def con(tmp_path_factory) -> duckdb.DuckDBPyConnection:
    landing = tmp_path_factory.mktemp("concentration") / "landing"
    # G2: net capital 200; largest customer 19 (9.5%); group GX 16 + 16 = 32 (16%); ten
    # customers with 90 in all (45%).
    others = [(f"O{i}", None, False, [a]) for i, a in
              enumerate(["6.00", "6.00", "6.00", "6.00", "5.00", "5.00", "5.00"])]
    write_book(landing, "g2", [("C1", None, False, ["19.00"]), ("GA", "GX", False, ["16.00"]),
                               ("GB", "GX", False, ["16.00"])] + others)
    # G3: net tier-1 170; a single customer 26 (15.3%, breach); a group of 33 (19.4%); a bank
    # 40 (23.5%, within the 25% interbank limit).
    write_book(landing, "g3", [("X", None, False, ["26.00"]), ("Y1", "GY", False, ["16.50"]),
                               ("Y2", "GY", False, ["16.50"]), ("S", None, False, ["4.25"]),
                               ("T", None, False, ["4.26"]),
                               ("BANK", None, False, ["40.00"], "bank")])
    # G4: the group of one related legal person: 16 + 16 = 32 of 200 (16% > 15%).
    write_book(landing, "g4_group", [("RA", "RG", True, ["16.00"]), ("RB", "RG", True, ["16.00"]),
                                     ("N", None, False, ["50.00"])])
    # G4: previous quarter-end net capital 200; related party 21 (10.5%) or exactly 20 (10%).
    write_book(landing, "g4_over", [("R", None, True, ["21.00"]), ("N", None, False, ["50.00"])])
    write_book(landing, "g4_at", [("R", None, True, ["20.00"]), ("N", None, False, ["50.00"])])
    # No capital delivered: ratios say so rather than divide by nothing.
    write_book(landing, "no_capital", [("A", None, False, ["1.00"])], capital=None)
    # H1-H5: four names 40/30/20/10; five products 35/25/20/12/8.
    write_book(landing, "h1", [(f"H{i}", None, False, [a]) for i, a in
                               enumerate(["40.00", "30.00", "20.00", "10.00"])])
    shares = {"H5-1": "35.00", "H5-2": "25.00", "H5-3": "20.00", "H5-4": "12.00", "H5-5": "8.00"}
    write_book(landing, "h5", [(k, None, False, [v]) for k, v in shares.items()],
               product_of=lambda loan_id: "product_" + loan_id.split("-")[1])
    # G5: a small bank (tier 3): 250 real-estate loans (a developer in GB/T 大类 70 and a
    # personal mortgage) of 1,000 RMB loans -> 25% > 22.5%.
    g5 = landing / "g5"
    write_csv(g5 / "borrowers.csv", ["borrower_id", "borrower_name", "borrower_type",
                                     "industry_scheme", "industry_code"],
              [["DEV", "开发商", "corporate", "GB/T 4754-2017", "7010"],
               ["HOME", "个人", "retail", "", ""],
               ["MFG", "制造商", "corporate", "GB/T 4754-2017", "1311"]])
    write_csv(g5 / "loans.csv", ["loan_id", "borrower_id", "product", "contract_amount",
                                 "disbursement_date", "maturity_date", "guarantee_type"],
              [["DEV-1", "DEV", "term", "150.00", "2024-01-01", "2026-01-01", "mortgage"],
               ["HOME-1", "HOME", "mortgage", "100.00", "2024-01-01", "2026-01-01", "mortgage"],
               ["MFG-1", "MFG", "term", "750.00", "2024-01-01", "2026-01-01", "mortgage"]])
    write_csv(g5 / "repayment_schedule.csv",
              ["loan_id", "installment_no", "due_date", "principal_due", "interest_due"],
              [["DEV-1", 1, "2026-01-01", "150.00", "0.00"],
               ["HOME-1", 1, "2026-01-01", "100.00", "0.00"],
               ["MFG-1", 1, "2026-01-01", "750.00", "0.00"]])
    write_manifest(g5, portfolio_id="g5", as_of=AS_OF, capital=CAPITAL,
                   files={"borrowers": "borrowers.csv", "loans": "loans.csv",
                          "repayment_schedule": "repayment_schedule.csv"})
    # H7 vector 1 through the warehouse: 1,000 equal corporate names, 正常 (PD 1%), credit (45%).
    write_book(landing, "ga1000", [(f"N{i:04d}", None, False, ["1.00"]) for i in range(1000)])
    for seed, (name, n) in enumerate(RANDOM_BOOKS.items()):
        write_book(landing, name, [(f"B{i}", None, False, [a])
                                   for i, a in enumerate(random_amounts(n, seed))])
    warehouse = landing.parent / "wh" / "postloan.duckdb"
    assert run_build(landing, warehouse, ephemeral=True, log_level="WARNING") == 0
    return duckdb.connect(str(warehouse), read_only=True)


def ratio(con, portfolio: str, name: str) -> tuple:
    return con.execute("""
        select numerator, denominator, value, status, counterparty from reporting.regulatory_ratios
        where portfolio_id = ? and ratio = ?""", [portfolio, name]).fetchone()


def indices(con, portfolio: str, dimension: str = "obligor") -> dict:
    cur = con.execute("select * from reporting.concentration_indices where portfolio_id = ? "
                      "and dimension = ? and level = 0", [portfolio, dimension])
    return dict(zip([d[0] for d in cur.description], cur.fetchone(), strict=True))


@pytest.mark.slow
def test_g2_single_customer_group_and_top_ten(con):
    assert ratio(con, "g2", "single_customer_loans") == (
        Decimal("19.00"), Decimal("200.00"), Decimal("0.095000"), "warning", "C1")
    assert ratio(con, "g2", "single_group_credit") == (
        Decimal("32.00"), Decimal("200.00"), Decimal("0.160000"), "breach", "GX")
    assert ratio(con, "g2", "top_ten_customers_loans")[:4] == (
        Decimal("90.00"), Decimal("200.00"), Decimal("0.450000"), "reported")


@pytest.mark.slow
def test_g3_large_exposures_against_net_tier1(con):
    assert ratio(con, "g3", "large_exposure_single")[2:] == (Decimal("0.152941"), "breach", "X")
    group = ratio(con, "g3", "large_exposure_group")
    assert group[2:] == (Decimal("0.194118"), "warning", "GY")   # passes: below 20%
    interbank = ratio(con, "g3", "large_exposure_interbank")
    assert interbank[2:] == (Decimal("0.235294"), "warning", "BANK")   # passes: below 25%
    listed = con.execute("""
        select counterparty_type, counterparty_id, limit_share from reporting.large_exposures
        where portfolio_id = 'g3' order by 1, 2""").fetchall()
    # Threshold 2.5% x 170 = 4.25: 4.26 is a large exposure, exactly 4.25 is not.
    single, group, bank = Decimal("0.150000"), Decimal("0.200000"), Decimal("0.250000")
    assert listed == [("customer", "BANK", bank), ("customer", "T", single),
                      ("customer", "X", single), ("customer", "Y1", single),
                      ("customer", "Y2", single), ("group", "BANK", bank), ("group", "GY", group),
                      ("group", "T", group), ("group", "X", group)]


@pytest.mark.slow
def test_g4_related_parties_exactly_at_and_over_the_limit(con):
    over = ratio(con, "g4_over", "single_related_party_credit")
    assert over[2:4] == (Decimal("0.105000"), "breach")
    at = ratio(con, "g4_at", "single_related_party_credit")
    assert at[2] == Decimal("0.100000") and at[3] != "breach"   # exactly 10% is within
    assert ratio(con, "g4_over", "all_related_parties_credit")[2:4] == \
        (Decimal("0.105000"), "within")                          # 50% limit for all
    related_group = ratio(con, "g4_group", "related_group_credit")
    assert related_group[2:5] == (Decimal("0.160000"), "breach", "RG")
    assert ratio(con, "g4_group", "single_related_party_credit")[2:4] == \
        (Decimal("0.080000"), "within")
    assert ratio(con, "no_capital", "single_customer_loans")[1:4] == \
        (None, None, "no_denominator")


@pytest.mark.slow
def test_g5_real_estate_caps_by_bank_tier(con):
    assert ratio(con, "g5", "real_estate_loans")[:4] == (
        Decimal("250.00"), Decimal("1000.00"), Decimal("0.250000"), "breach")
    assert ratio(con, "g5", "personal_mortgages")[:4] == (
        Decimal("100.00"), Decimal("1000.00"), Decimal("0.100000"), "within")


@pytest.mark.slow
def test_h1_to_h5_worked_examples(con):
    h = indices(con, "h1")
    assert h["names"] == 4
    assert h["hhi"] == pytest.approx(0.30, abs=1e-12)
    assert h["effective_names"] == pytest.approx(10 / 3, abs=1e-12)
    assert h["hhi_normalised"] == pytest.approx(1 / 15, abs=1e-12)
    assert h["gini"] == pytest.approx(0.25, abs=1e-12)
    assert h["gini_small_sample"] == pytest.approx(1 / 3, abs=1e-12)
    assert round(h["entropy"], 6) == 1.279854
    assert round(h["entropy_normalised"], 6) == 0.923220
    assert h["top_1_share"] == pytest.approx(0.40, abs=1e-12)
    first = con.execute("""
        select cumulative_exposure_share from reporting.concentration_lorenz
        where portfolio_id = 'h1' and dimension = 'obligor' and point = 1""").fetchone()[0]
    assert 1 - first == pytest.approx(0.90, abs=1e-12)            # top-3 share: 90%
    assert indices(con, "h5", "product")["hhi"] == pytest.approx(0.2458, abs=1e-12)


@pytest.mark.slow
@pytest.mark.parametrize("portfolio", sorted(RANDOM_BOOKS))
def test_indices_agree_with_numpy_on_random_books(con, portfolio):
    seed = list(RANDOM_BOOKS).index(portfolio)  # as in the fixture
    x = np.array([float(a) for a in random_amounts(RANDOM_BOOKS[portfolio], seed)])
    n, s = len(x), x / x.sum()
    xs = np.sort(x)
    gini = (np.abs(x[:, None] - x[None, :]).sum() / (2 * n * n * x.mean()))  # mean-difference
    expected = {
        "names": n,
        "hhi": float((s**2).sum()),
        "hhi_normalised": float(((s**2).sum() - 1 / n) / (1 - 1 / n)),
        "effective_names": float(1 / (s**2).sum()),
        "gini": float(gini),
        "gini_small_sample": float(gini * n / (n - 1)),
        "entropy": float(-(s * np.log(s)).sum()),
        "entropy_normalised": float(-(s * np.log(s)).sum() / math.log(n)),
        "top_1_share": float(np.sort(s)[::-1][:1].sum()),
        "top_5_share": float(np.sort(s)[::-1][:5].sum()),
        "top_10_share": float(np.sort(s)[::-1][:10].sum()),
        "top_20_share": float(np.sort(s)[::-1][:20].sum()),
    }
    got = indices(con, portfolio)
    for key, value in expected.items():
        assert got[key] == pytest.approx(value, rel=1e-9, abs=1e-12), key
    lorenz = con.execute("""
        select cumulative_exposure_share from reporting.concentration_lorenz
        where portfolio_id = ? and dimension = 'obligor' order by point""",
                         [portfolio]).fetchall()
    assert [r[0] for r in lorenz] == pytest.approx(list(np.cumsum(xs) / xs.sum()), rel=1e-9)


@pytest.mark.slow
def test_granularity_adjustment_through_the_warehouse(con):
    k_star, full, simplified, meaningful, add_on = con.execute("""
        select k_star, ga_full, ga_simplified, meaningful, capital_add_on
        from reporting.granularity_adjustment where portfolio_id = 'ga1000'""").fetchone()
    assert (round(k_star, 7), round(full, 7), round(simplified, 7)) == \
        (0.0586227, 0.0012660, 0.0012351)
    assert meaningful and add_on == pytest.approx(simplified * 1000, rel=1e-12)
    few, note = con.execute("""
        select meaningful, note from reporting.granularity_adjustment
        where portfolio_id = 'h1'""").fetchone()
    assert few is False and "below 50" in note


@pytest.mark.slow
def test_g6_basel_large_exposures_as_configuration(tmp_path):
    """Basel LEX (G6) through the committee's settings: tier 1 170 -> large exposure at >= 17,
    limit 42.5."""
    import json

    landing = tmp_path / "landing"
    write_book(landing, "g6", [("AT", None, False, ["17.00"]), ("BELOW", None, False, ["16.99"]),
                               ("LIMIT", None, False, ["42.50"]),
                               ("OVER", None, False, ["42.51"])])
    warehouse = tmp_path / "wh" / "postloan.duckdb"
    basel = {"large_exposure_threshold": 0.10, "large_exposure_at_threshold": True,
             "limit_large_exposure_single": 0.25}
    assert run_build(landing, warehouse, ephemeral=True, log_level="WARNING",
                     dbt_vars=json.dumps(basel)) == 0
    con = duckdb.connect(str(warehouse), read_only=True)
    rows = con.execute("""
        select counterparty_id, status from reporting.large_exposures
        where counterparty_type = 'customer' order by exposure""").fetchall()
    assert rows == [("AT", "within"), ("LIMIT", "warning"), ("OVER", "breach")]
