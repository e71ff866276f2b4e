"""The landing loader: formats, encodings, quarantine, skipped lines and reconciliation."""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal
from pathlib import Path

import duckdb
import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from postloan.landing import load
from postloan.landing.manifest import ManifestError, read_manifest
from postloan.landing.readers import LandingFileError
from tests.helpers import write_csv, write_manifest

BORROWER_HEADER = ["borrower_id", "borrower_name", "borrower_type"]
LOAN_HEADER = ["loan_id", "borrower_id", "product", "contract_amount", "disbursement_date",
               "maturity_date", "guarantee_type"]


def independent_record_count(path: Path, encoding: str) -> int:
    """Records after the header, counted without the loader (csv module only)."""
    with path.open("r", encoding=encoding, newline="") as fh:
        return sum(1 for _ in csv.reader(fh)) - 1


def load_all(landing: Path, as_of=None) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    load.ensure_raw_schema(con)
    plans = load.plan_batches(landing, as_of)
    load.register_batches(con, plans)
    for plan in plans:
        if plan.status == "published":
            load.load_batch(con, plan)
    return con


def basic_batch(folder: Path, loans: list[list], borrowers: list[list] | None = None,
                **manifest) -> Path:
    write_csv(folder / "borrowers.csv", BORROWER_HEADER,
              borrowers or [["B1", "甲公司", "corporate"], ["B2", "乙", "retail"]])
    write_csv(folder / "loans.csv", LOAN_HEADER, loans)
    return write_manifest(folder, files={"borrowers": "borrowers.csv", "loans": "loans.csv"},
                          **manifest)


def test_gbk_file_with_chinese_headers_and_codes(tmp_path):
    folder = tmp_path / "b"
    header = ["借款人编号", "借款人名称", "客户类型", "关联方标识"]
    write_csv(folder / "borrowers.csv", header,
              [["B1", "甲公司", "对公", "否"], ["B2", "张三", "个人", "是"]], encoding="gbk")
    write_csv(folder / "loans.csv", ["贷款编号", "借款人编号", "产品", "合同金额", "放款日期",
                                     "到期日期", "担保方式"],
              [["L1", "B1", "流动资金贷款", "1,000,000.00", "2024/01/15", "20250115", "抵押"]],
              encoding="gb18030")
    write_manifest(folder, files={"borrowers": "borrowers.csv", "loans": "loans.csv"})
    con = load_all(tmp_path)
    assert con.execute("select borrower_type, is_related_party from raw.borrowers "
                       "order by borrower_id").fetchall() == [("corporate", False),
                                                              ("retail", True)]
    row = con.execute("select contract_amount, disbursement_date, maturity_date, guarantee_type "
                      "from raw.loans").fetchone()
    assert row == (Decimal("1000000.00"), dt.date(2024, 1, 15), dt.date(2025, 1, 15), "mortgage")
    encodings = dict(con.execute("select entity, encoding from raw.load_log").fetchall())
    assert encodings == {"borrowers": "gb18030", "loans": "gb18030"}


def test_utf8_bom_header_is_recognised(tmp_path):
    folder = tmp_path / "b"
    basic_batch(folder, [["L1", "B1", "p", "10.00", "2024-01-01", "2025-01-01", "credit"]])
    raw = (folder / "loans.csv").read_bytes()
    (folder / "loans.csv").write_bytes(b"\xef\xbb\xbf" + raw)
    write_manifest(folder, files={"borrowers": "borrowers.csv", "loans": "loans.csv"})
    con = load_all(tmp_path)
    assert con.execute("select loan_id from raw.loans").fetchall() == [("L1",)]
    assert con.execute("select encoding from raw.load_log where entity = 'loans'").fetchone() == \
        ("utf-8-sig",)


