"""Masking personal data for the separately published copy; a failed build's rejects."""

from __future__ import annotations

import csv
from decimal import Decimal

import duckdb
import pytest

from postloan import personal
from postloan.landing import load
from postloan.landing.load import ensure_raw_schema
from postloan.publish import build_path, copy_masked, prepare_masked_copy, save_failed_rejects
from tests.helpers import write_csv, write_manifest


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


def _build_with_side_file(tmp_path):
    """A build file loaded the way a build loads it (the originals in their side file), with a
    model-like table that carries the names on, and a rejected borrower row."""

    folder = tmp_path / "landing" / "demo" / "2024-06-30"
    write_csv(folder / "borrowers.csv", ["borrower_id", "borrower_name", "id_number",
                                         "borrower_type"],
              [["B1", "张三丰", "110101199003071234", "retail"],
               ["B2", "Acme Trading Co", "91310000MA1FL0XX1X", "corporate"],
               ["B3", "李四光", "110101198001011111", "no such type"],
               ["B4", "", "", "retail"],
               ["B5", "赵六", "有限公司", "110101199001015555", "retail"],  # a comma in the name
               ["合计", "钱七", "", ""]])
    write_manifest(folder, files={"borrowers": "borrowers.csv"})
    build = tmp_path / ".postloan.build-abcdef12.duckdb"
    con = duckdb.connect(str(build))
    load.ensure_raw_schema(con)
    personal.attach(con, personal.personal_path(build))
    plans = load.plan_batches(tmp_path / "landing")
    load.register_batches(con, plans)
    load.load_batch(con, plans[0])
    con.execute(f"detach {personal.ALIAS}")
    con.execute("create schema reporting")
    con.execute("create table reporting.named as select batch_id, borrower_id, borrower_name "
                "from raw.borrowers")
    con.execute("create schema if not exists meta")
    con.execute("create table meta.build_info (build_id varchar, published_copy varchar)")
    con.execute("insert into meta.build_info values ('abcdef12', 'full')")
    con.close()
    return build


ORIGINALS = ("张三丰", "110101199003071234", "Acme Trading Co", "91310000MA1FL0XX1X", "李四光",
             "110101198001011111", "赵六", "有限公司", "110101199001015555", "钱七")


def test_the_masked_copy_is_the_build_file_and_the_full_copy_gets_the_originals_back(tmp_path):
    build = _build_with_side_file(tmp_path)
    # The build file never held an original; the rejected row's record is masked too.
    data = build.read_bytes()
    assert [o for o in ORIGINALS if o.encode() in data] == []
    assert "张三丰".encode() in personal.personal_path(build).read_bytes()
    assert personal.personal_path(build).stat().st_mode & 0o777 == 0o640
    seconds: dict[str, float] = {}
    staging = prepare_masked_copy(build, seconds)
    assert set(seconds) == {"checkpoint", "masked_copy", "restore_personal"}
    assert not personal.personal_path(build).exists()
    assert [o for o in ORIGINALS if o.encode() in staging.read_bytes()] == []
    # The full copy is for its owner and group only before it holds an original again.
    assert build.stat().st_mode & 0o777 == 0o640
    masked = duckdb.connect(str(staging), read_only=True)
    full = duckdb.connect(str(build), read_only=True)
    query = "select borrower_id, borrower_name, id_number from raw.borrowers order by 1"
    assert masked.execute(query).fetchall() == [
        ("B1", "张**", "**************1234"), ("B2", "A**************", "**************XX1X")]
    assert full.execute(query).fetchall() == [("B1", "张三丰", "110101199003071234"),
                                              ("B2", "Acme Trading Co", "91310000MA1FL0XX1X")]
    named = "select borrower_name from reporting.named order by borrower_id"
    assert masked.execute(named).fetchall() == [("张**",), ("A**************",)]
    assert full.execute(named).fetchall() == [("张三丰",), ("Acme Trading Co",)]
    assert masked.execute("select published_copy from meta.build_info").fetchone() == ("masked",)
    assert full.execute("select published_copy from meta.build_info").fetchone() == ("full",)
    # A quarantined row keeps its personal fields as *** in both copies; a missing name stays
    # visibly missing.
    for con in (masked, full):
        (b3, b4, b5) = con.execute("select column_name, rule, raw_value, raw_record "
                                   "from raw.rejects order by line_number").fetchall()
        assert b3[:3] == ("borrower_type", "type", "no such type")
        assert b3[3] == ('{"borrower_id":"B3","borrower_name":"***","id_number":"***",'
                         '"borrower_type":"no such type"') + b3[3][b3[3].index(',"group_id"'):]
        assert b4[:3] == ("borrower_name", "required", "")
        assert '"borrower_name":""' in b4[3] and '"id_number":""' in b4[3]
        # A record with more fields than the header: every cell from the name on.
        assert b5 == (None, "field_count", None, '["B5", "***", "***", "***", "***"]')
        assert con.execute("select reason, raw_record from raw.skipped").fetchall() == [
            ("totals line", '["合计", "***", "", ""]')]


