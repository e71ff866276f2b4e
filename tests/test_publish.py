"""Masking personal data for the separately published copy."""

from __future__ import annotations

from decimal import Decimal

import duckdb

from postloan.publish import copy_masked


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
