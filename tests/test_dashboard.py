"""The Streamlit dashboard: exact formatting, the failed-refresh rule, labels, and the app itself
run headless with ``streamlit.testing.v1.AppTest`` against a small fixture warehouse."""

from __future__ import annotations

import datetime as dt
import re
import string
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from dashboard import data, formatting, i18n, kpis, status, tables
from postloan import publish
from tests import dashboard_fixtures as fx
from tests.dashboard_apptest import metrics, run_app, texts

ROOT = Path(__file__).resolve().parents[1]

DASHBOARD_DIR = ROOT / "dashboard"
D = Decimal

BUILT_A = dt.datetime(2024, 7, 2, 10, 0, 0)
BUILT_B = dt.datetime(2024, 7, 3, 10, 0, 0)


# --- formatting -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (D("1234567.89"), "1,234,567.89"),
        (D("0"), "0.00"),
        (D("5"), "5.00"),
        (5, "5.00"),
        (D("999.995"), "1,000.00"),  # half up
        (D("0.005"), "0.01"),
        (D("-1234.5"), "-1,234.50"),
        (D("-0.004"), "0.00"),  # never "-0.00"
        (D("12345678901234567890.12"), "12,345,678,901,234,567,890.12"),  # beyond float
        (D("90071992547409.93"), "90,071,992,547,409.93"),
        (None, "—"),
        (pd.NA, "—"),
    ],
)
def test_format_amount(value: object, text: str) -> None:
    assert formatting.format_amount(value) == text