def test_publication_refuses_an_original_in_the_build_or_a_name_it_cannot_restore(tmp_path):
    build = _build_with_side_file(tmp_path)
    con = duckdb.connect(str(build))
    con.execute("update raw.borrowers set borrower_name = '张三丰' where borrower_id = 'B1'")
    con.close()
    with pytest.raises(RuntimeError, match=r"raw\.borrowers\.borrower_name: 1 rows"):
        prepare_masked_copy(build)
    assert not build.with_name(build.stem + ".masked.duckdb").exists()

    build = _build_with_side_file(tmp_path / "rejects")
    con = duckdb.connect(str(build))
    con.execute("""update raw.rejects set raw_record = json_merge_patch(raw_record,
                   '{"id_number": "110101198001011111"}') where line_number = 4""")
    con.close()
    with pytest.raises(RuntimeError, match=r"raw\.rejects\.id_number: 1 rows"):
        prepare_masked_copy(build)

    build = _build_with_side_file(tmp_path / "kept_whole")
    con = duckdb.connect(str(build))
    con.execute("""update raw.rejects set raw_record = '["B5", "赵六", "***"]'
                   where rule = 'field_count'""")
    con.close()
    with pytest.raises(RuntimeError, match=r"raw\.rejects\.raw_record \(a record kept whole\): "
                                           r"1 rows"):
        prepare_masked_copy(build)

    build = _build_with_side_file(tmp_path / "lost")
    personal.personal_path(build).unlink()
    with pytest.raises(RuntimeError, match=r"personal originals kept in "
                                           r"\.postloan\.build-abcdef12\.personal\.duckdb, "
                                           r"which is missing"):
        prepare_masked_copy(build)

    build = _build_with_side_file(tmp_path / "second")
    con = duckdb.connect(str(build))
    con.execute("create table reporting.no_keys as select borrower_name from raw.borrowers")
    con.close()
    with pytest.raises(RuntimeError, match=r"reporting\.no_keys carries the personal column\(s\) "
                                           r"borrower_name but not batch_id"):
        prepare_masked_copy(build)


def test_a_record_kept_whole_keeps_no_cell_when_the_name_comes_first(tmp_path):
    folder = tmp_path / "landing" / "demo" / "2024-06-30"
    write_csv(folder / "borrowers.csv", ["borrower_name", "borrower_id", "borrower_type"],
              [["孙八", "B1", "retail"], ["周九", "B2", "retail", "one more"]])
    write_manifest(folder, files={"borrowers": "borrowers.csv"})
    con = duckdb.connect()
    load.ensure_raw_schema(con)
    personal.attach(con, tmp_path / "side.duckdb")
    plans = load.plan_batches(tmp_path / "landing")
    load.register_batches(con, plans)
    load.load_batch(con, plans[0])
    assert con.execute("select rule, raw_record from raw.rejects").fetchall() == [
        ("field_count", '["***", "***", "***", "***"]')]
    assert con.execute("select borrower_name from raw.borrowers").fetchall() == [("孙*",)]
    assert personal.unrestorable(con) == []
