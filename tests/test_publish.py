"""Masking personal data for the separately published copy; a failed build's rejects."""

from __future__ import annotations

import csv
from decimal import Decimal

import duckdb

from postloan.landing.load import ensure_raw_schema
from postloan.publish import build_path, copy_masked, save_failed_rejects


def test_copy_masks_names_ids_and_rejected_raw_records(tmp_path):
    source = tmp_path / "full.duckdb"
    con = duckdb.connect(str(source))
    con.execute("create schema raw")
    con.execute("create table raw.borrowers (borrower_id varchar, borrower_name varchar, "
                "id_number varchar)")
    con.execute("insert into raw.borrowers values ('B1', '张三', '110101199003071234'), "
                "('B2', 'Acme Ltd', null), ('B3', 'X', 'AB')")
    con.execute("create table raw.rejects (entity varchar, column_name varchar, raw_value varchar,"
                " raw_record varchar)")
    con.execute("""insert into raw.rejects values ('borrowers', 'borrower_name', '李四',
                   '{"borrower_id":"B9","borrower_name":"李四","borrower_type":"x"}'),
                   ('loans', 'loan_id', 'L 1', '{"loan_id":"L 1"}')""")
    con.execute("create table raw.loans (loan_id varchar, amount decimal(18, 2))")
    con.execute("insert into raw.loans values ('L1', 12.34)")
    con.execute("create view raw.names as select borrower_name from raw.borrowers")
    con.close()

    con = duckdb.connect(str(tmp_path / "masked.duckdb"))
    con.execute(f"attach '{source}' as src (read_only)")
    assert copy_masked(con, "src", "masked") == [("raw", "borrowers", "borrower_name"),
                                                 ("raw", "borrowers", "id_number")]
    assert con.execute("select borrower_name, id_number from raw.borrowers order by 1").fetchall() \
        == [("A*******", None), ("X*", "*AB"), ("张*", "**************1234")]
    assert con.execute("select * from raw.loans").fetchall() == [("L1", Decimal("12.34"))]
    rejects = con.execute("select column_name, raw_value, raw_record from raw.rejects "
                          "order by 1").fetchall()
    assert rejects[0][1] == "***"
    assert "李四" not in rejects[0][2] and '"borrower_id":"B9"' in rejects[0][2]
    assert rejects[1][1:] == ("L 1", '{"loan_id":"L 1"}')
    # Views come across and read the masked rows.
    assert con.execute("select count(*) from raw.names where borrower_name like '%*%'"
                       ).fetchone()[0] == 3
    con.execute("detach src")
    con.close()
    assert "李四".encode() not in (tmp_path / "masked.duckdb").read_bytes()
    assert "张三".encode() not in (tmp_path / "masked.duckdb").read_bytes()


def test_a_failed_builds_rejects_are_saved_beside_the_warehouse_in_order(tmp_path):
    warehouse = tmp_path / "postloan.duckdb"
    run_id = "abcdef12-3456"
    assert save_failed_rejects(warehouse, run_id) is None  # no private file: nothing to save
    private = build_path(warehouse, run_id[:8])
    con = duckdb.connect(str(private))
    ensure_raw_schema(con)
    con.close()
    assert save_failed_rejects(warehouse, run_id) is None  # no rejects: no file
    assert list(tmp_path.glob("*.csv")) == []

    con = duckdb.connect(str(private))
    con.execute("""insert into raw.rejects values
        ('b2', 'loans', 'b2/loans.csv', 7, 'disbursement_date', 'type',
         'disbursement_date: 2018-02-30 is not a date: 2018-02 has 28 days', '2018-02-30',
         '{"loan_id":"L7","borrower_name":"张三"}'),
        ('b1', 'payments', 'b1/payments.csv', 12, 'amount', 'nonnegative',
         'amount must not be negative', '-1.00', '{"amount":"-1.00"}'),
        ('b1', 'loans', 'b1/loans.csv', 3, null, 'field_count', 'line has 9 fields, header 8',
         null, 'L3,B1,"a, b"')""")
    con.close()
    path, rows_rejected, rules = save_failed_rejects(warehouse, run_id)
    assert path == tmp_path / "postloan.rejects-abcdef12.csv" and (rows_rejected, rules) == (3, 3)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    assert path.stat().st_mode & 0o777 == 0o640
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["batch_id", "entity", "source_file", "line_number", "column_name", "rule",
                       "reason", "raw_value", "raw_record"]
    assert [(r[0], r[2], r[3], r[4]) for r in rows[1:]] == [
        ("b1", "b1/loans.csv", "3", ""), ("b1", "b1/payments.csv", "12", "amount"),
        ("b2", "b2/loans.csv", "7", "disbursement_date")]
    assert rows[1][8] == 'L3,B1,"a, b"' and rows[3][8] == '{"loan_id":"L7","borrower_name":"张三"}'
    assert sorted(p.name for p in tmp_path.iterdir()) == [".postloan.build-abcdef12.duckdb",
                                                          "postloan.rejects-abcdef12.csv"]
    # A row breaking two rules is one rejected row and two lines of the file.
    con = duckdb.connect(str(private))
    con.execute("""insert into raw.rejects values
        ('b2', 'loans', 'b2/loans.csv', 7, 'maturity_date', 'type',
         'maturity_date: 2018-13-01 is not a date: there is no month 13', '2018-13-01',
         '{"loan_id":"L7","borrower_name":"张三"}')""")
    con.close()
    path, rows_rejected, rules = save_failed_rejects(warehouse, run_id)
    assert (rows_rejected, rules) == (3, 4)
    with path.open(encoding="utf-8-sig", newline="") as fh:
        assert sum(1 for _ in csv.reader(fh)) == 1 + 4