def test_format_amount_refuses_float_and_nan() -> None:
    with pytest.raises(TypeError):
        formatting.format_amount(1234.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        formatting.format_amount(True)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        formatting.format_amount(D("NaN"))


def test_format_deltas_and_counts() -> None:
    assert formatting.format_amount_delta(D("100000")) == "+100,000.00"
    assert formatting.format_amount_delta(D("-70432.11")) == "-70,432.11"
    assert formatting.format_amount_delta(D("0.00")) == "0.00"
    assert formatting.format_amount_delta(D("-0.001")) == "0.00"
    assert formatting.format_count(1234567) == "1,234,567"
    assert formatting.format_count(pd.array([7], dtype="Int64")[0]) == "7"
    assert formatting.format_count_delta(-1) == "-1"
    assert formatting.format_count_delta(D(1200)) == "+1,200"
    assert formatting.format_count_delta(0) == "0"


def test_shares_and_points() -> None:
    share = formatting.share_percent(D("234567.89"), D("1234567.89"))
    assert share is not None and share < D(19)  # 18.99999993...%, exactly computed
    assert formatting.format_percent(share) == "19.00%"
    assert formatting.format_percent(formatting.share_percent(D(1), D(3))) == "33.33%"
    assert formatting.format_percent(formatting.share_percent(D(2), D(3))) == "66.67%"
    assert formatting.share_percent(D(1), D(0)) is None
    assert formatting.format_percent(None) == "—"
    assert formatting.format_points_delta(D("-0.157"), "pp") == "-0.16 pp"
    assert formatting.format_points_delta(D("8.1"), "个百分点") == "+8.10 个百分点"


def test_dates_and_timestamps() -> None:
    assert formatting.format_date(dt.date(2024, 6, 30)) == "2024-06-30"
    assert formatting.format_date(None) == "—"
    assert formatting.format_timestamp(dt.datetime(2024, 7, 2, 10, 0, 5, 123)) == (
        "2024-07-02 10:00:05"
    )
    assert formatting.format_timestamp(pd.Timestamp("2024-07-02 10:00:05")) == (
        "2024-07-02 10:00:05"
    )
    assert formatting.format_timestamp("2024-07-02T10:00:05+08:00") == "2024-07-02 10:00:05 +08:00"
    assert formatting.format_timestamp("2024-07-02T02:00:05Z") == "2024-07-02 02:00:05 UTC"
    assert formatting.utc_timestamp("2024-07-02T10:00:05") == dt.datetime(
        2024, 7, 2, 10, 0, 5, tzinfo=dt.UTC
    )
    assert formatting.format_timestamp("yesterday") == "yesterday"


# --- KPI tiles ----------------------------------------------------------------------------------


def _figures(portfolio_id: str, as_of: dt.date, variant: str = "a") -> kpis.PortfolioFigures:
    e = fx.expected(portfolio_id, as_of, variant)
    return kpis.PortfolioFigures(
        e.loans_outstanding, e.outstanding_principal, e.overdue_principal, e.dpd_over_90_principal
    )


def test_kpi_tiles_with_previous_as_of() -> None:
    tiles = kpis.tiles(_figures("RETAIL-CNY", fx.JUNE), _figures("RETAIL-CNY", fx.MAY), "pp")
    shown = {tile.label_key: (tile.value, tile.delta) for tile in tiles}
    assert shown == {
        "kpi.loans_outstanding": ("3", "-1"),
        "kpi.outstanding_principal": ("1,234,567.89", "-70,432.11"),
        "kpi.overdue_principal": ("234,567.89", "-15,432.11"),
        "kpi.overdue_ratio": ("19.00%", "-0.16 pp"),
        "kpi.dpd90_principal": ("100,000.00", "+100,000.00"),
        "kpi.dpd90_ratio": ("8.10%", "+8.10 pp"),
    }


def test_kpi_tiles_without_previous_or_balance() -> None:
    tiles = kpis.tiles(_figures("SME-USD", fx.JUNE), None, "pp")
    assert [t.delta for t in tiles] == [None] * 6
    assert tiles[1].value == "1,000,000.00"
    assert tiles[3].value == "0.25%"  # 2,500.50 / 1,000,000.00
    empty = kpis.PortfolioFigures(0, D(0), D(0), D(0))
    assert [t.value for t in kpis.tiles(empty, empty, "pp")][3] == "—"
    assert kpis.tiles(empty, empty, "pp")[3].delta is None
    same = kpis.tiles(_figures("SME-USD", fx.JUNE), _figures("SME-USD", fx.JUNE), "pp")
    assert [(t.delta, t.unchanged) for t in same][:2] == [("0", True), ("0.00", True)]


# --- failed-refresh rule ------------------------------------------------------------------------


def _run(status_: str, finished: dt.datetime, build_id: str | None = None) -> dict:
    return fx.run_record("r", status_, finished, build_id, "dbt_build", "boom")


@pytest.mark.parametrize(
    ("runs", "warn"),
    [
        ([], False),
        ([_run("success", BUILT_A, "build-A")], False),
        ([_run("success", BUILT_A, "build-A"), _run("failure", BUILT_B)], True),
        (
            [_run("failure", BUILT_A - dt.timedelta(days=1)), _run("success", BUILT_A, "build-A")],
            False,
        ),
        # The published build's run is not in the log: decide by time.
        ([_run("failure", BUILT_A - dt.timedelta(hours=1))], False),
        ([_run("failure", BUILT_A + dt.timedelta(hours=1))], True),
    ],
)
def test_failed_refresh_rule(runs: list[dict], warn: bool) -> None:
    assert (status.failed_refresh(runs, "build-A", BUILT_A) is not None) == warn


def test_failed_refresh_without_build_or_times() -> None:
    failure = {"status": "failure", "failed_step": "load", "reason": "x"}
    assert status.failed_refresh([failure], None, None) is failure
    assert status.failed_refresh([failure], "build-A", BUILT_A) is failure  # no time: warn
    # built_at is naive UTC; run-log times carry their zone.
    after = fx.run_record("r", "failure", BUILT_A.replace(tzinfo=dt.UTC) + dt.timedelta(minutes=1))
    assert status.failed_refresh([after], "build-A", BUILT_A) is after
    shanghai = dt.timezone(dt.timedelta(hours=8))
    before = fx.run_record("r", "failure", BUILT_A.replace(tzinfo=shanghai) + dt.timedelta(hours=1))
    assert status.failed_refresh([before], "build-A", BUILT_A) is None


# --- labels ---------------------------------------------------------------------------------------


def test_every_label_has_both_languages_with_the_same_fields() -> None:
    for key, entry in i18n.LABELS.items():
        assert set(entry) == set(i18n.LANGUAGES), key
        assert all(entry.values()), key
        fields = [
            {name for _, name, _, _ in string.Formatter().parse(text) if name}
            for text in entry.values()
        ]
        assert all(f == fields[0] for f in fields), key


def test_every_label_key_used_in_the_dashboard_exists() -> None:
    prefixes = "|".join(sorted({key.split(".")[0] for key in i18n.LABELS}))
    pattern = re.compile(rf'"((?:{prefixes})\.[A-Za-z0-9_.]+)"')
    used: set[str] = set()
    for path in DASHBOARD_DIR.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        used.update(k for k in pattern.findall(text) if not k.endswith(".py"))  # page files
        used.update(f"col.{name}" for name in re.findall(r'Col\("(\w+)"', text))
    assert used, "no label keys found"
    assert sorted(used - set(i18n.LABELS)) == []
    for bucket in i18n.DPD_BUCKETS:
        assert f"bucket.{bucket}" in i18n.LABELS


def test_glossary_terms() -> None:
    tr = i18n.translate
    assert [tr(f"class.{c}", "zh") for c in ("pass", "special_mention", "substandard")] == [
        "正常",
        "关注",
        "次级",
    ]
    assert tr("col.outstanding_principal", "zh") == "贷款余额"
    assert tr("col.dpd", "zh") == "逾期天数"
    assert tr("term.npl_ratio", "en") == "NPL ratio"
    assert i18n.code_label("loan_status", "written_off", "zh") == "已核销"
    assert i18n.code_label("loan_status", "mystery", "en") == "mystery"


def test_plain_markdown_text() -> None:
    from dashboard.shell import plain

    assert plain("a_b *c*\n  d") == r"a\_b \*c\* d"
    assert plain("x" * 50, 10) == "x" * 9 + "…"


# --- tables ---------------------------------------------------------------------------------------


def test_display_frame_formats_decimals_exactly() -> None:
    frame = pd.DataFrame(
        {
            "outstanding_principal": pd.Series([D("12345678901234567.89"), None], dtype=object),
            "loan_status": ["closed", None],
            "reconciles": [True, None],
        }
    )
    cols = (
        tables.Col("outstanding_principal", tables.AMOUNT),
        tables.Col("loan_status", tables.CODE),
        tables.Col("reconciles", tables.BOOL),
    )
    shown, config = tables.display_frame(frame, cols, "en")
    assert list(shown.columns) == ["Outstanding principal", "Status", "Reconciles"]
    assert shown["Outstanding principal"].tolist() == ["12,345,678,901,234,567.89", "—"]
    assert shown["Status"].tolist() == ["closed", ""]
    assert shown["Reconciles"].tolist() == ["yes", ""]
    assert "Outstanding principal" in config


# --- warehouse access -----------------------------------------------------------------------------


@pytest.fixture
def warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "warehouse" / "postloan.duckdb"
    fx.publish_warehouse(path, "build-A", BUILT_A)
    fx.write_runs(path, [fx.run_record("run-1", "success", BUILT_A, "build-A")])
    monkeypatch.setenv("POSTLOAN_WAREHOUSE", str(path))
    return path


def test_queries_keep_decimals(warehouse: Path) -> None:
    snapshot = data.take_snapshot(warehouse)
    assert snapshot is not None
    frame = data._fetch(
        snapshot.path,
        snapshot.signature,
        "select outstanding_principal, dpd from reporting.loans order by loan_id",
        (),
    )
    assert frame["outstanding_principal"].dtype == object
    assert all(isinstance(v, Decimal) for v in frame["outstanding_principal"])
    assert str(frame["dpd"].dtype) == "Int64"


def test_query_refuses_a_replaced_build(warehouse: Path) -> None:
    snapshot = data.take_snapshot(warehouse)
    assert snapshot is not None
    fx.publish_warehouse(warehouse, "build-B", BUILT_B, "b")
    with pytest.raises(data.BuildChanged):
        data._fetch(snapshot.path, snapshot.signature, "select 1", ())
    fresh = data.take_snapshot(warehouse)
    assert fresh is not None and fresh != snapshot
    info = data._fetch(fresh.path, fresh.signature, "select build_id from meta.build_info", ())
    assert info["build_id"].tolist() == ["build-B"]


def test_missing_warehouse_has_no_snapshot(tmp_path: Path) -> None:
    assert data.take_snapshot(tmp_path / "nothing.duckdb") is None


# --- the app -------------------------------------------------------------------------------





def test_overview_shows_exact_kpis(warehouse: Path) -> None:
    at = run_app()
    e = fx.expected("RETAIL-CNY", fx.JUNE)
    shown = metrics(at)
    assert shown["在贷笔数"] == (str(e.loans_outstanding), "-1")
    assert shown["贷款余额（CNY）"] == ("1,234,567.89", "-70,432.11")
    assert formatting.format_amount(e.outstanding_principal) == "1,234,567.89"
    assert shown["逾期本金（逾期天数>0，CNY）"] == ("234,567.89", "-15,432.11")
    assert shown["逾期率（逾期天数>0）"] == ("19.00%", "-0.16 个百分点")
    assert shown["逾期90天以上本金（CNY）"] == ("100,000.00", "+100,000.00")
    assert shown["逾期90天以上占比"] == ("8.10%", "+8.10 个百分点")

    buckets = at.dataframe[0].value  # beside the chart: every bucket, exact
    assert buckets["笔数"].tolist() == [2, 1, 0, 0, 1, 0, 0, 0]
    assert buckets["贷款余额"].tolist()[:5] == [
        "1,000,000.00", "134,567.89", "0.00", "0.00", "100,000.00"]
    table = at.dataframe[1].value
    assert table["贷款余额"].tolist() == ["100,000.00", "134,567.89", "1,000,000.00", "0.00"]
    assert table["贷款编号"].tolist() == ["L3", "L2", "L1", "L4"]
    assert "显示 4 笔贷款，贷款余额合计 1,234,567.89 CNY。" in texts(at.caption)
    assert at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart")


def test_bucket_filter_narrows_the_loans(warehouse: Path) -> None:
    at = run_app()
    at.multiselect(key="overview_buckets:RETAIL-CNY").set_value(["M4"]).run()
    assert not at.exception
    assert at.dataframe[1].value["贷款编号"].tolist() == ["L3"]
    assert "显示 1 笔贷款，贷款余额合计 100,000.00 CNY。" in texts(at.caption)


def test_other_portfolio_in_its_own_currency(warehouse: Path) -> None:
    at = run_app()
    at.selectbox(key="portfolio_id").set_value("SME-USD").run()
    assert not at.exception
    shown = metrics(at)
    assert shown["贷款余额（USD）"] == ("1,000,000.00", "")  # no earlier as-of: no change
    assert shown["逾期90天以上本金（USD）"] == ("2,500.50", "")
    assert not any("CNY" in label for label in shown)
    assert any("合成数据" in w for w in texts(at.warning))  # synthetic data is flagged


def test_earlier_as_of_date(warehouse: Path) -> None:
    at = run_app()
    at.selectbox(key="as_of").set_value("2024-05-31").run()
    shown = metrics(at)
    assert shown["贷款余额（CNY）"] == ("1,305,000.00", "")
    assert "2024-05-31" in texts(at.info)[0]


def test_language_switch_changes_labels(warehouse: Path) -> None:
    at = run_app()
    at.selectbox(key="portfolio_id").set_value("SME-USD").run()
    assert "组合概览" in texts(at.header)
    at.radio(key="lang").set_value("en").run()
    assert not at.exception
    assert "Portfolio overview" in texts(at.header)
    assert "组合概览" not in texts(at.header)
    shown = metrics(at)
    assert shown["Outstanding principal (USD)"] == ("1,000,000.00", "")
    assert "Loans outstanding" in shown
    assert at.selectbox(key="portfolio_id").value == "SME-USD"  # the choice survives the switch
    assert "Published build **build-A**" in texts(at.info)[0]
    at.radio(key="lang").set_value("zh").run()
    assert "贷款余额（USD）" in metrics(at)


def test_banner_names_the_published_build(warehouse: Path) -> None:
    at = run_app()
    assert texts(at.info)[0] == (
        "已发布版本 **build-A** · 构建于 2024-07-02 10:00:00 UTC · 数据日期 **2024-06-30**"
    )
    assert not at.warning


def test_failed_refresh_banner(warehouse: Path) -> None:
    fx.write_runs(
        warehouse,
        [
            fx.run_record("run-1", "success", BUILT_A, "build-A"),
            {
                **fx.run_record(
                    "run-2", "failure", BUILT_B, None, "dbt_build", "not_null_loans_loan_id failed"
                ),
                "rejected_rows": 1234,
                "rejects_file": "/srv/warehouse/postloan.rejects-run-2.csv",
            },
        ],
    )
    at = run_app()
    (warning,) = texts(at.warning)
    assert "2024-07-03 10:00:00 UTC" in warning
    assert r"dbt\_build" in warning  # Markdown-escaped, shown as dbt_build
    assert r"not\_null\_loans\_loan\_id failed" in warning
    assert "build-A" in warning
    # On the other page too, in English as well.
    at.switch_page("pages_/loads.py").run()
    assert not at.exception
    assert any(r"dbt\_build" in w for w in texts(at.warning))
    runs = at.dataframe[-1].value  # the run log, newest first, with the failed build's rejects
    assert runs["运行编号"].tolist() == ["run-2", "run-1"]
    assert runs["拒绝行数"].iloc[0] == 1234 and pd.isna(runs["拒绝行数"].iloc[1])
    assert runs["拒绝行文件"].tolist()[0] == "/srv/warehouse/postloan.rejects-run-2.csv"
    at.radio(key="lang").set_value("en").run()
    (warning,) = texts(at.warning)
    assert warning.startswith("The last refresh failed (2024-07-03 10:00:00 UTC) in step dbt")


def test_no_banner_when_the_failure_was_followed_by_a_success(warehouse: Path) -> None:
    fx.write_runs(
        warehouse,
        [
            fx.run_record("run-0", "failure", BUILT_A - dt.timedelta(hours=2), None, "load", "x"),
            fx.run_record("run-1", "success", BUILT_A, "build-A"),
        ],
    )
    at = run_app()
    assert not at.warning


def test_new_build_is_shown_without_restart(warehouse: Path) -> None:
    at = run_app()
    assert "build-A" in texts(at.info)[0]
    assert metrics(at)["贷款余额（CNY）"][0] == "1,234,567.89"
    before = publish.published_signature(warehouse)

    fx.publish_warehouse(warehouse, "build-B", BUILT_B, variant="b")  # os.replace over the file
    assert publish.published_signature(warehouse) != before
    at.run()
    assert not at.exception
    assert "build-B" in texts(at.info)[0]
    e = fx.expected("RETAIL-CNY", fx.JUNE, "b")
    assert metrics(at)["贷款余额（CNY）"][0] == formatting.format_amount(e.outstanding_principal)
    assert metrics(at)["贷款余额（CNY）"][0] == "1,134,567.89"
    assert "1,134,567.89 CNY" in " ".join(texts(at.caption))


def test_a_build_published_during_a_run_is_not_mixed_in(
    warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Build B is published after the run has read build A's build_info: the run starts over on
    build B instead of showing build A's banner over build B's figures."""
    original = publish.connect_readonly
    opened: list[Path] = []

    def connect_with_a_publish_in_between(path: Path):  # noqa: ANN202
        opened.append(path)
        if len(opened) == 2:  # after meta.build_info, before the portfolio summary
            fx.publish_warehouse(warehouse, "build-B", BUILT_B, variant="b")
        return original(path)

    monkeypatch.setattr(publish, "connect_readonly", connect_with_a_publish_in_between)
    at = run_app()
    assert len(opened) > 2
    assert "build-B" in texts(at.info)[0]
    assert metrics(at)["贷款余额（CNY）"][0] == "1,134,567.89"


def test_missing_warehouse_says_to_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    missing = tmp_path / "none" / "postloan.duckdb"
    monkeypatch.setenv("POSTLOAN_WAREHOUSE", str(missing))
    at = run_app()
    assert any("postloan build" in e for e in texts(at.error))
    assert not at.metric
    fx.write_runs(missing, [fx.run_record("run-1", "failure", BUILT_A, None, "load", "bad file")])
    at.run()
    assert any("bad file" in w for w in texts(at.warning))


def test_loads_page(warehouse: Path) -> None:
    at = run_app()
    at.switch_page("pages_/loads.py").run()
    assert not at.exception
    assert texts(at.subheader) == ["批次", "加载勾稽", "拒绝行", "运行日志"]
    assert texts(at.error) == ["1 个文件勾稽不一致，请核查。"]
    batches, recon, by_rule, rejects, runs = (d.value for d in at.dataframe)
    assert len(batches) == 4
    superseded = batches[batches["批次编号"] == "RETAIL-CNY-20240630-v1"].iloc[0]
    assert superseded["批次状态"] == "已被替代"
    assert superseded["替代批次"] == "RETAIL-CNY-20240630-v2"
    delta = batches[batches["批次编号"] == "RETAIL-CNY-20240630-v2"].iloc[0]
    assert (delta["交付方式"], delta["增量基准批次"], delta["沿用基准行数"]) == (
        "增量", "RETAIL-CNY-20240531-v1", 3)
    may = batches[batches["批次编号"] == "RETAIL-CNY-20240531-v1"].iloc[0]
    assert may["交付方式"] == "全量快照"
    assert recon["勾稽一致"].tolist()[0] == "否"  # the broken file first
    assert sorted(by_rule["规则"]) == ["money_scale", "nonnegative"]
    assert rejects["行号"].tolist() == [5, 7]
    assert runs["运行编号"].tolist() == ["run-1"]

    at.checkbox(key="loads_only_portfolio").check().run()
    assert not at.exception
    batches, recon = at.dataframe[0].value, at.dataframe[1].value
    assert set(batches["组合编号"]) == {"RETAIL-CNY"}
    assert len(recon) == 2
    assert texts(at.success)[0] == "全部 2 个文件勾稽一致。"