def test_every_record_is_loaded_rejected_or_skipped(tmp_path):
    folder = tmp_path / "b"
    rows = [
        ["L1", "B1", "p", "100.10", "2024-01-01", "2025-01-01", "credit"],      # loaded
        ["L2", "B9", "p", "100.00", "2024-01-01", "2025-01-01", "credit"],      # unknown borrower
        ["L3", "B1", "p", "100.001", "2024-01-01", "2025-01-01", "credit"],     # 3 decimals
        ["L4", "B1", "p", "-1.00", "2024-01-01", "2025-01-01", "credit"],       # negative
        ["L5", "B1", "p", "5.00", "2024-13-01", "2025-01-01", "credit"],        # bad date
        ["L6", "B1", "p", "5.00", "2024-01-01", "2023-01-01", "credit"],        # maturity first
        ["L7", "B1", "p", "5.00", "2024-01-01", "2025-01-01", "lien"],          # unknown code
        ["", "B1", "p", "5.00", "2024-01-01", "2025-01-01", "credit"],          # no id
        ["L8", "B1", "p", "5.00", "2024-01-01", "2025-01-01", "credit", "x"],   # extra field
        ["L9", "B2", "p", "0.20", "2024-01-01", "2025-01-01", "信用"],          # duplicate key:
        ["L9", "B2", "p", "0.30", "2024-01-01", "2025-01-01", "credit"],        # both quarantined
        [],                                                                     # blank
        LOAN_HEADER,                                                            # repeated header
        ["合计", "", "", "999", "", "", ""],                                    # totals line
    ]
    basic_batch(folder, rows)
    con = load_all(tmp_path)
    log = con.execute("select data_lines, loaded_rows, rejected_rows, skipped_rows "
                      "from raw.load_log where entity = 'loans'").fetchone()
    assert log == (14, 1, 10, 3)
    assert log[0] == independent_record_count(folder / "loans.csv", "utf-8")
    rejects = con.execute("""
        select line_number, column_name, rule from raw.rejects where entity = 'loans'
        order by line_number, column_name""").fetchall()
    assert rejects == [
        (3, "borrower_id", "references_borrowers"),
        (4, "contract_amount", "type"),
        (5, "contract_amount", "nonnegative"),
        (6, "disbursement_date", "type"),
        (7, "maturity_date", "maturity_after_disbursement"),
        (8, "guarantee_type", "type"),
        (9, "loan_id", "required"),
        (10, None, "field_count"),
        (11, "loan_id", "unique_key"),
        (12, "loan_id", "unique_key"),
    ]
    duplicates = con.execute("select line_number, reason from raw.rejects "
                             "where rule = 'unique_key' order by 1").fetchall()
    assert duplicates == [(11, "duplicate key L9 (lines 11, 12)"),
                          (12, "duplicate key L9 (lines 11, 12)")]
    reason = con.execute("select reason, source_file from raw.rejects where line_number = 4 "
                         "and entity = 'loans'").fetchone()
    assert reason == ("contract_amount must be a decimal number with at most 2 decimal places "
                      "and 16 digits before the point",
                      "b/loans.csv")
    skipped = con.execute("select line_number, reason from raw.skipped order by 1").fetchall()
    assert skipped == [(13, "blank line"), (14, "repeated header"), (15, "totals line")]
    assert con.execute("select loan_id, contract_amount from raw.loans").fetchall() == \
        [("L1", Decimal("100.10"))]


