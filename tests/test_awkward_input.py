"""A corpus of awkward but real-world landing files (issue 8): each one loads correctly, or its bad
cells are quarantined naming file, line and column; and every file reconciles with a count of its
data lines taken outside DuckDB (the csv module, openpyxl).

Encodings, the BOM, repeated headers, totals lines and blank lines that tests/test_loader.py
already covers are not repeated here; the files below add what it does not.
"""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from postloan.landing.readers import LandingFileError
from tests.helpers import write_csv, write_manifest
from tests.test_loader import BORROWER_HEADER, LOAN_HEADER, load_all

LEAP_DAY = dt.date(2024, 2, 29)
BORROWERS = [["B1", "甲公司", "corporate"]]


def csv_data_lines(path: Path, encoding: str) -> int:
    """Records after the header line, counted with the csv module alone."""
    with path.open("r", encoding=encoding, newline="") as fh:
        return sum(1 for _ in csv.reader(fh)) - 1


def xlsx_data_lines(path: Path, header_row: int) -> int:
    """Rows below the header row plus any rows above it (titles), counted with openpyxl."""
    ws = openpyxl.load_workbook(path, read_only=True).worksheets[0]
    return sum(1 for _ in ws.iter_rows(values_only=True)) - 1


def loans_batch(folder: Path, rows: list[list], header=LOAN_HEADER, encoding="utf-8") -> Path:
    write_csv(folder / "borrowers.csv", BORROWER_HEADER, BORROWERS)
    write_csv(folder / "loans.csv", header, rows, encoding=encoding)
    write_manifest(folder, files={"borrowers": "borrowers.csv", "loans": "loans.csv"})
    return folder / "loans.csv"


def log_counts(con, entity="loans") -> tuple[int, int, int, int]:
    return con.execute("select data_lines, loaded_rows, rejected_rows, skipped_rows "
                       "from raw.load_log where entity = ?", [entity]).fetchone()


def loan(loan_id: str, amount: str = "100.00", disbursed: str = "2024-02-29",
         maturity: str = "2025-02-28") -> list[str]:
    return [loan_id, "B1", "p", amount, disbursed, maturity, "credit"]


def test_gb18030_file_with_characters_outside_gbk(tmp_path):
    name = "𠮷野家餐饮"  # U+20BB7 is in GB18030 (four bytes) but not in GBK
    with pytest.raises(UnicodeEncodeError):
        name.encode("gbk")
    folder = tmp_path / "b"
    path = write_csv(folder / "borrowers.csv", ["借款人编号", "借款人名称", "客户类型"],
                     [["B1", name, "对公"], ["B2", "张三", "个人"]], encoding="gb18030")
    write_manifest(folder, files={"borrowers": "borrowers.csv"})
    con = load_all(tmp_path)
    assert con.execute("select borrower_name from raw.borrowers order by borrower_id") \
        .fetchall() == [(name,), ("张三",)]
    assert con.execute("select encoding from raw.load_log").fetchone() == ("gb18030",)
    data_lines, loaded, rejected, skipped = log_counts(con, "borrowers")
    assert data_lines == csv_data_lines(path, "gb18030") == loaded + rejected + skipped == 2


def test_utf8_without_bom_is_read_as_utf8(tmp_path):
    path = loans_batch(tmp_path / "b", [loan("甲-1")])
    assert not path.read_bytes().startswith(b"\xef\xbb\xbf")
    con = load_all(tmp_path)
    assert con.execute("select loan_id from raw.loans").fetchall() == [("甲-1",)]
    assert con.execute("select encoding from raw.load_log where entity = 'loans'").fetchone() \
        == ("utf-8",)


@pytest.mark.parametrize("written", [
    "2024-02-29", "2024/2/29", "2024/02/29", "20240229", "2024年2月29日", "２０２４年２月２９日",
    "45351",  # Excel's day number for 2024-02-29 (days since 1899-12-30)
    "2024-2-29",
])
def test_every_date_spelling_means_the_leap_day(tmp_path, written):
    path = loans_batch(tmp_path / "b", [loan("L1", disbursed=written)])
    con = load_all(tmp_path)
    assert con.execute("select disbursement_date from raw.loans").fetchall() == [(LEAP_DAY,)]
    assert log_counts(con)[0] == csv_data_lines(path, "utf-8") == 1


