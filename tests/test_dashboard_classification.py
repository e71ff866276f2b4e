"""The five-level classification page and the single-loan page, on the fixture warehouse.

The book WHOLESALE-CNY at 2024-06-30 holds 900,000 / 60,000 / 20,000 / 12,000 / 8,000 in
正常 / 关注 / 次级 / 可疑 / 损失 (see ``tests/dashboard_fixtures.py``); every expected figure
below is worked out by hand from those rows:

* NPL = 20,000 + 12,000 + 8,000 = 40,000 of 1,000,000 -> 4.00% (2024-05-31: 12,000 of
  1,010,000 = 1.188...% -> change +2.81 pp);
* specific provisions 60,000 x 2% + 20,000 x 25% + 12,000 x 50% + 8,000 x 100% = 20,200, general
  reserve 1% x 1,000,000 = 10,000, allowance 30,200 -> coverage 75.50% (requirement 150%),
  loan-provision ratio 3.02% (requirement 2.50%); required allowance max(60,000, 25,000);
* more than 90 days past due: W04 (120) 20,000 + W05 (300) 12,000 = 32,000 -> 80.00% of NPL.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import data
from dashboard.pages_ import classification as page
from dashboard.pages_ import loan as loan_page
from tests import dashboard_fixtures as fx
from tests.dashboard_apptest import checked, metrics, run_app, texts

D = Decimal
BUILT = dt.datetime(2024, 7, 2, 10, 0, 0)
DIFFERS_PICKER = "classification_differs:WHOLESALE-CNY:2024-06-30:loan"
DIFFERS_TABLE = "classification_differs:WHOLESALE-CNY:2024-06-30:table"

W04_OVER_90_ZH = (
    "CN23_DPD_OVER_90：逾期天数达到91天（至少次级）；CN23_DPD_OVERDUE：逾期天数达到1天（至少关注）"
)
W04_OVER_90_EN = (
    "CN23_DPD_OVER_90: 91 or more days past due (at least Substandard); "
    "CN23_DPD_OVERDUE: 1 or more days past due (at least Special Mention)"
)


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


def classification_page(at: AppTest, portfolio: str = fx.WHOLESALE) -> AppTest:
    at.selectbox(key="portfolio_id").set_value(portfolio).run()
    at.switch_page("pages_/classification.py")
    return checked(at.run())


def loan_page_for(at: AppTest, loan_id: str) -> AppTest:
    at.query_params["loan_id"] = loan_id
    at.switch_page("pages_/loan.py")
    return checked(at.run())


# --- figures and rules, without Streamlit ------------------------------------------------------


def _quality(as_of: dt.date) -> pd.DataFrame:
    rows = [r for r in fx.quality_rows() if r["portfolio_id"] == fx.WHOLESALE]
    frame = pd.DataFrame(rows)
    return frame[frame["as_of_date"] == as_of]


def test_book_figures_are_exact() -> None:
    now = page.BookFigures.from_quality(_quality(fx.JUNE))
    before = page.BookFigures.from_quality(_quality(fx.MAY))
    assert now.npl_ratio == D(4)
    assert before.npl_ratio is not None and before.npl_ratio < D("1.19")  # 1.1881...%
    tiles = {
        tile.label: (tile.value, tile.delta) for tile in page.book_tiles(now, before, "CNY", "en")
    }
    assert tiles == {
        "NPL ratio": ("4.00%", "+2.81 pp"),
        "NPL balance (CNY)": ("40,000.00", "+28,000.00"),
        "Coverage ratio": ("75.50%", "-74.50 pp (requirement 150.00%)"),
        "Loan-provision ratio": ("3.02%", "+0.52 pp (requirement 2.50%)"),
        "Allowance (CNY)": ("30,200.00", "-29,800.00 (required 60,000.00)"),
        "90+ DPD to NPL": ("80.00%", None),
    }


def test_ratios_without_npl_are_not_shown() -> None:
    quality = pd.DataFrame([r for r in fx.quality_rows() if r["portfolio_id"] == "RETAIL-CNY"])
    may = page.BookFigures.from_quality(quality[quality["as_of_date"] == fx.MAY])
    assert may.npl_balance == 0
    values = {t.label: t.value for t in page.book_tiles(may, None, "CNY", "zh")}
    assert values["拨备覆盖率"] == "—"
    assert values["逾期90天以上贷款与不良贷款比例"] == "—"
    assert values["不良贷款率"] == "0.00%"


def _rule_book(lang: str) -> dict[str, page.RuleInfo]:
    rules = pd.DataFrame(fx._seed("classification_rules"))
    floors = pd.DataFrame(fx._seed("classification_dpd_floors"))
    return page.rule_book(rules, floors, "china_2023", "2023.1", lang)


def test_rules_are_explained_in_both_languages() -> None:
    fired = "CN23_DPD_OVER_90, CN23_DPD_OVERDUE"
    assert page.split_rules(fired) == ["CN23_DPD_OVER_90", "CN23_DPD_OVERDUE"]
    assert page.split_rules(None) == [] and page.split_rules("") == []
    assert page.explain_rules(fired, _rule_book("zh"), "zh") == W04_OVER_90_ZH
    assert page.explain_rules(fired, _rule_book("en"), "en") == W04_OVER_90_EN
    zh = _rule_book("zh")
    assert page.rule_sentence("CN23_BANKRUPTCY", zh, "zh") == "债务人进入破产清算（至少损失）"
    assert (
        page.rule_sentence("CN11_CARD_OVER_120", zh, "zh") == "信用卡逾期天数达到121天（至少可疑）"
    )
    # No floor: the rule only explains; an unknown id is shown as it is.
    assert page.rule_sentence("CN23_TECHNICAL_DELAY_EXEMPT", zh, "zh") == (
        "技术性逾期7天以内，不强制归为关注"
    )
    assert page.explain_rules("MYSTERY_RULE", zh, "en") == "MYSTERY_RULE: MYSTERY_RULE"


def test_differing_loans_count_a_missing_judgmental_class_as_pass() -> None:
    frame = pd.DataFrame(fx.classification_rows())
    june = frame[(frame["portfolio_id"] == fx.WHOLESALE) & (frame["as_of_date"] == fx.JUNE)]
    assert sorted(page.differing_loans(june)["loan_id"]) == ["W03", "W04", "W05", "W06"]
    sme = frame[frame["portfolio_id"] == "SME-USD"]
    assert page.differing_loans(sme)["loan_id"].tolist() == ["S1"]  # S2: none given, pass
    # An override below a floor that lands back on the judgmental class is still listed.
    overruled = june.assign(
        judgmental_class=june["judgmental_class"].where(june["loan_id"] != "W05", "doubtful")
    )
    assert sorted(page.differing_loans(overruled)["loan_id"]) == ["W03", "W04", "W05", "W06"]
    assert sorted(
        page.differing_loans(overruled.assign(override_below_floor=False))["loan_id"]
    ) == [
        "W03",
        "W04",
        "W06",
    ]


def test_loan_page_helpers() -> None:
    assert loan_page.rate_text(D("4.350000")) == "4.35%"
    assert loan_page.rate_text(D("3.875000")) == "3.875%"
    assert loan_page.rate_text(D("10")) == "10.00%"
    assert loan_page.rate_text(None) == "—"
    as_of = fx.JUNE
    assert loan_page.installment_status(dt.date(2024, 1, 2), dt.date(2024, 1, 2), as_of) == (
        "settled"
    )
    assert loan_page.installment_status(None, dt.date(2024, 6, 29), as_of) == "overdue"
    assert loan_page.installment_status(None, as_of, as_of) == "not_due"  # due today: not late


# --- the classification page ---------------------------------------------------------------------


def test_classification_kpis_are_exact(warehouse: Path) -> None:
    at = classification_page(run_app())
    assert "五级分类" in texts(at.header)
    assert metrics(at) == {
        "不良贷款率": ("4.00%", "+2.81 个百分点"),
        "不良贷款余额（CNY）": ("40,000.00", "+28,000.00"),
        "拨备覆盖率": ("75.50%", "-74.50 个百分点（要求 150.00%）"),
        "贷款拨备率": ("3.02%", "+0.52 个百分点（要求 2.50%）"),
        "贷款损失准备（CNY）": ("30,200.00", "-29,800.00（应提 60,000.00）"),
        "逾期90天以上贷款与不良贷款比例": ("80.00%", ""),
    }
    assert texts(at.error) == [
        "贷款损失准备 30,200.00 CNY 低于监管要求 60,000.00 CNY，缺口 29,800.00 CNY。"
    ]
    assert any("china_2023 2023.1" in c for c in texts(at.caption))


def test_class_distribution_and_trend(warehouse: Path) -> None:
    at = classification_page(run_app())
    dist = frame_with(at, "五级分类", "余额占比")
    assert dist["五级分类"].tolist() == ["正常", "关注", "次级", "可疑", "损失"]
    assert dist["笔数"].tolist() == [2, 1, 1, 1, 1]
    assert dist["贷款余额"].tolist() == [
        "900,000.00",
        "60,000.00",
        "20,000.00",
        "12,000.00",
        "8,000.00",
    ]
    assert dist["余额占比"].tolist() == ["90.00%", "6.00%", "2.00%", "1.20%", "0.80%"]
    assert dist["专项准备"].tolist() == ["0.00", "1,200.00", "5,000.00", "6,000.00", "8,000.00"]
    assert "合计 6 笔在贷贷款，贷款余额 1,000,000.00 CNY。" in texts(at.caption)

    trend = frame_with(at, "数据日期", "不良贷款率")
    assert trend["数据日期"].tolist() == ["2024-05-31", "2024-06-30"]
    assert trend["不良贷款率"].tolist() == ["1.19%", "4.00%"]
    assert trend["不良贷款余额"].tolist() == ["12,000.00", "40,000.00"]
    assert len(at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart")) == 2


def test_loans_whose_class_differs_with_the_rules_in_words(warehouse: Path) -> None:
    at = classification_page(run_app())
    table = frame_with(at, "触发规则", "人工分类")
    assert table["贷款编号"].tolist() == ["W06", "W05", "W04", "W03"]  # worst class first
    rows = table.set_index("贷款编号")
    assert rows.loc["W04", "人工分类"] == "关注"
    assert rows.loc["W04", "最终分类"] == "次级"
    assert rows.loc["W04", "触发规则"] == W04_OVER_90_ZH
    assert rows.loc["W06", "触发规则"] == (
        "CN23_BANKRUPTCY：债务人进入破产清算（至少损失）；CN23_DPD_OVERDUE：逾期天数达到1天（至少关注）"
    )
    assert rows.loc["W03", "触发规则"] == "CN23_DPD_OVERDUE：逾期天数达到1天（至少关注）"
    # The override below the floor is flagged, with who approved it.
    assert rows["调整低于下限"].to_dict() == {"W06": "否", "W05": "是", "W04": "否", "W03": "否"}
    assert rows.loc["W05", "调整后分类"] == "正常"
    assert rows.loc["W05", "调整审批"] == "2024-06-15，Risk Committee"
    assert rows.loc["W05", "最终分类"] == "可疑"
    assert "CN23_DPD_OVER_270：逾期天数达到271天（至少可疑）" in rows.loc["W05", "触发规则"]
    assert texts(at.warning) == ["1 笔贷款的人工调整低于规则下限，已按规则下限分类。"]
    assert "4 笔贷款，贷款余额合计 100,000.00 CNY。" in texts(at.caption)

    rules = frame_with(at, "规则编号", "涉及笔数")
    assert rules.set_index("规则编号")["涉及笔数"].to_dict() == {
        "CN23_BANKRUPTCY": 1,
        "CN23_DPD_OVER_270": 1,
        "CN23_DPD_OVER_90": 2,
        "CN23_DPD_OVERDUE": 4,
        "CN23_TECHNICAL_DELAY_EXEMPT": 1,  # W02: fired, but kept it at its judgmental class
    }


def test_final_class_against_us_retail_and_ifrs9(warehouse: Path) -> None:
    at = classification_page(run_app())
    matrix = frame_with(at, "第一阶段", "第三阶段")
    assert matrix["最终分类"].tolist() == ["正常", "关注", "次级", "可疑", "损失"]
    assert matrix["第一阶段"].tolist() == [2, 0, 0, 0, 1]
    assert matrix["第二阶段"].tolist() == [0, 1, 0, 0, 0]
    assert matrix["第三阶段"].tolist() == [0, 0, 1, 1, 0]
    assert matrix["美国零售分类 · 损失"].tolist() == [0, 0, 1, 0, 0]
    assert matrix["美国零售分类 · 不适用（非零售）"].tolist() == [1, 0, 0, 1, 1]

    compare = frame_with(at, "阶段一致", "美国分类一致")
    assert compare["贷款编号"].tolist() == ["W06", "W04", "W03"]  # only those that disagree
    assert compare["阶段一致"].tolist() == ["否", "是", "是"]
    assert compare["美国零售分类"].tolist() == ["不适用（非零售）", "损失", "正常"]
    at.checkbox(key="classification_compare_only:WHOLESALE-CNY").uncheck().run()
    checked(at)
    compare = frame_with(at, "阶段一致", "美国分类一致")
    assert compare["贷款编号"].tolist() == ["W06", "W05", "W04", "W03", "W01", "W02"]
    assert "显示 6 笔贷款，共 6 笔。" in texts(at.caption)


def test_language_switch_changes_class_names(warehouse: Path) -> None:
    at = classification_page(run_app())
    at.radio(key="lang").set_value("en").run()
    checked(at)
    assert "Five-level classification" in texts(at.header)
    dist = frame_with(at, "Class", "Share of balance")
    assert dist["Class"].tolist() == ["Pass", "Special Mention", "Substandard", "Doubtful", "Loss"]
    table = frame_with(at, "Rules fired", "Judgmental class").set_index("Loan")
    assert table.loc["W04", "Final class"] == "Substandard"
    assert table.loc["W04", "Rules fired"] == W04_OVER_90_EN
    assert table.loc["W05", "Override approved"] == "2024-06-15, Risk Committee"
    assert metrics(at)["NPL ratio"] == ("4.00%", "+2.81 pp")
    assert metrics(at)["Coverage ratio"] == ("75.50%", "-74.50 pp (requirement 150.00%)")
    assert not any("正常" in " ".join(map(str, d.value.to_numpy().ravel())) for d in at.dataframe)


def test_a_book_without_judgmental_classes(warehouse: Path) -> None:
    at = classification_page(run_app(), "SME-USD")
    table = frame_with(at, "触发规则", "人工分类")
    assert table["贷款编号"].tolist() == ["S1"]
    assert table["人工分类"].tolist() == ["未提供"]
    assert metrics(at)["不良贷款率"] == ("0.25%", "")  # 2,500.50 / 1,000,000.00; no earlier date
    assert any("合成数据" in w for w in texts(at.warning))


def test_a_loan_id_opens_the_loan_page(warehouse: Path) -> None:
    at = classification_page(run_app())
    assert not at.get("page_link")
    at.selectbox(key=DIFFERS_PICKER).set_value("W04").run()
    checked(at)
    (link,) = at.get("page_link")
    assert link.proto.page == "loan"
    assert link.proto.query_string == "loan_id=W04"
    assert link.value == "打开贷款 W04 的详情"


def test_selecting_a_row_picks_its_loan(warehouse: Path) -> None:
    at = classification_page(run_app())
    at.session_state[DIFFERS_TABLE] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    checked(at.run())
    assert at.selectbox(key=DIFFERS_PICKER).value == "W06"  # the first row
    assert [pl.proto.query_string for pl in at.get("page_link")] == ["loan_id=W06"]
    # A later choice in the picker wins over the selection left in the table.
    at.selectbox(key=DIFFERS_PICKER).set_value("W03").run()
    checked(at)
    assert [pl.proto.query_string for pl in at.get("page_link")] == ["loan_id=W03"]


# --- the loan page ---------------------------------------------------------------------------


def test_loan_page_shows_schedule_payments_events_and_history(warehouse: Path) -> None:
    at = run_app()
    at.selectbox(key="portfolio_id").set_value(fx.WHOLESALE).run()
    at = loan_page_for(at, "W04")
    assert at.selectbox(key="loan_page_loan").value == "W04"
    assert texts(at.subheader)[0] == "贷款 W04"
    shown = metrics(at)
    assert shown["贷款余额（CNY）"][0] == "20,000.00"
    assert shown["逾期天数"][0] == "120"
    assert shown["最终分类"][0] == "次级"
    assert shown["IFRS 9 阶段"][0] == "第三阶段"

    schedule = frame_with(at, "期次", "应还日期")
    assert schedule["期次"].tolist() == list(range(1, 13))  # this batch's rows only
    assert schedule["应还日期"].tolist()[:5] == [
        "2023-11-02",
        "2023-12-02",
        "2024-01-02",
        "2024-02-02",
        "2024-03-02",
    ]
    assert schedule["状态"].tolist() == ["已结清"] * 4 + ["逾期未还"] * 4 + ["未到期"] * 4
    assert schedule["结清日期（按期结清记为到期日）"].tolist()[:5] == [
        "2023-11-02",
        "2023-12-05",
        "2024-01-02",
        "2024-02-02",
        "—",
    ]
    assert schedule["结清时逾期天数"].tolist()[:4] == [0, 3, 0, 0]
    assert schedule["已逾期天数"].tolist()[4:8] == [120, 89, 59, 28]
    assert schedule["应还本金"].tolist()[0] == "2,500.00"
    assert any("4 期已结清，4 期逾期未还，4 期未到期" in c for c in texts(at.caption))

    payments = frame_with(at, "还款流水号")
    assert payments["还款流水号"].tolist() == ["P-W04-1", "P-W04-2", "P-W04-3", "P-W04-4"]
    assert payments["实还罚息"].tolist() == ["0.00", "5.00", "0.00", "0.00"]
    assert "4 笔还款，实还本金合计 10,000.00 CNY，实还利息合计 600.00 CNY。" in texts(at.caption)

    events = frame_with(at, "事件类型")
    assert events["事件类型"].tolist() == ["催收", "贷后检查"]

    history = frame_with(at, "数据日期", "逾期天数", "最终分类")
    assert history["数据日期"].tolist() == ["2024-05-31", "2024-06-30"]
    assert history["逾期天数"].tolist() == [90, 120]
    assert history["最终分类"].tolist() == ["关注", "次级"]
    assert history["逾期分档"].tolist() == ["M3 逾期61–90天", "M4 逾期91–120天"]

    rules = frame_with(at, "规则编号", "含义")
    assert rules["规则编号"].tolist() == ["CN23_DPD_OVER_90", "CN23_DPD_OVERDUE"]
    assert rules["含义"].tolist() == ["逾期天数达到91天", "逾期天数达到1天"]

    terms = frame_with(at, "项目", "内容").set_index("项目")["内容"]
    assert terms["合同金额"] == "30,000.00"
    assert terms["年利率"] == "4.35%"
    assert terms["担保方式"] == "抵押"
    assert terms["借款人类型"] == "个人"


def test_loan_page_at_an_earlier_as_of_uses_that_batch(warehouse: Path) -> None:
    at = run_app()
    at.selectbox(key="portfolio_id").set_value(fx.WHOLESALE).run()
    at.selectbox(key="as_of").set_value("2024-05-31").run()
    at = loan_page_for(at, "W04")
    schedule = frame_with(at, "期次", "应还日期")
    assert schedule["状态"].tolist() == ["已结清"] * 4 + ["逾期未还"] * 3 + ["未到期"] * 5
    assert schedule["已逾期天数"].tolist()[4:7] == [90, 59, 29]
    assert frame_with(at, "事件类型")["事件类型"].tolist() == ["催收"]
    assert metrics(at)["最终分类"][0] == "关注"


def test_loan_link_into_another_portfolio_offers_to_switch(warehouse: Path) -> None:
    at = run_app()  # RETAIL-CNY is selected; W04 is in WHOLESALE-CNY
    at = loan_page_for(at, "W04")
    assert "贷款 W04 不在所选组合 RETAIL-CNY 的 2024-06-30 数据中。" in texts(at.info)
    labels = [b.label for b in at.main.button]  # the sidebar has the sign-out button
    assert labels == [
        "切换到组合 WHOLESALE-CNY（数据日期 2024-06-30）",
        "切换到组合 WHOLESALE-CNY（数据日期 2024-05-31）",
    ]
    at.button[0].click().run()
    checked(at)
    assert at.selectbox(key="portfolio_id").value == fx.WHOLESALE
    assert at.selectbox(key="loan_page_loan").value == "W04"
    assert frame_with(at, "期次", "应还日期")["期次"].tolist() == list(range(1, 13))


def test_loan_picker_updates_the_address(warehouse: Path) -> None:
    at = run_app()
    at.selectbox(key="portfolio_id").set_value(fx.WHOLESALE).run()
    at = loan_page_for(at, "W04")
    at.selectbox(key="loan_page_loan").set_value("W06").run()
    checked(at)
    assert at.query_params["loan_id"] == "W06"
    assert texts(at.subheader)[0] == "贷款 W06"
    rules = frame_with(at, "规则编号", "含义")
    assert rules["规则编号"].tolist() == ["CN23_BANKRUPTCY", "CN23_DPD_OVERDUE"]
    assert "没有记录。" in texts(at.caption)  # W06 has no schedule in the fixture


def test_loan_page_for_unknown_and_closed_loans(warehouse: Path) -> None:
    at = loan_page_for(run_app(), "NOPE")
    assert texts(at.warning) == ["本次发布的数据中没有贷款 NOPE。"]
    assert at.selectbox(key="loan_page_loan").value == "L3"  # the portfolio's first loan
    at.query_params["loan_id"] = "L4"  # closed at 2024-06-30: no class
    at.run()
    checked(at)
    assert any("没有五级分类结果" in i for i in texts(at.info))
    assert metrics(at)["最终分类"][0] == "—"


def test_loan_page_in_english(warehouse: Path) -> None:
    at = run_app()
    at.selectbox(key="portfolio_id").set_value(fx.WHOLESALE).run()
    at = loan_page_for(at, "W05")
    at.radio(key="lang").set_value("en").run()
    checked(at)
    assert "Loan details" in texts(at.header)
    assert metrics(at)["Final class"][0] == "Doubtful"
    assert "The override is below a rule floor; the floor prevailed." in texts(at.warning)
    assert any(
        "Overridden to Pass, approved 2024-06-15 by Risk Committee." in i for i in texts(at.info)
    )
    history = frame_with(at, "As-of date", "Final class")
    assert history["Final class"].tolist() == ["Substandard", "Doubtful"]


def test_queries_read_only_the_published_batch(warehouse: Path) -> None:
    snapshot = data.take_snapshot(warehouse)
    assert snapshot is not None
    june = fx.batch_id(fx.WHOLESALE, fx.JUNE)
    schedule = data.loan_schedule(snapshot, june, "W04")
    assert len(schedule) == 12
    assert all(isinstance(v, Decimal) for v in schedule["principal_due"])
    assert data.loan_locations(snapshot, "W04")["as_of_date"].tolist() == [fx.JUNE, fx.MAY]
    quality = data.portfolio_quality(snapshot, fx.WHOLESALE)
    assert len(quality) == 10 and all(isinstance(v, Decimal) for v in quality["balance"])


def test_reported_status_by_class_reconciles_with_the_sender():
    from dashboard.pages_.classification import status_matrix

    loans = pd.DataFrame({
        "reported_status": ["Current", "Late (31-120 days)", "Current", None],
        "final_class": ["pass", "substandard", "special_mention", "pass"],
    })
    matrix = status_matrix(loans, "en")
    assert matrix.to_dict("records") == [
        {"Reported status": "Current", "Pass": 1, "Special Mention": 1, "Substandard": 0,
         "Doubtful": 0, "Loss": 0},
        {"Reported status": "Late (31-120 days)", "Pass": 0, "Special Mention": 0,
         "Substandard": 1, "Doubtful": 0, "Loss": 0},
    ]
    assert status_matrix(loans.assign(reported_status=None), "en") is None


def test_the_loan_page_reads_one_loan_and_a_short_picker(warehouse: Path) -> None:
    snapshot = data.take_snapshot(warehouse)
    everything = data.loans(snapshot, fx.WHOLESALE, fx.JUNE)
    first, count = data.loan_picker(snapshot, fx.WHOLESALE, fx.JUNE, 2)
    # The picker keeps the order of the full list (most overdue and largest first).
    assert first["loan_id"].tolist() == everything["loan_id"].tolist()[:2]
    assert count == len(everything) > 2
    last = everything.iloc[-1]
    row = data.loan_row(snapshot, fx.WHOLESALE, fx.JUNE, last["loan_id"])
    assert row["loan_id"].tolist() == [last["loan_id"]]
    assert row["outstanding_principal"].tolist() == [last["outstanding_principal"]]
    assert data.loan_row(snapshot, fx.WHOLESALE, fx.JUNE, "no-such-loan").empty
    classified = data.loan_classification_row(snapshot, fx.WHOLESALE, fx.JUNE, "W04")
    assert classified["final_class"].tolist() == ["substandard"]


def test_comparison_frame_agreement_per_loan():
    loans = pd.DataFrame({
        "loan_id": ["A", "B", "C", "D", "E", "F"],
        "outstanding_principal": [Decimal("1.00")] * 6,
        "dpd": pd.array([0, 40, 100, 0, 0, 400], dtype="Int64"),
        "final_class": ["pass", "special_mention", "doubtful", "pass", "pass", "loss"],
        "final_class_rank": pd.array([1, 2, 4, None, 1, 5], dtype="Int64"),
        "ifrs9_stage": pd.array([1, 3, 3, 1, None, 3], dtype="Int64"),
        "us_retail_class": ["pass", None, "substandard", "", "pass", "loss"],
    })
    frame = page.comparison_frame(loans, "en")
    # B: 关注 is stage 2, not 3; D and E: rank or stage missing, so unknown.
    assert frame["stage_agrees"].tolist() == [True, False, True, None, None, True]
    # B: not retail (no US class); D: empty, the same; C: doubtful against substandard.
    assert frame["us_agrees"].tolist() == [True, None, False, None, True, True]
    assert frame["disagrees"].tolist() == [False, True, True, False, False, False]
    assert frame["us_retail_class"].tolist() == [
        "Pass", "n/a (not retail)", "Substandard", "n/a (not retail)", "Pass", "Loss"]
    assert loans["us_retail_class"].tolist()[1] is None  # the input is not changed
