"""The industry limits page on a warehouse built from the hand-made books of
``tests/test_industry_limits.py`` (figures worked there): the I3 bands with their lights, the
breaches and the loans behind them, the review list with its evidence in both languages, the
utilisation history with the trend's projected month, default rates by year, and the drill-down
industry -> borrowers -> loans.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.pages_ import industry as page
from postloan.cli import run_build
from tests.dashboard_apptest import checked, run_app, texts
from tests.test_industry_limits import write_books

D = Decimal


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    landing = tmp_path_factory.mktemp("industry_page") / "landing"
    write_books(landing)
    path = landing.parent / "wh" / "postloan.duckdb"
    assert run_build(landing, path, ephemeral=True, log_level="WARNING") == 0
    return path


@pytest.fixture
def app_env(warehouse: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("POSTLOAN_WAREHOUSE", str(warehouse))
    return warehouse


def frame_with(at: AppTest, *columns: str) -> pd.DataFrame:
    found = [d.value for d in at.dataframe if set(columns) <= set(d.value.columns)]
    assert len(found) == 1, [list(d.value.columns) for d in at.dataframe]
    return found[0]


def industry_page(portfolio: str, lang: str = "zh", as_of: str | None = None) -> AppTest:
    at = run_app(timeout=60)
    if lang != "zh":
        at.radio(key="lang").set_value(lang).run()
    at.selectbox(key="portfolio_id").set_value(portfolio).run()
    if as_of:
        at.selectbox(key="as_of").set_value(as_of).run()
    at.switch_page("pages_/industry.py")
    return checked(at.run())


# --- without Streamlit ------------------------------------------------------------------------


def test_percentages_from_exact_amounts() -> None:
    assert page.percent_of(D("49.99"), D("50.00"), D("0.999800")) == "99.98%"
    assert page.percent_of(D("5"), D("0"), None) == "—"
    assert page.percent_of(None, D("50.00"), D("0.820000")) == "82.00%"
    assert page.fraction_text(D("0.042000")) == "4.20%"
    assert page.times_text(D("2.800000")) == "2.80"


def test_evidence_in_both_languages() -> None:
    row = pd.Series({"metric": "npl_ratio_to_bank", "industry_value": D("0.042000"),
                     "comparison_value": D("0.015000"), "observed_value": D("2.800000"),
                     "threshold": D("2.000000"), "obligors": 5, "evidence_period": "2024-06-30"})
    assert page.evidence_text(row, "en") == (
        "NPL ratio 4.20% against the bank's 1.50%: 2.80x (trigger ≥ 2.00x), 5 obligors, "
        "2024-06-30")
    assert page.evidence_text(row, "zh") == (
        "不良贷款率 4.20% 为全行 1.50% 的 2.80 倍（阈值 ≥ 2.00 倍），5 户，2024-06-30")


# --- the page ---------------------------------------------------------------------------------


@pytest.mark.slow
def test_utilisation_bands_breaches_and_reviews(app_env: Path) -> None:
    at = industry_page("i3")
    assert "行业限额与行业风险" in texts(at.header)
    assert ("使用率 = 风险暴露 ÷ 限额；预警区间：80% 起为黄色预警，90% 起为红色预警，"
            "100% 及以上为超限（规则 I3，可配置）。") in texts(at.caption)
    table = frame_with(at, "限额使用率", "预警区间", "剩余额度")
    assert table["行业代码"].tolist() == ["C", "1311", "1312", "1313", "1314", "1319", "7010",
                                      "7040", "7111", "7112"]
    assert table["限额使用率"].tolist() == ["73.32%", "79.98%", "80.00%", "89.98%", "90.00%",
                                       "99.98%", "82.00%", "92.00%", "102.00%", "100.00%"]
    assert table["预警区间"].tolist() == ["绿色", "绿色", "黄色预警", "黄色预警", "红色预警",
                                      "红色预警", "黄色预警", "红色预警", "超限", "超限"]
    assert table["信号"].tolist()[-2:] == ["⛔", "⛔"]
    assert table["行业限额"].tolist()[0] == "300.00"
    assert table["剩余额度"].tolist()[-2:] == ["-1.00", "0.00"]
    assert texts(at.error) == [
        "2 个行业超限：7111 汽车租赁 102.00%、7112 农业机械经营租赁 100.00%。"]
    assert ("3 个行业处于红色预警：1314 杂粮加工 90.00%、1319 其他谷物磨制 99.98%、"
            "7040 房地产租赁经营 92.00%。") in texts(at.warning)
    assert any("合成数据" in w for w in texts(at.warning))   # the limits are synthetic here

    breaches = frame_with(at, "超限金额", "占行业暴露比例")
    assert breaches["贷款编号"].tolist() == ["7111-L", "7112-L"]
    assert breaches["借款人名称"].tolist() == ["客户B7111", "客户B7112"]
    assert breaches["超限金额"].tolist() == ["1.00", "0.00"]

    reviews = frame_with(at, "证据", "建议措施")
    assert reviews["行业代码"].tolist() == ["7111", "7112", "5312"]
    assert reviews["触发条件"].tolist() == ["限额超限", "限额超限", "外部指标同比下降"]
    assert reviews["证据"].tolist()[2] == (
        "revenue 2023：90，上年 100，同比 -10.00%（阈值 ≤ -10.00%）")
    assert reviews["证据"].tolist()[0] == (
        "风险暴露 51.00，限额 50.00，使用率 102.00%（阈值 ≥ 100.00%），2024-06-30")
    assert reviews["建议措施"].tolist()[0] == "冻结新增敞口，报告风险委员会并制定整改计划"


@pytest.mark.slow
def test_npl_review_with_evidence_in_english(app_env: Path) -> None:
    at = industry_page("i4_over", "en")
    assert "Industry limits and industry risk" in texts(at.header)
    assert "No industry limit is in force for this portfolio on the selected date." in texts(
        at.info)
    reviews = frame_with(at, "Evidence", "Suggested action").set_index("Industry")
    assert list(reviews.index) == ["70", "701", "K"]
    assert reviews.loc["701", "Evidence"] == (
        "NPL ratio 4.20% against the bank's 1.50%: 2.80x (trigger ≥ 2.00x), 5 obligors, "
        "2024-06-30")
    assert reviews.loc["701", "Trigger"] == "NPL ratio vs bank"
    assert reviews.loc["701", "Suggested action"] == "Lower the industry grade (tier)"


@pytest.mark.slow
def test_history_and_projected_month(app_env: Path) -> None:
    at = industry_page("trend", "en", "2024-06-30")
    table = frame_with(at, "Utilisation", "Band", "Projected to reach limit")
    assert table["Industry"].tolist() == ["7010"]
    assert table["Utilisation"].tolist() == ["80.00%"]
    assert table["Trend"].tolist() == ["rising"]
    assert table["Projected to reach limit"].tolist() == ["2024-11-30"]
    # Every month-end since the loans' disbursement in June 2023: June-November replayed from
    # the first delivery (31.00 / 50.00), then the seven delivered month-ends.
    history = frame_with(at, "As-of date", "Utilisation", "Band")
    assert history["As-of date"].tolist() == ["2023-06-30", "2023-07-31", "2023-08-31",
                                              "2023-09-30", "2023-10-31", "2023-11-30",
                                              "2023-12-31", "2024-01-31", "2024-02-29",
                                              "2024-03-31", "2024-04-30", "2024-05-31",
                                              "2024-06-30"]
    assert history["Delivered as-of date"].tolist() == ["no"] * 6 + ["yes"] * 7
    assert history["Utilisation"].tolist() == ["62.00%"] * 7 + ["60.00%", "64.00%", "68.00%",
                                                                 "72.00%", "76.00%", "80.00%"]
    assert history["Band"].tolist() == ["green"] * 12 + ["amber"]


@pytest.mark.slow
def test_breaches_at_replayed_month_ends_stay_in_the_history(app_env: Path) -> None:
    """The ``defaults`` book's 7010 is over its 1,000.00 limit at month-ends of 2023 replayed
    between deliveries, and at 80% (amber) on the delivered 2023-12-31 (worked in
    test_limit_in_force_at_every_month_end): the history shows the breaches, the breach list
    and the review list of the date do not."""
    at = industry_page("defaults", "en", "2023-12-31")
    now = frame_with(at, "Utilisation", "Band", "Projected to reach limit")
    assert (now["Industry"].tolist(), now["Utilisation"].tolist(), now["Band"].tolist()) == (
        ["7010"], ["80.00%"], ["amber"])
    assert "No industry limit is breached on the selected date." in texts(at.info)
    assert texts(at.error) == []    # no "limits breached" alert for the date
    history = frame_with(at, "As-of date", "Utilisation", "Band")
    breaches = history[history["Band"] == "breach"]
    assert breaches["As-of date"].tolist() == [
        "2023-01-31", "2023-02-28", "2023-03-31", "2023-04-30", "2023-05-31", "2023-06-30",
        "2023-07-31", "2023-08-31"]
    assert breaches["Delivered as-of date"].tolist() == ["no"] * 8
    assert breaches["Utilisation"].tolist()[:3] == ["100.00%", "110.00%", "110.00%"]
    assert len(history) == 24 and history["As-of date"].tolist()[0] == "2022-01-31"


@pytest.mark.slow
def test_growth_and_migration_since_the_previous_stock_date(app_env: Path) -> None:
    at = industry_page("trend", "en", "2024-06-30")
    risk = frame_with(at, "Exposure growth", "Downward migration").set_index("Industry")
    # K: 50.00 against 41.00 in December; 10.00 of the 41.00 moved from Pass to Substandard.
    assert (risk.loc["K", "Exposure growth"], risk.loc["K", "Downward migration"]) == (
        "21.95%", "24.39%")
    assert risk.loc["K", "NPL ratio"] == "20.00%"
    assert ("Growth and downward migration since the previous stock date 2023-12-31 (rule K1, "
            "classes pooled).") in texts(at.caption)


@pytest.mark.slow
def test_default_rates_by_year(app_env: Path) -> None:
    at = industry_page("defaults", "en")
    rates = frame_with(at, "Performing obligors", "Default rate")
    first = rates.iloc[0]
    assert (first["Year"], first["Industry"], first["Performing obligors"],
            first["Defaulted"], first["Default rate"], first["Book default rate"]) == (
        2023, "C", 10, 0, "0.00%", "10.00%")
    k2023 = rates[(rates["Year"] == 2023) & (rates["Industry"] == "K")].iloc[0]
    assert (k2023["Default rate"], k2023["Defaulted"]) == ("20.00%", 2)


@pytest.mark.slow
def test_drill_down_industry_borrowers_loans(app_env: Path) -> None:
    at = industry_page("i3")
    prefix = "industry:i3:2024-06-30"
    assert at.selectbox(key=f"{prefix}:exposure_level").value == 0
    exposure = frame_with(at, "对公小微风险暴露", "个人客户风险暴露")
    assert exposure["行业代码"].tolist() == ["C", "L", "K", "(unmapped)", "(none)"]
    assert exposure["对公小微风险暴露"].tolist() == ["219.97", "101.00", "94.00", "3.00", "2.00"]
    assert exposure["个人客户风险暴露"].tolist() == ["0.00", "0.00", "10.00", "0.00", "0.00"]
    assert exposure["归类方式"].tolist()[2] == "crosswalk, gbt"   # two bases: shown as stored

    picker = f"{prefix}:GB/T 4754-2017:0:industry"
    at.selectbox(key=picker).set_value("K").run()
    checked(at)
    borrowers = frame_with(at, "借款人名称", "借款人行业代码")
    assert borrowers["借款人编号"].tolist() == ["B7040", "B7010", "R", "N"]
    assert borrowers["风险暴露"].tolist() == ["46.00", "41.00", "10.00", "7.00"]
    assert borrowers["借款人行业代码"].tolist()[-1] == "531210"   # filed under K by the crosswalk
    assert "4 户借款人，风险暴露合计 104.00 CNY。" in texts(at.caption)

    at.selectbox(key=f"{picker}:K:borrower").set_value("N").run()
    checked(at)
    loans = frame_with(at, "贷款编号", "贷款余额", "五级分类")
    assert loans["贷款编号"].tolist() == ["N-1"]
    assert loans["风险暴露"].tolist() == ["7.00"]
    assert "1 笔贷款，风险暴露合计 7.00 CNY。" in texts(at.caption)