@pytest.mark.parametrize("written", ["2023/2/29", "2024年2月30日", "44", "2024-02-29T00:00Z"])
def test_impossible_dates_are_quarantined_naming_line_and_column(tmp_path, written):
    loans_batch(tmp_path / "b", [loan("L1"), loan("L2", disbursed=written)])
    con = load_all(tmp_path)
    assert con.execute("select source_file, line_number, column_name, rule, raw_value "
                       "from raw.rejects").fetchall() == [
        ("b/loans.csv", 3, "disbursement_date", "type", written)]
    assert log_counts(con) == (2, 1, 1, 0)


@pytest.mark.parametrize(("written", "amount"), [
    ("1,234,567.89", Decimal("1234567.89")),
    ("１，２３４，５６７．８９", Decimal("1234567.89")),  # full-width digits, commas, point
    ("¥1,000.00", Decimal("1000.00")),
    ("￥1,000.00", Decimal("1000.00")),
    ("$12.30", Decimal("12.30")),
    ("RMB 1,000", Decimal("1000.00")),
    ("1000元", Decimal("1000.00")),
    ("+7.5", Decimal("7.50")),
    ("0.00", Decimal("0.00")),
])
def test_amount_spellings_load_exactly(tmp_path, written, amount):
    loans_batch(tmp_path / "b", [loan("L1", amount=written)])
    con = load_all(tmp_path)
    assert con.execute("select contract_amount from raw.loans").fetchall() == [(amount,)]


@pytest.mark.parametrize(("written", "rule"), [
    ("-5.00", "nonnegative"),
    ("−5.00", "nonnegative"),  # U+2212 minus sign
    ("－５.００", "nonnegative"),  # full-width minus and digits
    ("(5.00)", "nonnegative"),  # accounting negative
    ("-0.01", "nonnegative"),
    ("1.005", "type"),  # three decimal places: never rounded
    ("1,000.00 USD", "type"),
    ("12,3a", "type"),
])
def test_bad_amounts_are_quarantined_naming_line_and_column(tmp_path, written, rule):
    loans_batch(tmp_path / "b", [loan("L1"), loan("L2", amount=written)])
    con = load_all(tmp_path)
    assert con.execute("select line_number, column_name, rule, raw_value from raw.rejects") \
        .fetchall() == [(3, "contract_amount", rule, written)]
    assert con.execute("select loan_id from raw.loans").fetchall() == [("L1",)]


def test_header_with_a_trailing_comma(tmp_path):
    folder = tmp_path / "b"
    folder.mkdir()
    path = folder / "loans.csv"
    path.write_text(",".join(LOAN_HEADER) + ",\n"
                    + ",".join(loan("L1")) + ",\n"  # rows with the trailing comma too
                    + ",".join(loan("L2")) + "\n",  # and without it
                    encoding="utf-8")
    write_csv(folder / "borrowers.csv", BORROWER_HEADER, BORROWERS)
    write_manifest(folder, files={"borrowers": "borrowers.csv", "loans": "loans.csv"})
    con = load_all(tmp_path)
    assert con.execute("select loan_id from raw.loans order by 1").fetchall() == [("L1",),
                                                                                ("L2",)]
    assert con.execute("select unknown_columns from raw.load_log where entity = 'loans'") \
        .fetchone() == ("[]",)
    assert log_counts(con) == (2, 2, 0, 0) and csv_data_lines(path, "utf-8") == 2