def test_a_date_that_does_not_exist_is_named_as_such(tmp_path):
    """A cell in a date's form naming no real day says which part does not exist; other text
    keeps the form's reason. Both sides of each month's end: the last day loads."""
    folder = tmp_path / "b"
    dates = ["2018-02-28", "2018-02-29", "2020-02-29", "2020/2/30", "20180431", "20180430",
             "2018年4月31日", "2018-13-01", "2018-00-10", "2018-01-00", "2018-1-x", "30.02.2018"]
    rows = [[f"L{i}", "B1", "p", "5.00", d, "2030-01-01", "credit"] for i, d in enumerate(dates)]
    basic_batch(folder, rows)
    con = load_all(tmp_path)
    loaded = con.execute("select disbursement_date from raw.loans order by 1").fetchall()
    assert loaded == [(dt.date(2018, 2, 28),), (dt.date(2018, 4, 30),), (dt.date(2020, 2, 29),)]
    reasons = con.execute("select raw_value, reason from raw.rejects "
                          "where entity = 'loans' order by line_number").fetchall()
    form = ("disbursement_date must be a date YYYY-MM-DD (or YYYY/MM/DD, YYYYMMDD, "
            "YYYY年M月D日, an Excel day number)")
    assert reasons == [
        ("2018-02-29", "disbursement_date: 2018-02-29 is not a date: 2018-02 has 28 days"),
        ("2020/2/30", "disbursement_date: 2020/2/30 is not a date: 2020-02 has 29 days"),
        ("20180431", "disbursement_date: 20180431 is not a date: 2018-04 has 30 days"),
        ("2018年4月31日", "disbursement_date: 2018年4月31日 is not a date: 2018-04 has 30 days"),
        ("2018-13-01", "disbursement_date: 2018-13-01 is not a date: there is no month 13"),
        ("2018-00-10", "disbursement_date: 2018-00-10 is not a date: there is no month 0"),
        ("2018-01-00", "disbursement_date: 2018-01-00 is not a date: 2018-01 has 31 days"),
        ("2018-1-x", form),
        ("30.02.2018", form),
    ]


def test_a_repeated_composite_key_is_quarantined_when_no_other_row_is_broken(tmp_path):
    """With no other broken row the duplicate check runs without the anti-join on rejects:
    both copies of a repeated (loan_id, installment_no) are still quarantined, with their lines,
    the other rows load, and the records reconcile."""
    folder = tmp_path / "b"
    basic_batch(folder, [["L1", "B1", "p", "100.00", "2024-01-01", "2025-01-01", "credit"],
                         ["L2", "B2", "p", "60.00", "2024-01-01", "2025-01-01", "credit"]])
    write_csv(folder / "repayment_schedule.csv",
              ["loan_id", "installment_no", "due_date", "principal_due", "interest_due"],
              [["L1", "1", "2024-02-01", "50.00", "1.00"],
               ["L1", "2", "2024-03-01", "25.00", "0.50"],
               ["L2", "1", "2024-02-01", "60.00", "0.60"],
               ["L1", "2", "2024-03-01", "25.00", "0.40"],
               ["L1", "3", "2024-04-01", "25.00", "0.25"]])
    write_manifest(folder, files={"borrowers": "borrowers.csv", "loans": "loans.csv",
                                  "repayment_schedule": "repayment_schedule.csv"})
    con = load_all(tmp_path)
    rejects = con.execute("""
        select line_number, column_name, rule, reason, raw_value from raw.rejects
        where entity = 'repayment_schedule' order by line_number""").fetchall()
    assert rejects == [(3, "loan_id", "unique_key", "duplicate key L1|2 (lines 3, 5)", "L1"),
                       (5, "loan_id", "unique_key", "duplicate key L1|2 (lines 3, 5)", "L1")]
    loaded = con.execute("select loan_id, installment_no from raw.repayment_schedule "
                         "order by all").fetchall()
    assert loaded == [("L1", 1), ("L1", 3), ("L2", 1)]
    log = con.execute("select data_lines, loaded_rows, rejected_rows, skipped_rows "
                      "from raw.load_log where entity = 'repayment_schedule'").fetchone()
    assert log == (5, 3, 2, 0)
    assert log[0] == independent_record_count(folder / "repayment_schedule.csv", "utf-8")


def test_loading_the_same_batch_twice_changes_nothing(tmp_path):
    basic_batch(tmp_path / "b", [["L1", "B1", "p", "1.00", "2024-01-01", "2025-01-01", "credit"],
                                 ["L2", "B9", "p", "1.00", "2024-01-01", "2025-01-01", "credit"]])
    con = duckdb.connect()
    load.ensure_raw_schema(con)
    plans = load.plan_batches(tmp_path)
    counts = []
    for _ in range(2):
        load.register_batches(con, plans)
        for plan in plans:
            load.load_batch(con, plan)
        counts.append(con.execute(
            "select (select count(*) from raw.loans), (select count(*) from raw.rejects), "
            "(select count(*) from raw.load_log), (select count(*) from raw.batches)").fetchone())
    assert counts[0] == counts[1] == (1, 1, 2, 1)


