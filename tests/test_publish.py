"""Masking personal data for the separately published copy."""

from __future__ import annotations

import duckdb

from postloan.publish import mask_personal_data


def test_mask_names_ids_and_rejected_raw_records():
    con = duckdb.connect()
    con.execute("create schema raw")
    con.execute("create table raw.borrowers (borrower_id varchar, borrower_name varchar, "
                "id_number varchar)")
    con.execute("insert into raw.borrowers values ('B1', '张三', '110101199003071234'), "
                "('B2', 'Acme Ltd', null), ('B3', 'X', 'AB')")
    con.execute("create table raw.rejects (entity varchar, column_name varchar, raw_value varchar,"
                " raw_record varchar)")
    con.execute("""insert into raw.rejects values ('borrowers', 'borrower_name', '李四',
                   '{"borrower_id":"B9","borrower_name":"李四","borrower_type":"x"}')""")
    con.execute("create view v as select borrower_name from raw.borrowers")
    assert mask_personal_data(con) == 5
    assert con.execute("select borrower_name, id_number from raw.borrowers order by 1").fetchall() \
        == [("A*******", None), ("X*", "*AB"), ("张*", "**************1234")]
    raw_value, record = con.execute("select raw_value, raw_record from raw.rejects").fetchone()
    assert raw_value == "***"
    assert "李四" not in record and '"borrower_id":"B9"' in record
    assert con.execute("select count(*) from v where borrower_name like '%*%'").fetchone()[0] == 3
