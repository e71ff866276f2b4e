"""Amount units, table exports (CSV, XLSX) and the committee pack: exact decimals end to end."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from dashboard import data, export, pack, units
from dashboard.tables import AMOUNT, BOOL, CODE, COUNT, DATE, Col
from tests import dashboard_fixtures as fx
from tests.dashboard_apptest import checked, metrics, run_app, texts

D = Decimal
BUILT = dt.datetime(2024, 7, 2, 8, 0, 5)
WAN = units.unit_named("CNY", "wan")
YI = units.unit_named("CNY", "yi")
THOUSAND = units.unit_named("USD", "thousand")


@pytest.fixture
def warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "warehouse" / "postloan.duckdb"
    fx.publish_warehouse(path, "build-A", BUILT)
    monkeypatch.setenv("POSTLOAN_WAREHOUSE", str(path))
    return path


# --- units ----------------------------------------------------------------------------------------


def test_units_per_currency() -> None:
    assert [u.code for u in units.units_for("CNY")] == ["yuan", "wan", "yi"]
    assert [u.code for u in units.units_for("USD")] == ["one", "thousand", "million"]
    assert units.unit_named("USD", "wan").code == "one"  # not a USD unit: the plain one
    assert units.unit_named("CNY", None).code == "yuan"


@pytest.mark.parametrize(
    ("value", "unit", "exact", "text"),
    [
        (D("1234567.89"), WAN, D("123.456789"), "123.46"),
        (D("1234567.89"), YI, D("0.0123456789"), "0.01"),
        (D("1234567.89"), THOUSAND, D("1234.56789"), "1,234.57"),
        # half up at the second place of the scaled value: both sides of .005
        (D("1234550.00"), WAN, D("123.455"), "123.46"),
        (D("1234549.99"), WAN, D("123.454999"), "123.45"),
        (D("-70432.11"), WAN, D("-7.043211"), "-7.04"),
        (D("12345678901234567.89"), YI, D("123456789.0123456789"), "123,456,789.01"),
    ],
)
def test_scaling_is_exact(value, unit, exact, text) -> None:
    scaled = unit.scale(value)
    assert scaled == exact and isinstance(scaled, Decimal)
    assert units.format_scaled(value, unit) == text
    assert unit.scale(scaled * 10**unit.exponent) == scaled


def test_scaling_refuses_floats() -> None:
    with pytest.raises(TypeError):
        WAN.scale(1234.5)


# --- export frames, CSV and XLSX ------------------------------------------------------------------

COLUMNS = (
    Col("loan_id"),
    Col("outstanding_principal", AMOUNT),
    Col("dpd", COUNT),
    Col("loan_status", CODE),
    Col("maturity_date", DATE),
    Col("reconciles", BOOL),
)
FRAME = pd.DataFrame(
    {
        "loan_id": ["L1", "L2", "L3"],
        "outstanding_principal": [D("1234567.89"), D("0.10"), None],
        "dpd": pd.array([0, 91, None], dtype="Int64"),
        "loan_status": ["outstanding", "written_off", None],
        "maturity_date": [dt.date(2026, 1, 15), dt.date(2025, 12, 31), None],
        "reconciles": [True, False, None],
    }
)


def test_export_frame_headers_and_exact_values() -> None:
    frame, kinds = export.export_frame(FRAME, COLUMNS, "zh", WAN, "CNY")
    assert list(frame.columns) == ["贷款编号", "贷款余额（万元）", "逾期天数", "贷款状态",
                                   "到期日期", "勾稽一致"]
    assert frame["贷款余额（万元）"].tolist() == [D("123.456789"), D("0.00001"), None]
    assert frame["贷款状态"].tolist() == ["在贷", "已核销", None]
    assert frame["勾稽一致"].tolist() == ["是", "否", None]
    assert kinds["贷款余额（万元）"] == "amount"
    english, _ = export.export_frame(FRAME, COLUMNS, "en", THOUSAND, "USD")
    assert list(english.columns)[1] == "Outstanding principal (USD thousand)"
    assert english["Status"].tolist() == ["outstanding", "written off", None]


def test_csv_is_utf8_with_bom_and_exact_text() -> None:
    frame, _ = export.export_frame(FRAME, COLUMNS, "zh", WAN, "CNY")
    raw = export.csv_bytes(frame)
    assert raw.startswith("\ufeff".encode())
    lines = raw.decode("utf-8-sig").splitlines()
    assert lines[0] == "贷款编号,贷款余额（万元）,逾期天数,贷款状态,到期日期,勾稽一致"
    assert lines[1] == "L1,123.456789,0,在贷,2026-01-15,是"
    assert lines[2] == "L2,0.000010,91,已核销,2025-12-31,否"  # 0.10 yuan exactly, never 1E-5
    assert lines[3] == "L3,,,,,"


def _sheet_xml(raw: bytes, index: int = 1) -> str:
    with zipfile.ZipFile(io.BytesIO(raw)) as z:
        return z.read(f"xl/worksheets/sheet{index}.xml").decode()


def test_xlsx_amounts_are_numbers_with_the_exact_text() -> None:
    big = pd.DataFrame({"loan_id": ["L1", "L2", "L3"],
                        "outstanding_principal": [D("1234567.89"), D("0.10"),
                                                  D("12345678901234567.89")],
                        "dpd": pd.array([1, 2, 3], dtype="Int64"),
                        "loan_status": ["closed"] * 3,
                        "maturity_date": [dt.date(2026, 1, 15)] * 3,
                        "reconciles": [True] * 3})
    frame, kinds = export.export_frame(big, COLUMNS, "en", units.BASE["yuan"], "CNY")
    raw = export.xlsx_bytes([export.Sheet("Loans", frame, kinds)])
    ws = openpyxl.load_workbook(io.BytesIO(raw))["Loans"]
    assert ws["B1"].value == "Outstanding principal (CNY)"
    assert (ws["B2"].value, ws["B2"].number_format) == (1234567.89, "#,##0.00")
    assert (ws["B3"].value, ws["B3"].number_format) == (0.1, "#,##0.00")
    # 19 significant digits do not fit a spreadsheet number: written as exact text
    assert ws["B4"].value == "12345678901234567.89"
    assert (ws["C2"].value, ws["C2"].number_format) == (1, "#,##0")
    assert ws["E2"].value == dt.datetime(2026, 1, 15) and ws["E2"].number_format == "yyyy-mm-dd"
    xml = _sheet_xml(raw)
    assert "<v>1234567.89</v>" in xml and "<v>0.1</v>" in xml  # the file's own text is exact


@pytest.mark.parametrize(
    ("value", "exact"),
    [(D("1234567.89"), True), (D("9999999999999.99"), True), (D("0.0123456789"), True),
     (D("99999999999999.99"), False), (D("12345678901234567.89"), False)],
)
def test_exact_in_sheet_boundary(value, exact) -> None:
    assert export.exact_in_sheet(value) is exact


def test_sheet_names_are_valid_and_unique() -> None:
    assert export.sheet_name("a/b:c*?[d]") == "a_b_c___d_"
    long = "x" * 40
    assert export.sheet_name(long) == "x" * 31
    assert export.sheet_name(long, ["x" * 31]) == "x" * 27 + " (2)"
    assert export.sheet_name("Loans", ["loans"]) == "Loans (2)"


# --- the committee pack ---------------------------------------------------------------------------


def _workbook(raw: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(raw))


def _rows(ws) -> list[tuple]:
    return list(ws.iter_rows(values_only=True))


def test_committee_pack_of_a_cny_book_in_wan(warehouse) -> None:
    snapshot = data.take_snapshot(warehouse)
    raw = pack.committee_pack(snapshot, "RETAIL-CNY", fx.JUNE, "zh", WAN)
    book = _workbook(raw)
    assert book.sheetnames == ["概览", "逾期分档", "五级分类", "监管集中度指标", "大额风险暴露",
                               "贷款明细"]
    summary = {row[0]: row[1:] for row in _rows(book["概览"])[1:]}
    assert summary["数据日期"][1] == dt.datetime(2024, 6, 30)
    assert summary["上一数据日期"][1] == dt.datetime(2024, 5, 31)
    now, before = fx.expected("RETAIL-CNY", fx.JUNE), fx.expected("RETAIL-CNY", fx.MAY)
    assert summary["在贷笔数"] == ("笔", now.loans_outstanding, before.loans_outstanding,
                                   now.loans_outstanding - before.loans_outstanding)
    # 1,234,567.89 and 1,305,000.00 yuan in 万元, change -70,432.11 yuan
    assert summary["贷款余额"] == ("万元", 123.456789, 130.5, -7.043211)
    assert summary["逾期90天以上本金"][1:3] == (10.0, 0)
    xml = _sheet_xml(raw)
    assert "<v>123.456789</v>" in xml and "<v>-7.043211</v>" in xml
    buckets = _rows(book["逾期分档"])
    assert buckets[0] == ("逾期分档", "笔数", "贷款余额（万元）")
    assert buckets[1] == ("M0 未逾期（0天）", 2, 100.0)  # L1 1,000,000.00 and closed L4 0.00
    assert buckets[5] == ("M4 逾期91–120天", 1, 10.0)
    loans = _rows(book["贷款明细"])
    assert len(loans) == 1 + 4
    assert sorted(r[0] for r in loans[1:]) == ["L1", "L2", "L3", "L4"]


def test_committee_pack_classes_and_ratios_in_english(warehouse) -> None:
    snapshot = data.take_snapshot(warehouse)
    book = _workbook(pack.committee_pack(snapshot, fx.WHOLESALE, fx.JUNE, "en"))
    classes = _rows(book["Five-level classes"])
    assert classes[0] == ("Class", "Loans", "Outstanding principal (CNY)",
                          "Specific provision (CNY)")
    assert [r[2] for r in classes[1:]] == [900000, 60000, 20000, 12000, 8000]
    ratios = {r[0]: r for r in _rows(book["Concentration ratios"])[1:]}
    group = ratios["Single group credit"]
    assert group[2:4] == (900000, 5625000) and group[6] == -56250  # headroom
    large = _rows(book["Large exposures"])
    assert [r[1] for r in large[1:]] == ["G-EAST", "B-W01", "B-W02"]


# --- in the app -------------------------------------------------------------------------------


def test_unit_switch_rescales_tiles_tables_and_captions(warehouse) -> None:
    at = run_app()
    assert at.selectbox(key="_widget:amount_unit:CNY").options == ["元", "万元", "亿元"]
    at.selectbox(key="_widget:amount_unit:CNY").set_value("wan").run()
    checked(at)
    shown = metrics(at)
    assert shown["贷款余额（万元）"] == ("123.46", "-7.04")
    table = at.dataframe[-1].value
    assert table["贷款余额（万元）"].tolist() == ["10.00", "13.46", "100.00", "0.00"]
    assert "显示 4 笔贷款，贷款余额合计 123.46 万元。" in texts(at.caption)
    # USD has its own choice, and the CNY choice is kept for CNY books
    at.selectbox(key="portfolio_id").set_value("SME-USD").run()
    assert at.selectbox(key="_widget:amount_unit:USD").options == ["USD", "千USD", "百万USD"]
    at.selectbox(key="_widget:amount_unit:USD").set_value("thousand").run()
    assert metrics(at)["贷款余额（千USD）"][0] == "1,000.00"
    at.radio(key="lang").set_value("en").run()
    assert metrics(at)["Outstanding principal (USD thousand)"][0] == "1,000.00"
    at.selectbox(key="portfolio_id").set_value("RETAIL-CNY").run()
    assert metrics(at)["Outstanding principal (CNY 10k)"][0] == "123.46"


def test_every_table_has_its_exports_and_the_pack_button(warehouse) -> None:
    at = run_app()
    labels = [b.label for b in at.download_button]
    assert labels.count("导出 CSV") == labels.count("导出 XLSX") == 2  # buckets and loans
    assert "下载委员会材料包（XLSX）" in labels
    at.radio(key="lang").set_value("en").run()
    labels = [b.label for b in at.download_button]
    assert labels.count("CSV") == 2 and "Committee pack (XLSX)" in labels


# --- drill-down from an aggregate to its loans -------------------------------------------------


def test_a_class_row_lists_the_loans_of_that_class(warehouse) -> None:
    at = run_app()
    at.selectbox(key="portfolio_id").set_value(fx.WHOLESALE).run()
    at.switch_page("pages_/classification.py")
    checked(at.run())
    key = f"classification_distribution:{fx.WHOLESALE}:2024-06-30"
    assert not any(m.value.startswith("**次级") for m in at.markdown)
    # rows in class order: 正常, 关注, 次级, 可疑, 损失; 次级 at 2024-06-30 is W04 alone
    at.session_state[key] = {"selection": {"rows": [2], "columns": [], "cells": []}}
    checked(at.run())
    assert "**次级类贷款**" in [m.value for m in at.markdown]
    assert "1 笔贷款，贷款余额合计 20,000.00 CNY。" in texts(at.caption)
    assert at.selectbox(key=f"{key}:substandard:loan").options == ["W04"]
    at.selectbox(key=f"{key}:substandard:loan").set_value("W04").run()
    assert "loan_id=W04" in [pl.proto.query_string for pl in at.get("page_link")]
    # 正常: W01 500,000.00 and W02 400,000.00
    at.session_state[key] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    checked(at.run())
    assert "2 笔贷款，贷款余额合计 900,000.00 CNY。" in texts(at.caption)


def test_classification_tiles_follow_the_unit(warehouse) -> None:
    at = run_app()
    at.selectbox(key="portfolio_id").set_value(fx.WHOLESALE).run()
    at.selectbox(key="_widget:amount_unit:CNY").set_value("wan").run()
    at.switch_page("pages_/classification.py")
    checked(at.run())
    shown = metrics(at)
    # NPL 40,000.00 (May 12,000.00) = 4 万元 (+2.8); the ratio does not depend on the unit
    assert shown["不良贷款余额（万元）"] == ("4.00", "+2.80")
    assert shown["不良贷款率"][0] == "4.00%"


def test_a_click_on_a_bucket_bar_lists_that_bucket(warehouse) -> None:
    at = run_app()
    key = "overview_chart:RETAIL-CNY:2024-06-30"
    at.session_state[key] = {"selection": {"bucket_pick": [{"code": "M4"}]}}
    checked(at.run())
    assert at.multiselect(key="overview_buckets:RETAIL-CNY").value == ["M4"]
    assert at.dataframe[1].value["贷款编号"].tolist() == ["L3"]
    assert "显示 1 笔贷款，贷款余额合计 100,000.00 CNY。" in texts(at.caption)
    # the same selection left on the chart does not undo a later choice in the filter
    at.multiselect(key="overview_buckets:RETAIL-CNY").set_value(["M0", "M1"]).run()
    assert at.dataframe[1].value["贷款编号"].tolist() == ["L2", "L1", "L4"]
    at.button(key="overview_buckets:RETAIL-CNY:all").click().run()
    assert len(at.dataframe[1].value) == 4


def test_a_long_table_draws_its_first_rows_and_exports_them_all(monkeypatch):
    from dashboard import tables

    monkeypatch.setattr(tables, "SCREEN_ROWS", 3)
    captions, drawn, exported = [], [], []
    monkeypatch.setattr(tables.st, "caption", lambda text: captions.append(text))
    monkeypatch.setattr(tables.st, "dataframe", lambda table, **kw: drawn.append(len(table)))
    monkeypatch.setattr(tables, "reader_unit", lambda: (tables.BASE, "CNY"))
    monkeypatch.setattr(tables, "export_buttons",
                        lambda frame, *a, **kw: exported.append(len(frame)))
    frame = pd.DataFrame({"loan_id": [f"L{i}" for i in range(10)]})
    tables.show(frame, (tables.Col("loan_id"),), "en")
    assert drawn == [3] and exported == [10]
    assert captions == ["The table shows the first 3 of 10 rows; the exports hold them all."]