def test_xlsx_and_parquet_amounts_stay_exact(tmp_path):
    folder = tmp_path / "b"
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(BORROWER_HEADER)
    ws.append(["B1", "甲", "corporate"])
    book.save(folder.mkdir(parents=True) or folder / "borrowers.xlsx")
    table = pa.table({
        "loan_id": ["L1", "L2"], "borrower_id": ["B1", "B1"], "product": ["p", "p"],
        "contract_amount": pa.array([Decimal("0.10"), Decimal("12345678901234.99")],
                                    type=pa.decimal128(20, 2)),
        "disbursement_date": pa.array([dt.date(2024, 1, 1)] * 2),
        "maturity_date": pa.array([dt.date(2025, 1, 1)] * 2),
        "guarantee_type": ["credit", "pledge"],
    })
    pq.write_table(table, folder / "loans.parquet")
    write_manifest(folder, files={"borrowers": "borrowers.xlsx", "loans": "loans.parquet"})
    con = load_all(tmp_path)
    assert con.execute("select sum(contract_amount) from raw.loans").fetchone()[0] == \
        Decimal("12345678901235.09")
    assert con.execute("select count(*) from raw.borrowers").fetchone()[0] == 1


def test_money_is_a_64_bit_decimal_with_16_digits_before_the_point(tmp_path):
    """Raw amounts are DECIMAL(18,2) (DuckDB sums 128-bit decimals about a hundred times slower):
    the largest amount loads exact, one digit more is quarantined, and the sum of the loaded ones
    is exact."""
    basic_batch(tmp_path / "b", [
        ["L1", "B1", "p", "9999999999999999.99", "2024-01-01", "2025-01-01", "credit"],
        ["L2", "B1", "p", "10000000000000000.00", "2024-01-01", "2025-01-01", "credit"],
        ["L3", "B1", "p", "0.01", "2024-01-01", "2025-01-01", "credit"],
    ])
    con = load_all(tmp_path)
    assert con.execute("select data_type from information_schema.columns where table_schema = "
                       "'raw' and table_name = 'loans' and column_name = 'contract_amount'"
                       ).fetchone()[0] == "DECIMAL(18,2)"
    assert con.execute("select loan_id, contract_amount from raw.loans order by 1").fetchall() == \
        [("L1", Decimal("9999999999999999.99")), ("L3", Decimal("0.01"))]
    assert con.execute("select sum(contract_amount) from raw.loans").fetchone()[0] == \
        Decimal("10000000000000000.00")
    assert con.execute("select line_number, column_name, rule from raw.rejects").fetchall() == \
        [(3, "contract_amount", "type")]


def test_xlsx_float_cells_keep_their_decimal(tmp_path):
    folder = tmp_path / "b"
    folder.mkdir()
    write_csv(folder / "borrowers.csv", BORROWER_HEADER, [["B1", "甲", "corporate"]])
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(LOAN_HEADER)
    ws.append(["L1", "B1", "p", 0.1, dt.datetime(2024, 1, 31), dt.datetime(2025, 1, 31), "credit"])
    ws.append(["L2", "B1", "p", 1234567.89, dt.datetime(2024, 2, 29), dt.datetime(2025, 2, 28),
               "credit"])
    book.save(folder / "loans.xlsx")
    write_manifest(folder, files={"borrowers": "borrowers.csv", "loans": "loans.xlsx"})
    con = load_all(tmp_path)
    assert con.execute("select contract_amount, disbursement_date from raw.loans order by 1") \
        .fetchall() == [(Decimal("0.10"), dt.date(2024, 1, 31)),
                        (Decimal("1234567.89"), dt.date(2024, 2, 29))]


def test_missing_required_column_names_file_line_and_column(tmp_path):
    folder = tmp_path / "b"
    write_csv(folder / "borrowers.csv", ["borrower_id", "borrower_type"], [["B1", "retail"]])
    write_manifest(folder, files={"borrowers": "borrowers.csv"})
    with pytest.raises(LandingFileError) as err:
        load_all(tmp_path)
    message = str(err.value)
    assert "borrowers.csv" in message and "line 1" in message and "borrower_name" in message
    assert "借款人名称" in message