def test_messy_export_reconciles_with_an_outside_count(tmp_path):
    """GBK, Chinese headers, a blank line, the header repeated at a page break, a 合计 footer,
    amounts with separators and a bad date: every line is loaded, rejected or skipped."""
    header = ["贷款编号", "借款人编号", "产品", "合同金额", "放款日期", "到期日期", "担保方式"]
    rows = [
        ["L1", "B1", "流动资金", "1,000.00", "2024/2/29", "2025年2月28日", "信用"],
        [],
        header,
        ["L2", "B1", "流动资金", "￥２，０００．００", "20240229", "45716", "抵押"],
        ["L3", "B1", "流动资金", "300.00", "2024/2/30", "2025/2/28", "信用"],
        ["", "", "", "", "", "", ""],
        ["合计", "", "", "3,300.00", "", "", ""],
    ]
    path = loans_batch(tmp_path / "b", rows, header=header, encoding="gbk")
    con = load_all(tmp_path)
    assert con.execute("select loan_id, contract_amount, disbursement_date, maturity_date "
                       "from raw.loans order by 1").fetchall() == [
        ("L1", Decimal("1000.00"), LEAP_DAY, dt.date(2025, 2, 28)),
        ("L2", Decimal("2000.00"), LEAP_DAY, dt.date(2025, 2, 28)),
    ]
    assert con.execute("select line_number, column_name, rule from raw.rejects").fetchall() == \
        [(6, "disbursement_date", "type")]
    assert con.execute("select line_number, reason from raw.skipped order by 1").fetchall() == [
        (3, "blank line"), (4, "repeated header"), (7, "blank line"), (8, "totals line")]
    data_lines, loaded, rejected, skipped = log_counts(con)
    assert (data_lines, loaded, rejected, skipped) == (7, 2, 1, 4)
    assert data_lines == csv_data_lines(path, "gbk")


def _xlsx_with_title(path: Path, rows: list[list]) -> None:
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["某某银行 2024年2月 贷款明细表"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(LOAN_HEADER))
    ws.append(LOAN_HEADER)
    for row in rows:
        ws.append(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)


def test_xlsx_with_a_merged_title_row_above_the_header(tmp_path):
    folder = tmp_path / "b"
    path = folder / "loans.xlsx"
    _xlsx_with_title(path, [
        ["L1", "B1", "p", 1234.5, dt.datetime(2024, 2, 29), dt.datetime(2025, 2, 28), "credit"],
        ["L2", "B1", "p", "1,000.00", 45351, "2025/2/28", "credit"],  # Excel day number
        ["L3", "B1", "p", -1, 45351, "2025/2/28", "credit"],
    ])
    write_csv(folder / "borrowers.csv", BORROWER_HEADER, BORROWERS)
    write_manifest(folder, files={"borrowers": "borrowers.csv", "loans": "loans.xlsx"})
    con = load_all(tmp_path)
    assert con.execute("select loan_id, contract_amount, disbursement_date from raw.loans "
                       "order by 1").fetchall() == [("L1", Decimal("1234.50"), LEAP_DAY),
                                                    ("L2", Decimal("1000.00"), LEAP_DAY)]
    assert con.execute("select line_number, column_name, rule from raw.rejects").fetchall() == \
        [(5, "contract_amount", "nonnegative")]
    assert con.execute("select line_number, reason from raw.skipped").fetchall() == \
        [(1, "title above the header")]
    data_lines, loaded, rejected, skipped = log_counts(con)
    assert (data_lines, loaded, rejected, skipped) == (4, 2, 1, 1)
    assert data_lines == xlsx_data_lines(path, header_row=2)


def test_a_file_with_no_header_at_all_names_file_and_line(tmp_path):
    folder = tmp_path / "b"
    path = folder / "loans.csv"
    write_csv(path, ["报表标题"], [["无表头"], ["L1", "B1"]])
    write_csv(folder / "borrowers.csv", BORROWER_HEADER, BORROWERS)
    write_manifest(folder, files={"borrowers": "borrowers.csv", "loans": "loans.csv"})
    with pytest.raises(LandingFileError) as err:
        load_all(tmp_path)
    assert str(err.value).startswith(f"{path}: line 1: required column loan_id")
