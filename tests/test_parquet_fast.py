"""The Parquet fast path loads exactly what the general path loads, and knows when to step aside.

Each case loads the same batch twice, once as delivered and once with the fast path switched off,
and compares every raw table, reject, skipped line and load-log figure.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from postloan.generate import DEFAULT_AS_OF, generate
from postloan.landing import load, parquet_fast
from tests.helpers import write_csv, write_manifest

TABLES = ("borrowers", "loans", "repayment_schedule", "payments", "loan_events", "collateral",
          "guarantees", "industry_limits", "rejects", "skipped")


def load_all(landing: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    load.ensure_raw_schema(con)
    plans = load.plan_batches(landing)
    load.register_batches(con, plans)
    for plan in plans:
        load.load_batch(con, plan)
    return con


def snapshot(con: duckdb.DuckDBPyConnection) -> dict:
    out = {t: con.execute(f"select * from raw.{t} order by all").fetchall() for t in TABLES}
    out["load_log"] = con.execute(
        "select * exclude (seconds) from raw.load_log order by all").fetchall()
    return out


def both_paths(landing: Path, monkeypatch) -> tuple[dict, dict, list[str]]:
    calls: list[str] = []
    real = parquet_fast.text_batches

    def counting(path, *args):
        calls.append(Path(path).name)
        yield from real(path, *args)

    monkeypatch.setattr(parquet_fast, "text_batches", counting)
    fast = snapshot(load_all(landing))

    def general(path, *args):
        raise parquet_fast.NotFast("switched off for the comparison")
        yield  # pragma: no cover

    monkeypatch.setattr(parquet_fast, "text_batches", general)
    return fast, snapshot(load_all(landing)), calls


def test_generated_bank_loads_the_same_both_ways(tmp_path, monkeypatch):
    generate("XS", 7, tmp_path, (DEFAULT_AS_OF,), fmt="parquet", reference=False)
    fast, general, calls = both_paths(tmp_path, monkeypatch)
    assert fast == general
    assert len(fast["repayment_schedule"]) > 10_000 and fast["rejects"] == []
    assert sorted(calls) == sorted(f"{t}.parquet" for t in TABLES[:8])


def edge_batch(folder: Path, extra_row: dict | None = None, amount_type=None) -> None:
    write_csv(folder / "borrowers.csv", ["borrower_id", "borrower_name", "borrower_type"],
              [["B1", "甲", "sme"]])
    rows = [
        {"loan_id": "L1", "borrower_id": "B1", "product": " p ", "contract_amount": "100.10",
         "disbursement_date": dt.date(2024, 1, 1), "maturity_date": dt.date(2025, 1, 1),
         "guarantee_type": "信用", "is_credit_impaired": True},
        {"loan_id": "L2", "borrower_id": "B9", "product": "p", "contract_amount": "-1.50",
         "disbursement_date": dt.date(2024, 1, 1), "maturity_date": dt.date(2023, 1, 1),
         "guarantee_type": "lien", "is_credit_impaired": None},
        {"loan_id": None, "borrower_id": "B1", "product": "p", "contract_amount": None,
         "disbursement_date": None, "maturity_date": dt.date(2025, 1, 1),
         "guarantee_type": "credit", "is_credit_impaired": False},
        {"loan_id": "L1", "borrower_id": "B1", "product": "p", "contract_amount": "0.00",
         "disbursement_date": dt.date(2024, 1, 1), "maturity_date": dt.date(2025, 1, 1),
         "guarantee_type": "credit", "is_credit_impaired": False},
    ] + ([extra_row] if extra_row else [])
    schema = pa.schema([
        ("贷款编号", pa.string()), ("borrower_id", pa.large_string()), ("product", pa.string()),
        ("contract_amount", amount_type or pa.decimal128(12, 2)),
        ("disbursement_date", pa.date32()), ("maturity_date", pa.date32()),
        ("guarantee_type", pa.string()), ("is_credit_impaired", pa.bool_()),
        ("term_months", pa.int16()),
    ])
    columns = {
        name: [(Decimal(r[key]) if r[key] is not None and pa.types.is_decimal(typ)
                else float(r[key]) if r[key] is not None and pa.types.is_floating(typ)
                else r[key]) for r in rows]
        for (name, typ), key in zip(
            [(f.name, f.type) for f in schema][:8],
            ["loan_id", "borrower_id", "product", "contract_amount", "disbursement_date",
             "maturity_date", "guarantee_type", "is_credit_impaired"], strict=True)}
    # The extra row has no term either (an unknown column still counts for a blank line).
    columns["term_months"] = [12] * (len(rows) - 1) + [None if extra_row else 12]
    pq.write_table(pa.table(columns, schema=schema), folder / "loans.parquet")
    write_manifest(folder, files={"borrowers": "borrowers.csv", "loans": "loans.parquet"})


def test_edge_cases_load_the_same_both_ways(tmp_path, monkeypatch):
    edge_batch(tmp_path / "b")
    fast, general, calls = both_paths(tmp_path, monkeypatch)
    assert fast == general
    assert calls == ["loans.parquet"]
    rules = sorted({(r[3], r[4], r[5]) for r in fast["rejects"]})
    assert rules == [
        # Line 3's unknown borrower is not reported: references are checked on otherwise
        # valid rows only.
        (2, "loan_id", "unique_key"), (3, "contract_amount", "nonnegative"),
        (3, "guarantee_type", "type"),
        (3, "maturity_date", "maturity_after_disbursement"),
        (4, "contract_amount", "required"), (4, "disbursement_date", "required"),
        (4, "loan_id", "required"), (5, "loan_id", "unique_key")]
    assert fast["loans"] == []  # L1 twice: both copies quarantined
    log = [r for r in fast["load_log"] if r[1] == "loans"][0]
    assert log[3:7] == ("parquet", 4, 0, 4) and log[7] == 0


@pytest.mark.parametrize("extra_row, amount_type, skipped", [
    ({"loan_id": "合计", "borrower_id": None, "product": None, "contract_amount": "99.00",
      "disbursement_date": None, "maturity_date": None, "guarantee_type": None,
      "is_credit_impaired": None}, None, ["totals line"]),
    # Its first cell is the first header name, so the fast path steps aside; the general path
    # finds the other cells are not the header (the amount is empty) and loads it as a record.
    ({"loan_id": " 贷款 编号", "borrower_id": "borrower_id", "product": "product",
      "contract_amount": None, "disbursement_date": None, "maturity_date": None,
      "guarantee_type": "guarantee_type", "is_credit_impaired": None}, None, []),
    (None, pa.float64(), []),
    # Every cell empty, the native ones too: a blank line.
    ({"loan_id": " ", "borrower_id": None, "product": "", "contract_amount": None,
      "disbursement_date": None, "maturity_date": None, "guarantee_type": None,
      "is_credit_impaired": None}, None, ["blank line"]),
])
def test_the_general_path_takes_what_the_fast_one_cannot(tmp_path, monkeypatch, extra_row,
                                                          amount_type, skipped):
    edge_batch(tmp_path / "b", extra_row, amount_type)
    real = parquet_fast.text_batches
    stepped_aside = []

    def watching(path, *args):
        try:
            yield from real(path, *args)
        except parquet_fast.NotFast as exc:
            stepped_aside.append(str(exc))
            raise

    monkeypatch.setattr(parquet_fast, "text_batches", watching)
    load_all(tmp_path)
    assert len(stepped_aside) == 1
    fast, general, _ = both_paths(tmp_path, monkeypatch)
    assert fast == general
    assert [r[4] for r in fast["skipped"]] == skipped


def test_the_superset_tests_read_cells_as_the_general_path_does():
    """Blank: every cell of one record empty (white space only), not empty cells spread over
    records. Header and totals: the cell once white space (and for totals colons) is removed
    and lower-cased, as ``_classify`` reads it."""
    def suspicious(ids, names, amounts):
        columns = [pa.array(ids, pa.string()), pa.array(names, pa.string()),
                   pa.array(amounts, pa.decimal128(20, 2))]
        return parquet_fast._suspicious(columns, [False, False, True], "loan_id", load.TOTAL_WORDS)

    spread = suspicious(["L1", "", "L3"], ["a", "b", "\u3000"], [Decimal("1"), Decimal("2"), None])
    assert spread is False
    assert suspicious(["L1", " ", "L3"], ["a", "\t", "c"], [Decimal("1"), None, None]) is True
    assert suspicious(["L1", "L1", "Loan_ID "], ["a", "a", "a"], [None] * 3) is True
    assert suspicious(["L1", "\u3000LOAN _ I D", "L2"], ["a", "b", "c"], [None] * 3) is True
    assert suspicious(["L1", "loan_id2", "L2"], ["a", "b", "c"], [None] * 3) is False
    assert suspicious(["L1", "L2", "L3"], ["loan_id", "b", "c"], [None] * 3) is False  # 2nd column
    assert suspicious(["L1", "L1", "L2"], ["a", "Grand Total：", "a"], [None] * 3) is True
    assert suspicious(["L1", "L1", "L2"], ["a", " 合 计: ", "a"], [None] * 3) is True
    assert suspicious(["L1", "L1", "L2"], ["a", "Grand Totals plus", "a"], [None] * 3) is False
    assert suspicious(["L1", "L1", "L2"], ["a", "summary", "a"], [None] * 3) is False


@pytest.mark.parametrize("amount_type, amount, rule", [
    # 17 digits before the point: the text path's 18-digit parse refuses it, so the cast does.
    (pa.decimal128(38, 2), "12345678901234567.00", "type"),
    (pa.decimal128(38, 2), "1234567890123456.00", None),
    # More decimal places than money has: not typed by a cast (the text path reads the text).
    (pa.decimal128(20, 4), "1.2345", "type"),
    (pa.decimal128(12, 2), "-7.00", "nonnegative"),
])
def test_typed_columns_are_cast_not_parsed(tmp_path, monkeypatch, amount_type, amount, rule):
    extra = {"loan_id": "L9", "borrower_id": "B1", "product": "p", "contract_amount": amount,
             "disbursement_date": dt.date(2024, 1, 1), "maturity_date": dt.date(2025, 1, 1),
             "guarantee_type": "credit", "is_credit_impaired": False}
    edge_batch(tmp_path / "b", extra, amount_type)
    natives = []
    real = load._check_and_insert

    def spying(con, manifest, batch_id, entity, rel, native=frozenset()):
        natives.append((entity.name, native))
        return real(con, manifest, batch_id, entity, rel, native)

    monkeypatch.setattr(load, "_check_and_insert", spying)
    fast, general, _ = both_paths(tmp_path, monkeypatch)
    assert fast == general
    loans_native = next(n for e, n in natives if e == "loans")  # the fast path ran first
    expected = {"disbursement_date", "maturity_date", "is_credit_impaired"}
    if amount_type != pa.decimal128(20, 4):
        expected.add("contract_amount")
    assert loans_native == expected
    line6 = sorted((r[4], r[5], r[7]) for r in fast["rejects"] if r[3] == 6)
    assert line6 == ([("contract_amount", rule, amount)] if rule else [])
    if rule is None:
        assert [r for r in fast["loans"] if r[0] == "L9"][0][4] == Decimal(amount)
