"""The concentration page on the fixture warehouse.

WHOLESALE-CNY at 2024-06-30 (see the concentration section of ``tests/dashboard_fixtures.py``):
net capital 5,625,000, net tier-1 capital 4,000,000, previous quarter-end net capital 5,000,000;
W01 (B-W01, 500,000) and W02 (B-W02, 400,000) form the group G-EAST. Worked by hand:

* single group credit 900,000 / 5,625,000 = 16.00% against 15.00% -> breach, headroom
  0.15 x 5,625,000 - 900,000 = -56,250.00;
* largest customer's loans 500,000 / 5,625,000 = 8.888...% -> 8.89%, within (warning from 9%),
  headroom 62,500.00;
* large exposure B-W01 550,000 / 4,000,000 = 13.75% against 15% (warning from 13.5%);
  G-EAST 950,000 / 4,000,000 = 23.75% against 20% -> breach, headroom -150,000.00;
* obligor Lorenz curve, smallest first: 8,000 / 12,000 / 20,000 / 60,000 / 400,000 / 500,000 of
  1,000,000 -> cumulative 0.80% / 2.00% / 4.00% / 10.00% / 50.00% / 100.00%;
  HHI 0.25 + 0.16 + 0.0036 + 0.0004 + 0.000144 + 0.000064 = 0.414208.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import data
from dashboard.pages_ import concentration as page
from tests import dashboard_fixtures as fx
from tests.dashboard_apptest import checked, run_app, texts

D = Decimal
BUILT = dt.datetime(2024, 7, 2, 10, 0, 0)
PREFIX = "concentration:WHOLESALE-CNY:2024-06-30"
PICKER = f"{PREFIX}:counterparty"
DIMENSION = f"{PREFIX}:dimension"


@pytest.fixture
def warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "warehouse" / "postloan.duckdb"
    fx.publish_warehouse(path, "build-A", BUILT)
    fx.write_runs(path, [fx.run_record("run-1", "success", BUILT, "build-A")])
    monkeypatch.setenv("POSTLOAN_WAREHOUSE", str(path))
    return path




def frame_with(at: AppTest, *columns: str) -> pd.DataFrame:
    """The one table on the page that has all of ``columns``."""
    found = [d.value for d in at.dataframe if set(columns) <= set(d.value.columns)]
    assert len(found) == 1, [list(d.value.columns) for d in at.dataframe]
    return found[0]


def concentration_page(portfolio: str = fx.WHOLESALE, lang: str = "zh") -> AppTest:
    at = run_app()
    if lang != "zh":
        at.radio(key="lang").set_value(lang).run()
    at.selectbox(key="portfolio_id").set_value(portfolio).run()
    at.switch_page("pages_/concentration.py")
    return checked(at.run())


# --- without Streamlit ------------------------------------------------------------------------


def test_ratio_frame_is_exact() -> None:
    ratios = pd.DataFrame(
        [r for r in fx.ratio_rows() if r["portfolio_id"] == fx.WHOLESALE]
    ).set_index("ratio", drop=False)
    frame = page.ratio_frame(ratios, "en").set_index("ratio")
    group = frame.loc["single_group_credit"]
    assert (group["ratio_value"], group["limit_share"], group["light"]) == (
        "16.00%",
        "15.00%",
        "🔴",
    )
    assert group["key"] == "group:G-EAST"
    assert group["basis"] == "credit ÷ net capital"
    # From the exact amounts, not the stored 6-place fraction: 500,000 / 5,625,000.
    assert frame.loc["single_customer_loans", "ratio_value"] == "8.89%"
    assert frame.loc["top_ten_customers_loans", "key"] is None
    assert frame.loc["top_ten_customers_loans", "limit_share"] == "—"
    assert page.ratio_percent(D(32), D(200), None) == D(16)
    assert page.ratio_percent(D(32), None, D("0.160000")) == D("16.000000")
    assert page.ratio_percent(D(32), None, None) is None


def test_index_text_and_lorenz_points() -> None:
    assert page.double_text(0.414208, 4) == "0.4142"
    assert page.double_text(0.41425, 4) == "0.4143"  # half up from the shortest repr
    assert page.double_percent(0.9) == "90.00%"
    assert page.double_text(None, 4) == "—"
    points = pd.DataFrame(
        [r for r in fx.lorenz_rows() if (r["as_of_date"], r["dimension"]) == (fx.JUNE, "obligor")]
    )
    frame = page.lorenz_frame(points)
    assert frame["cumulative_exposure_share"].tolist() == [
        "0.80%",
        "2.00%",
        "4.00%",
        "10.00%",
        "50.00%",
        "100.00%",
    ]
    chart = page.lorenz_chart_data(frame)
    assert (chart["x"].iloc[0], chart["y"].iloc[0]) == (0.0, 0.0)  # the curve starts at (0, 0)
    assert chart["y"].tolist()[1:] == pytest.approx([0.8, 2.0, 4.0, 10.0, 50.0, 100.0])
    assert chart["x"].tolist()[-1] == pytest.approx(100.0)


def test_counterparty_loans_query(warehouse: Path) -> None:
    snapshot = data.take_snapshot(warehouse)
    assert snapshot is not None
    group = data.counterparty_loans(snapshot, fx.WHOLESALE, fx.JUNE, "group", "G-EAST")
    assert group["loan_id"].tolist() == ["W01", "W02"]
    assert all(isinstance(v, Decimal) for v in group["outstanding_principal"])
    # A borrower without a group is its own group.
    alone = data.counterparty_loans(snapshot, fx.WHOLESALE, fx.JUNE, "group", "B-W03")
    assert alone["loan_id"].tolist() == ["W03"]
    one = data.counterparty_loans(snapshot, fx.WHOLESALE, fx.JUNE, "customer", "B-W02")
    assert one["loan_id"].tolist() == ["W02"]


# --- the page ---------------------------------------------------------------------------------


def test_ratios_against_limits_with_traffic_lights(warehouse: Path) -> None:
    at = concentration_page()
    assert "集中度" in texts(at.header)
    ratios = frame_with(at, "指标值", "限额", "剩余额度").set_index("指标")
    group = ratios.loc["单一集团客户授信集中度"]
    assert group["指标值"] == "16.00%"
    assert group["限额"] == "15.00%"
    assert group["剩余额度"] == "-56,250.00"
    assert group["状态"] == "超限"
    assert group["信号"] == "🔴"
    assert group["客户/集团"] == "G-EAST"
    assert group["分子"] == "900,000.00" and group["分母"] == "5,625,000.00"
    assert ratios["状态"].to_dict() == {
        "单一客户贷款集中度": "未超限",
        "单一集团客户授信集中度": "超限",
        "最大十家客户贷款集中度": "仅报告（无限额）",
        "集团客户风险暴露": "超限",
        "单一客户风险暴露": "预警",
        "全部关联方授信集中度": "未超限",
        "单一关联方授信集中度": "未超限",
    }
    assert ratios["信号"].tolist() == ["🟢", "🔴", "⚪", "🔴", "🟠", "🟢", "🟢"]
    assert ratios.loc["单一客户贷款集中度", "指标值"] == "8.89%"
    assert ratios.loc["单一客户贷款集中度", "剩余额度"] == "62,500.00"
    assert ratios.loc["最大十家客户贷款集中度", "指标值"] == "17.78%"
    assert ratios.loc["最大十家客户贷款集中度", "限额"] == "—"
    assert ratios.loc["单一客户风险暴露", "指标值"] == "13.75%"
    assert ratios.loc["单一关联方授信集中度", "口径"] == "授信 ÷ 上季末资本净额"
    assert texts(at.error) == [
        "2 项指标超限：单一集团客户授信集中度 16.00%、集团客户风险暴露 23.75%。"
    ]
    assert texts(at.warning) == ["1 项指标达到预警线：单一客户风险暴露 13.75%。"]


def test_large_exposures(warehouse: Path) -> None:
    at = concentration_page()
    large = frame_with(at, "占一级资本净额比例")
    assert large["客户/集团编号"].tolist() == ["G-EAST", "B-W01", "B-W02"]
    assert large["类型"].tolist() == ["集团", "客户", "客户"]
    assert large["风险暴露"].tolist() == ["950,000.00", "550,000.00", "400,000.00"]
    assert large["占一级资本净额比例"].tolist() == ["23.75%", "13.75%", "10.00%"]
    assert large["限额"].tolist() == ["20.00%", "15.00%", "15.00%"]
    assert large["状态"].tolist() == ["超限", "预警", "未超限"]


def test_status_labels_in_english(warehouse: Path) -> None:
    at = concentration_page(lang="en")
    assert "Concentration" in texts(at.header)
    ratios = frame_with(at, "Value", "Limit", "Headroom").set_index("Ratio")
    assert ratios["Status"].to_dict() == {
        "Single customer loans": "within limit",
        "Single group credit": "breach",
        "Top ten customers' loans": "reported (no limit)",
        "Large exposure: connected group": "breach",
        "Large exposure: single customer": "warning",
        "All related parties' credit": "within limit",
        "Single related party credit": "within limit",
    }
    assert ratios.loc["Single group credit", "Value"] == "16.00%"
    assert ratios.loc["Single group credit", "Headroom"] == "-56,250.00"
    assert texts(at.error) == [
        "2 ratios breach their limit: Single group credit 16.00%, "
        "Large exposure: connected group 23.75%."
    ]
    large = frame_with(at, "Share of net tier-1 capital")
    assert large["Type"].tolist() == ["Group", "Customer", "Customer"]
    assert not any("超限" in " ".join(map(str, d.value.to_numpy().ravel())) for d in at.dataframe)


def test_a_book_without_capital_has_no_denominator(warehouse: Path) -> None:
    at = concentration_page("SME-USD")
    ratios = frame_with(at, "指标值", "限额", "剩余额度")
    assert ratios["状态"].tolist() == ["缺少资本数据", "缺少资本数据"]
    assert ratios["信号"].tolist() == ["⚪", "⚪"]
    assert ratios["指标值"].tolist() == ["—", "—"]
    assert ratios["剩余额度"].tolist() == ["—", "—"]
    assert "没有超过一级资本净额2.5%的风险暴露。" in texts(at.info)
    assert "所选数据日期没有集中度指数。" in texts(at.info)
    assert any("合成数据" in w for w in texts(at.warning))
    assert not at.error


def test_a_book_without_concentration_data(warehouse: Path) -> None:
    at = concentration_page("RETAIL-CNY")
    assert "没有监管集中度指标。" in texts(at.info)
    assert not at.dataframe


def test_indices_lorenz_and_trend(warehouse: Path) -> None:
    at = concentration_page()
    assert at.selectbox(key=DIMENSION).value == "obligor:0"
    assert at.selectbox(key=DIMENSION).options == ["客户", "集团", "行业（第1级）", "行业（第2级）"]
    indices = frame_with(at, "指数", "数值").set_index("指数")["数值"]
    assert indices["名称数"] == "6"
    assert indices["风险暴露合计（CNY）"] == "1,000,000.00"
    assert indices["赫芬达尔指数（HHI）"] == "0.4142"
    assert indices["有效名称数"] == "2.41"
    assert indices["基尼系数"] == "0.6107"
    assert indices["最大1名占比"] == "50.00%"
    assert indices["最大10名占比"] == "100.00%"

    lorenz = frame_with(at, "累计名称占比", "累计风险暴露占比")
    assert lorenz["序号"].tolist() == [1, 2, 3, 4, 5, 6]
    assert lorenz["名称"].tolist() == ["B-W06", "B-W05", "B-W04", "B-W03", "B-W02", "B-W01"]
    assert lorenz["风险暴露"].tolist()[-1] == "500,000.00"
    assert lorenz["累计名称占比"].tolist() == [
        "16.67%",
        "33.33%",
        "50.00%",
        "66.67%",
        "83.33%",
        "100.00%",
    ]
    assert lorenz["累计风险暴露占比"].tolist() == [
        "0.80%",
        "2.00%",
        "4.00%",
        "10.00%",
        "50.00%",
        "100.00%",
    ]
    trend = frame_with(at, "数据日期", "赫芬达尔指数（HHI）")
    assert trend["数据日期"].tolist() == ["2024-05-31", "2024-06-30"]
    assert trend["赫芬达尔指数（HHI）"].tolist() == ["0.4140", "0.4142"]
    assert trend["最大10名占比"].tolist() == ["100.00%", "100.00%"]
    assert len(at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart")) == 2

    at.selectbox(key=DIMENSION).set_value("industry:2").run()
    checked(at)
    lorenz = frame_with(at, "累计名称占比", "累计风险暴露占比")
    assert lorenz["名称"].tolist() == ["G54", "F52", "F51", "C26", "C13"]
    assert lorenz["累计风险暴露占比"].tolist() == ["0.80%", "2.00%", "8.00%", "48.00%", "100.00%"]
    indices = frame_with(at, "指数", "数值").set_index("指数")["数值"]
    assert indices["赫芬达尔指数（HHI）"] == "0.4342"  # .52² + .4² + .06² + .012² + .008²


def test_drill_down_from_a_ratio_row_to_the_group_loans(warehouse: Path) -> None:
    at = concentration_page()
    assert at.selectbox(key=PICKER).value is None
    assert at.selectbox(key=PICKER).options == [
        "客户 B-W01",
        "集团 G-EAST",
        "客户 B-W06",
        "客户 B-W02",
    ]
    # Row 1 of the ratios table: the single group credit of G-EAST.
    at.session_state[f"{PREFIX}:ratios:table"] = {
        "selection": {"rows": [1], "columns": [], "cells": []}
    }
    checked(at.run())
    assert at.selectbox(key=PICKER).value == "group:G-EAST"
    loans = frame_with(at, "贷款编号", "集团编号")
    assert loans["贷款编号"].tolist() == ["W01", "W02"]
    assert loans["借款人编号"].tolist() == ["B-W01", "B-W02"]
    assert loans["贷款余额"].tolist() == ["500,000.00", "400,000.00"]
    assert "2 笔贷款，贷款余额合计 900,000.00 CNY。" in texts(at.caption)

    # A later choice in the picker wins over the selection left in the table.
    at.selectbox(key=PICKER).set_value("customer:B-W02").run()
    checked(at)
    loans = frame_with(at, "贷款编号", "集团编号")
    assert loans["贷款编号"].tolist() == ["W02"]
    assert "1 笔贷款，贷款余额合计 400,000.00 CNY。" in texts(at.caption)


def test_drill_down_from_a_large_exposure_row(warehouse: Path) -> None:
    at = concentration_page(lang="en")
    at.session_state[f"{PREFIX}:large:table"] = {
        "selection": {"rows": [1], "columns": [], "cells": []}
    }
    checked(at.run())
    assert at.selectbox(key=PICKER).value == "customer:B-W01"
    loans = frame_with(at, "Loan", "Group")
    assert loans["Loan"].tolist() == ["W01"]
    assert loans["Group"].tolist() == ["G-EAST"]
    assert "1 loans, outstanding principal 500,000.00 CNY." in texts(at.caption)


def test_a_long_lorenz_curve_is_drawn_through_evenly_spread_points():
    from dashboard.pages_ import concentration as page

    assert page.sample_positions(5, None) == [0, 1, 2, 3, 4]
    assert page.sample_positions(5, 10) == [0, 1, 2, 3, 4]
    assert page.sample_positions(1_000, 4) == [249, 499, 749, 999]
    points = pd.DataFrame({
        "point": range(1, 1_001),
        "item": [f"B{i}" for i in range(1, 1_001)],
        "exposure": [Decimal("1.00")] * 999 + [Decimal("1001.00")],
        "cumulative_name_share": [i / 1_000 for i in range(1, 1_001)],
        "cumulative_exposure_share": [i / 2_000 for i in range(1, 1_000)] + [1.0],
    })
    frame = page.lorenz_frame(points, 4)
    assert frame["item"].tolist() == ["B250", "B500", "B750", "B1000"]
    # Running totals over every point: 250 of 2,000.00 is 12.5%; the last is everything.
    assert frame["cumulative_exposure_share"].tolist() == [
        "12.50%", "25.00%", "37.50%", "100.00%"]
    assert frame["cumulative_name_share"].tolist() == ["25.00%", "50.00%", "75.00%", "100.00%"]
    assert frame["x"].tolist() == [25.0, 50.0, 75.0, 100.0]