def test_undecodable_bytes_name_the_file_and_line(tmp_path):
    folder = tmp_path / "b"
    folder.mkdir()
    (folder / "borrowers.csv").write_bytes(
        b"borrower_id,borrower_name,borrower_type\nB1,ok,retail\nB2,\xff\xfe\xff,retail\n")
    write_manifest(folder, files={"borrowers": "borrowers.csv"})
    with pytest.raises(LandingFileError) as err:
        load_all(tmp_path)
    assert "borrowers.csv" in str(err.value) and "line 3" in str(err.value)


def test_later_delivery_supersedes_and_as_of_selects(tmp_path):
    loan = [["L1", "B1", "p", "1.00", "2024-01-01", "2025-01-01", "credit"]]
    basic_batch(tmp_path / "first", loan, delivered_at="2024-07-01T08:00:00+08:00")
    basic_batch(tmp_path / "second", loan + [["L2", "B1", "p", "2.00", "2024-01-01",
                                              "2025-01-01", "credit"]],
                delivered_at="2024-07-02T08:00:00+08:00")
    basic_batch(tmp_path / "older", loan, as_of="2024-05-31")
    plans = {p.manifest.folder.name: p for p in load.plan_batches(tmp_path)}
    assert plans["first"].status == "superseded"
    assert plans["first"].superseded_by == plans["second"].batch_id
    assert plans["second"].status == "published"
    assert plans["older"].status == "published"
    selected = {p.manifest.folder.name: p.status
                for p in load.plan_batches(tmp_path, {dt.date(2024, 5, 31)})}
    assert selected == {"first": "superseded", "second": "not_selected", "older": "published"}
    con = load_all(tmp_path)
    assert con.execute("select count(*) from raw.loans").fetchone()[0] == 3  # 2 + 1


def test_manifest_must_account_for_every_entity(tmp_path):
    folder = basic_batch(tmp_path / "b", [])
    text = (folder / "manifest.yaml").read_text(encoding="utf-8")
    (folder / "manifest.yaml").write_text(text.replace("  collateral: not part of this test\n",
                                                       ""), encoding="utf-8")
    with pytest.raises(ManifestError, match="'collateral' is neither listed"):
        read_manifest(folder)


def test_incomplete_batch_is_recorded_not_loaded_and_holds_up_no_other(tmp_path):
    basic_batch(tmp_path / "done", [["L1", "B1", "p", "1.00", "2024-01-01", "2025-01-01",
                                     "credit"]])
    folder = basic_batch(tmp_path / "copying", [["L9", "B1", "p", "1.00", "2024-01-01",
                                                 "2025-01-01", "credit"]], portfolio_id="other")
    with (folder / "loans.csv").open("a", encoding="utf-8") as fh:
        fh.write("L10,B1,p,1.00,2024-01-01,2025-01-01,credit\n")
    plans = {p.manifest.folder.name: p for p in load.plan_batches(tmp_path)}
    assert plans["done"].status == "published"
    assert plans["copying"].status == "incomplete"
    assert "loans.csv" in plans["copying"].reason and "manifest says" in plans["copying"].reason
    con = load_all(tmp_path)
    assert con.execute("select loan_id from raw.loans").fetchall() == [("L1",)]
    assert con.execute("select batch_status, status_reason like '%loans.csv%' from raw.batches "
                       "where portfolio_id = 'other'").fetchone() == ("incomplete", True)


def test_no_complete_batch_at_all_is_an_error(tmp_path):
    folder = basic_batch(tmp_path / "b", [["L1", "B1", "p", "1.00", "2024-01-01", "2025-01-01",
                                           "credit"]])
    (folder / "loans.csv").unlink()
    with pytest.raises(ManifestError, match="no complete batch.*loans.csv.*not present"):
        load.plan_batches(tmp_path)
