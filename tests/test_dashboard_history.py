"""The history page on a warehouse built from the portfolios of ``tests/test_history.py``.

Every expected figure is worked out by hand from those portfolios (domain rules section K):

* k1 (K1, K2): at 2024-03-31 正常 10,000 (C 8,600, A 800 due 05-15, B 600 repaid 04-30) and 关注
  1,000 (S, due 03-20, never paid); N 5,000 is new in May. Quarter 03-31 -> 06-30 on the balance
  basis: 正常 row 8,600 / 800 / 600 of 10,000 = 86.00% 正常, 8.00% 关注, 6.00% 已结清; 关注 row
  100.00% 次级. From 01-31 (S still 正常, 11,000 in all): 78.18% / 7.27% / 9.09% 次级 / 5.45%.
  正常类迁徙率 800 / (10,000 - 600) = 8.51%; 正常贷款迁徙率 1,000 / 10,400 = 9.62%.
* S's month-end DPD 11, 41, 72, 102 crosses each overdue-ratio threshold (1+, 31+, 61+, 91+) one
  month after another; 06-30 book 15,400 with A 800 and S 1,000 past due: NPL 1,000 -> 6.49%,
  DPD 1+ 1,800 -> 11.69%, allowance 420 / NPL 1,000 -> coverage 42.00%.
* k3 (K3): M1 at 03-31 = 1,000; at 04-30 250 in M2, 600 cured, 100 still M1, 50 repaid: roll
  25.00%, cure 60.00% on the balance basis, 1 of 4 loans each on the count basis.
* k4 (K4): the Jan-2024 cohort, 200 loans and 20,000,000, has 7 loans and 800,000 ever 30+ by MOB
  2: 3.50% / 4.00%; the quarter cohort 2024Q1 adds 10 March loans: 7 / 210 = 3.33%. The March
  cohort's MOB 5 and 6 are not observed yet: blank, not zero.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.pages_ import history as page
from tests.dashboard_apptest import checked, run_app, texts
from tests.test_history import build

D = dt.date
PAGE = "pages_/history.py"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("history_dashboard")
    build(root, with_later_delivery=False).close()
    return root / "wh" / "postloan.duckdb"


@pytest.fixture
def warehouse(built: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("POSTLOAN_WAREHOUSE", str(built))
    return built


def history_page(portfolio: str, lang: str = "zh") -> AppTest:
    at = run_app(timeout=60)
    if lang != "zh":
        at.radio(key="lang").set_value(lang).run()
    at.selectbox(key="portfolio_id").set_value(portfolio).run()
    at.switch_page(PAGE)
    return checked(at.run())


def frame_with(at: AppTest, *columns: str) -> pd.DataFrame:
    """The one table on the page that has all of ``columns``."""
    found = [d.value for d in at.dataframe if set(columns) <= set(d.value.columns)]
    assert len(found) == 1, [list(d.value.columns) for d in at.dataframe]
    return found[0]


def row_of(frame: pd.DataFrame, column: str, value: str) -> dict:
    rows = frame[frame[column] == value]
    assert len(rows) == 1, frame
    return rows.iloc[0].to_dict()


def chart_data(at: AppTest, mark: str) -> list[pd.DataFrame]:
    """The data of every chart on the page whose first layer is drawn with ``mark``."""
    found = []
    for chart in at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart"):
        spec = json.loads(chart.proto.spec)
        first = spec.get("layer", [spec])[0]
        kind = first["mark"]["type"] if isinstance(first["mark"], dict) else first["mark"]
        if kind == mark:
            name = first.get("data", spec.get("data"))["name"]
            (dataset,) = [d for d in chart.proto.datasets if d.name == name]
            found.append(pa.ipc.open_stream(dataset.data.data).read_all().to_pandas())
    return found


def key(portfolio: str, as_of: str, name: str) -> str:
    return f"history:{portfolio}:{as_of}:{name}"


# --- without Streamlit ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (D(2024, 6, 30), 12, D(2023, 6, 30)),
        (D(2024, 2, 29), 12, D(2023, 2, 28)),  # a month-end stays a month-end
        (D(2025, 2, 28), 12, D(2024, 2, 29)),
        (D(2024, 5, 31), 3, D(2024, 2, 29)),
        (D(2024, 3, 15), 12, D(2023, 3, 15)),
        (D(2024, 1, 31), 1, D(2023, 12, 31)),
    ],
)
def test_months_before(day: dt.date, months: int, expected: dt.date) -> None:
    assert page.months_before(day, months) == expected


def month_ends(first: dt.date, last: dt.date) -> list[dt.date]:
    days, day = [], first
    while day <= last:
        days.append(day)
        day = page.months_before(day, -1)
    return days


def test_default_dates_are_one_year_back_or_the_earliest() -> None:
    june = D(2024, 6, 30)
    # History from 2023-06-30: one year before the as-of date is a history date.
    assert page.default_dates(month_ends(D(2023, 6, 30), june), june) == (D(2023, 6, 30), june)
    assert page.default_dates(month_ends(D(2022, 1, 31), june), june) == (D(2023, 6, 30), june)
    # History from 2023-07-31, one month short of a year: the earliest date.
    assert page.default_dates(month_ends(D(2023, 7, 31), june), june) == (D(2023, 7, 31), june)
    # An as-of date that is not a history date ends at the latest one before it.
    assert page.default_dates(month_ends(D(2022, 1, 31), june), D(2024, 6, 15)) == (
        D(2023, 5, 31),
        D(2024, 5, 31),
    )
    assert page.default_dates([june], june) is None


def test_default_rate_is_blank_until_observed() -> None:
    trends = pd.DataFrame(
        {
            "as_of_date": [D(2023, 1, 31), D(2024, 1, 31)],
            "total_balance": [Decimal("300.00"), Decimal("0.00")],
            "npl_balance": [Decimal("100.00"), Decimal("0.00")],
            "dpd_1_plus_balance": [Decimal("200.00"), Decimal("0.00")],
            "dpd_31_plus_balance": [Decimal("100.00"), Decimal("0.00")],
            "dpd_61_plus_balance": [Decimal("100.00"), Decimal("0.00")],
            "dpd_91_plus_balance": [Decimal("100.00"), Decimal("0.00")],
            "overdue_principal": [Decimal("10.00"), Decimal("0.00")],
            "allowance": [Decimal("150.00"), Decimal("0.00")],
            "performing_obligors": pd.array([3, 0], dtype="Int64"),
            "defaulted_obligors_12m": pd.array([1, None], dtype="Int64"),
        }
    )
    frame = page.quality_frame(trends)
    assert frame["npl_ratio"].tolist() == ["33.33%", "—"]  # no book: no ratio
    assert frame["dpd_1_plus_ratio"].tolist() == ["66.67%", "—"]
    assert frame["overdue_amount_ratio"].tolist() == ["3.33%", "—"]
    assert frame["coverage_ratio"].tolist() == ["150.00%", "—"]
    assert frame["default_rate_12m"].tolist() == ["33.33%", ""]
    assert frame["defaulted_obligors_12m"].tolist() == ["1", ""]
    assert frame["default_rate_12m_value"].isna().tolist() == [False, True]  # not charted


# --- the page -----------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("portfolio", ["k1", "k3", "k4", "stable"])
def test_page_renders_every_portfolio_in_both_languages(
    warehouse: Path, portfolio: str, lang: str
) -> None:
    at = history_page(portfolio, lang)
    title = "History, migration and vintages" if lang == "en" else "历史趋势、迁徙与账龄分析"
    assert title in texts(at.header)
    charts = at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart")
    assert len(charts) >= 5  # three trend charts, the heatmap, at least one vintage curve


def test_quality_trends_cross_each_overdue_threshold(warehouse: Path) -> None:
    at = history_page("k1")
    trend = frame_with(at, "数据日期", "不良贷款率", "逾期率（1天及以上）")
    assert trend["数据日期"].tolist() == [
        "2024-01-31",
        "2024-02-29",
        "2024-03-31",
        "2024-04-30",
        "2024-05-31",
        "2024-06-30",
    ]
    # S: DPD 11 (03-31), 41 (04-30), 72 (05-31), 102 (06-30); A: DPD 16 at 05-31, 46 at 06-30.
    assert trend["逾期率（1天及以上）"].tolist()[1:] == [
        "0.00%",
        "9.09%",
        "9.62%",
        "11.69%",
        "11.69%",
    ]
    assert trend["逾期率（31天及以上）"].tolist()[2:] == ["0.00%", "9.62%", "6.49%", "11.69%"]
    assert trend["逾期率（61天及以上）"].tolist()[3:] == ["0.00%", "6.49%", "6.49%"]
    assert trend["逾期率（91天及以上）"].tolist()[4:] == ["0.00%", "6.49%"]
    assert trend["不良贷款率"].tolist()[4:] == ["0.00%", "6.49%"]
    assert trend["贷款余额"].tolist()[-1] == "15,400.00"
    coverage = frame_with(at, "数据日期", "拨备覆盖率")
    assert coverage["拨备覆盖率"].tolist() == ["—"] * 5 + ["42.00%"]  # no NPL before June
    assert coverage["贷款损失准备"].tolist()[-1] == "420.00"
    default = frame_with(at, "数据日期", "12个月违约率")
    assert default["12个月违约率"].tolist() == [""] * 6  # 12 months after not yet observed
    assert default["正常履约客户数"].tolist()[0] == "4"
    # Nothing of the default rate is drawn while it is not observed.
    assert [len(d) for d in chart_data(at, "line")][:3] == [36, 1, 0]


def test_migration_heatmap_follows_the_chosen_dates(warehouse: Path) -> None:
    at = history_page("k1")
    start = key("k1", "2024-06-30", "from")
    end = key("k1", "2024-06-30", "to")
    basis = key("k1", "2024-06-30", "basis")
    # Defaults: no history a year before 2024-06-30, so from the earliest date; balance basis.
    assert (at.selectbox(key=start).value, at.selectbox(key=end).value) == (
        "2024-01-31",
        "2024-06-30",
    )
    assert at.radio(key=basis).value == "balance"
    matrix = frame_with(at, "期初分类", "已结清")
    assert matrix.columns.tolist() == [
        "期初分类",
        "期初余额",
        "正常",
        "关注",
        "次级",
        "可疑",
        "损失",
        "已结清",
        "已核销",
        "已处置",
    ]
    pass_row = row_of(matrix, "期初分类", "正常")
    assert [pass_row[c] for c in ("期初余额", "正常", "关注", "次级", "已结清", "已核销")] == [
        "11,000.00",
        "78.18%",
        "7.27%",
        "9.09%",
        "5.45%",
        "0.00%",
    ]
    assert row_of(matrix, "期初分类", "关注")["次级"] == "—"  # no 关注 loans at 01-31
    assert "2024-01-31 至 2024-06-30：期初在贷 4 笔。" in texts(at.caption)

    # The K1 quarter: the numbers change with the start date.
    at.selectbox(key=start).set_value("2024-03-31").run()
    checked(at)
    matrix = frame_with(at, "期初分类", "已结清")
    pass_row = row_of(matrix, "期初分类", "正常")
    assert [pass_row[c] for c in ("期初余额", "正常", "关注", "次级", "已结清")] == [
        "10,000.00",
        "86.00%",
        "8.00%",
        "0.00%",
        "6.00%",
    ]
    watch = row_of(matrix, "期初分类", "关注")
    assert (watch["期初余额"], watch["关注"], watch["次级"]) == ("1,000.00", "0.00%", "100.00%")
    assert "2024-03-31 至 2024-06-30：期初在贷 4 笔。" in texts(at.caption)  # N is not counted
    (heatmap,) = chart_data(at, "rect")
    drawn = {(r.from_label, r.to_label): r.share_value for r in heatmap.itertuples()}
    assert (drawn[("正常", "正常")], drawn[("正常", "关注")], drawn[("正常", "已结清")]) == (
        86.0,
        8.0,
        6.0,
    )
    assert drawn[("关注", "次级")] == 100.0
    assert pd.isna(drawn[("次级", "次级")])  # no 次级 loan at the start: no colour, not 0

    # ... and with the end date: at 04-30 A (due 05-15) is still 正常, S is 41 days past due.
    at.selectbox(key=end).set_value("2024-04-30").run()
    checked(at)
    matrix = frame_with(at, "期初分类", "已结清")
    pass_row = row_of(matrix, "期初分类", "正常")
    assert (pass_row["正常"], pass_row["关注"], pass_row["已结清"]) == ("94.00%", "0.00%", "6.00%")
    assert row_of(matrix, "期初分类", "关注")["关注"] == "100.00%"

    # Count basis: one loan of three in each end state.
    at.selectbox(key=end).set_value("2024-06-30").run()
    at.radio(key=basis).set_value("count").run()
    checked(at)
    matrix = frame_with(at, "期初分类", "已结清")
    pass_row = row_of(matrix, "期初分类", "正常")
    assert [pass_row[c] for c in ("期初笔数", "正常", "关注", "已结清")] == [
        "3",
        "33.33%",
        "33.33%",
        "33.33%",
    ]

    # A start date after the end date is refused, not computed.
    at.selectbox(key=start).set_value("2024-06-30").run()
    checked(at)
    assert "期初日期须早于期末日期。" in texts(at.warning)
    assert not [d for d in at.dataframe if "期初分类" in d.value.columns]


def test_migration_heatmap_in_english(warehouse: Path) -> None:
    at = history_page("k1", "en")
    at.selectbox(key=key("k1", "2024-06-30", "from")).set_value("2024-03-31").run()
    checked(at)
    matrix = frame_with(at, "Start class", "Repaid")
    assert matrix["Start class"].tolist() == [
        "Pass",
        "Special Mention",
        "Substandard",
        "Doubtful",
        "Loss",
    ]
    pass_row = row_of(matrix, "Start class", "Pass")
    assert (pass_row["Pass"], pass_row["Special Mention"], pass_row["Repaid"]) == (
        "86.00%",
        "8.00%",
        "6.00%",
    )
    assert "Disposed of" in matrix.columns and "Written off" in matrix.columns


def test_regulatory_migration_rates_by_horizon(warehouse: Path) -> None:
    at = history_page("k1")
    horizon = key("k1", "2024-06-30", "horizon")
    assert at.radio(key=horizon).value == "quarter"
    rates = frame_with(at, "正常类迁徙率", "正常贷款迁徙率")
    assert rates.to_dict("records") == [
        {
            "期初日期": "2024-03-31",
            "期末日期": "2024-06-30",
            "正常类迁徙率": "8.51%",  # 800 / (10,000 - 600)
            "关注类迁徙率": "100.00%",  # S: 关注 -> 次级
            "次级类迁徙率": "—",  # no 次级 loan at the start: no rate, not 0
            "可疑类迁徙率": "—",
            "正常贷款迁徙率": "9.62%",  # 1,000 / (9,400 + 1,000)
        }
    ]
    detail = frame_with(at, "迁徙率指标", "期间减少")
    first = detail.iloc[0].to_dict()
    assert (first["迁徙率指标"], first["期初余额"], first["期间减少"], first["向下迁徙余额"]) == (
        "正常类迁徙率",
        "10,000.00",
        "600.00",
        "800.00",
    )

    at.radio(key=horizon).set_value("month").run()
    checked(at)
    rates = frame_with(at, "正常类迁徙率", "正常贷款迁徙率")
    assert rates["期初日期"].tolist() == [
        "2024-01-31",
        "2024-02-29",
        "2024-03-31",
        "2024-04-30",
        "2024-05-31",
    ]
    may = row_of(rates, "期初日期", "2024-05-31")
    # 关注 at 05-31: A 800 (DPD 16) and S 1,000 (DPD 72); S is 次级 at 06-30: 1,000 / 1,800.
    assert (may["正常类迁徙率"], may["关注类迁徙率"], may["正常贷款迁徙率"]) == (
        "0.00%",
        "55.56%",
        "6.49%",
    )

    at.radio(key=horizon).set_value("year").run()
    checked(at)
    assert "该组合的历史不足一个完整期间。" in texts(at.info)


def test_roll_cure_and_flow_rates(warehouse: Path) -> None:
    at = history_page("k3")
    month = key("k3", "2024-04-30", "roll_month")
    assert at.selectbox(key=month).value == "2024-03-31"  # the month ending at the as-of date
    table = frame_with(at, "比率类型", "比率（余额）")
    assert table["比率类型"].tolist() == [
        "滚动率（跟踪）",
        "治愈率（转为未逾期，跟踪）",
        "流转率（总量，不跟踪）",
    ]
    assert table["期初逾期分档"].tolist() == ["M1 逾期1–30天"] * 3
    assert table["去向逾期分档"].tolist() == [
        "M2 逾期31–60天",
        "M0 未逾期（0天）",
        "M2 逾期31–60天",
    ]
    assert table["比率（余额）"].tolist() == ["25.00%", "60.00%", "25.00%"]
    assert table["比率（笔数）"].tolist() == ["25.00%", "25.00%", "25.00%"]
    assert table["分子余额"].tolist() == ["250.00", "600.00", "250.00"]
    assert table["分母余额"].tolist() == ["1,000.00"] * 3
    trend = frame_with(at, "期初日期", "比率（笔数）", "比率（余额）")
    assert trend.to_dict("records") == [
        {
            "期初日期": "2024-03-31",
            "期末日期": "2024-04-30",
            "比率（笔数）": "25.00%",
            "比率（余额）": "25.00%",
        }
    ]

    # February: every loan current at 02-29 and in M1 at 03-31: a flow rate only.
    at.selectbox(key=month).set_value("2024-02-29").run()
    checked(at)
    table = frame_with(at, "比率类型", "比率（余额）")
    assert table[["期初逾期分档", "比率类型", "比率（余额）"]].values.tolist() == [
        ["M0 未逾期（0天）", "流转率（总量，不跟踪）", "100.00%"]
    ]


def test_vintage_curves_by_cohort(warehouse: Path) -> None:
    at = history_page("k4")
    prefix = "history:k4:2024-07-31"
    assert at.radio(key=f"{prefix}:granularity").value == "quarter"
    assert at.selectbox(key=f"{prefix}:metric").value == "ever_30_plus"
    assert at.selectbox(key=f"{prefix}:metric").options == [
        "曾逾期30天及以上",
        "曾逾期90天及以上",
        "违约（不良或核销）",
    ]
    triangle = frame_with(at, "放款批次", "账龄0")
    q1 = row_of(triangle, "放款批次", "2024Q1")
    assert (q1["笔数"], q1["合同本金"]) == ("210", "20,010,000.00")
    assert [q1[f"账龄{k}"] for k in range(5)] == ["0.00%", "0.00%", "3.33%", "3.33%", "3.33%"]

    at.radio(key=f"{prefix}:granularity").set_value("month").run()
    checked(at)
    triangle = frame_with(at, "放款批次", "账龄0")
    assert triangle["放款批次"].tolist() == ["2024-01", "2024-03"]
    january = row_of(triangle, "放款批次", "2024-01")
    assert (january["账龄1"], january["账龄2"], january["账龄6"]) == ("0.00%", "3.50%", "3.50%")
    march = row_of(triangle, "放款批次", "2024-03")
    assert (march["账龄4"], march["账龄5"], march["账龄6"]) == ("0.00%", "", "")  # not observed

    at.radio(key=f"{prefix}:vintage_basis").set_value("amount").run()
    checked(at)
    january = row_of(frame_with(at, "放款批次", "账龄0"), "放款批次", "2024-01")
    assert january["账龄6"] == "4.00%"  # 800,000 / 20,000,000

    at.selectbox(key=f"{prefix}:metric").set_value("ever_90_plus").run()
    checked(at)
    january = row_of(frame_with(at, "放款批次", "账龄0"), "放款批次", "2024-01")
    assert (january["账龄3"], january["账龄4"]) == ("0.00%", "4.00%")  # DPD 75, then 106

    at.selectbox(key=f"{prefix}:metric").set_value("default").run()
    at.radio(key=f"{prefix}:vintage_basis").set_value("count").run()
    checked(at)
    january = row_of(frame_with(at, "放款批次", "账龄0"), "放款批次", "2024-01")
    assert (january["账龄3"], january["账龄4"]) == ("0.00%", "3.50%")

    # Only the chosen cohorts are drawn and tabled.
    at.multiselect(key=f"{prefix}:cohorts:month").set_value(["2024-03-01"]).run()
    checked(at)
    triangle = frame_with(at, "放款批次", "账龄0")
    assert triangle["放款批次"].tolist() == ["2024-03"]
    (curve,) = [d for d in chart_data(at, "line") if "months_on_book" in d.columns]
    assert curve["months_on_book"].tolist() == [0, 1, 2, 3, 4]  # MOB 5 and 6 are not drawn
    # Columns only as far as the chosen cohorts were observed (MOB 4 at 2024-07-31).
    assert triangle.columns.tolist() == ["放款批次", "笔数", "合同本金"] + [
        f"账龄{k}" for k in range(5)
    ]
