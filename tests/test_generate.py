"""The demonstration bank generator (`postloan generate`): contract, determinism, coherence, build.

The XS bank (300 loans) is generated once per session. Its files go through the product's own
loader (every row must load: no reject, no skipped line, control totals equal), are compared byte
for byte with a second run, and are built end to end; the build's portfolio summary must equal
the figures recomputed from the files in plain Python (tests/landing_factory.expected_figures,
which follows the domain rules in words), with written-off loans taken off the book.
"""

from __future__ import annotations

import csv
import datetime as dt
import filecmp
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
import yaml

from postloan.bench import baselines
from postloan.cli import main as cli_main
from postloan.cli import materialize_build
from postloan.generate import DEFAULT_AS_OF, generate, portfolio_id
from postloan.generate.bank import SIZES
from postloan.landing.contract import ENTITY_BY_NAME
from postloan.landing.load import ensure_raw_schema, load_batch, plan_batches, register_batches
from postloan.paths import SOURCES_DIR
from tests.landing_factory import expected_figures

NEXT_DAY = DEFAULT_AS_OF + dt.timedelta(days=1)
GBT = SOURCES_DIR / "industry_reference" / "gbt4754_2017_industry_classification.csv"


@pytest.fixture(scope="session")
def xs(tmp_path_factory) -> Path:
    """The XS bank as of DEFAULT_AS_OF and the day after, with the industry reference."""
    out = tmp_path_factory.mktemp("xs")
    generate("XS", 7, out, (DEFAULT_AS_OF, NEXT_DAY))
    return out


def batch(root: Path, day: dt.date = DEFAULT_AS_OF) -> Path:
    return root / portfolio_id("XS") / day.isoformat()


def rows(folder: Path, entity: str) -> list[dict[str, str]]:
    with (folder / f"{entity}.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_sizes_are_the_issue_sizes():
    assert SIZES == {"XS": 300, "S": 20_000, "M": 100_000, "L": 1_000_000}


def test_files_follow_the_landing_contract(xs):
    """Every file of both snapshots loads through the product's loader without a reject."""
    con = duckdb.connect()
    ensure_raw_schema(con)
    plans = [p for p in plan_batches(xs) if p.manifest.portfolio_id == portfolio_id("XS")]
    assert [p.manifest.as_of for p in plans] == [DEFAULT_AS_OF, NEXT_DAY]
    register_batches(con, plans)
    for plan in plans:
        manifest = plan.manifest
        assert (manifest.provenance, manifest.capital_provenance, manifest.currency) == (
            "synthetic", "synthetic", "CNY")
        assert set(manifest.files) == {"borrowers", "loans", "repayment_schedule", "payments",
                                       "loan_events", "collateral", "guarantees",
                                       "industry_limits"}
        results = load_batch(con, plan)
        assert len(results) == 8
        for r in results:
            assert (r.rejected, r.skipped, r.unknown_columns) == (0, 0, []), r
            assert r.loaded == r.data_lines == r.control_rows > 0, r
            assert r.control_sums == {k: v for k, v in r.file_sums.items()
                                      if k in r.control_sums}, r
            assert set(r.file_sums) - set(r.control_sums) <= {"undrawn_amount", "ecl_amount"}
        for entity in manifest.files:
            header = (manifest.folder / f"{entity}.csv").read_text(encoding="utf-8").split(
                "\n", 1)[0]
            assert header.split(",") == list(ENTITY_BY_NAME[entity].column_names)
            assert con.execute(
                f"select distinct provenance from raw.{entity} where batch_id = ?",
                [plan.batch_id]).fetchall() == [("synthetic",)]
    assert con.execute("select count(*) from raw.rejects").fetchone() == (0,)


def test_same_seed_same_bytes(xs, tmp_path):
    again = tmp_path / "again"
    generate("XS", 7, again, (DEFAULT_AS_OF,), reference=False)
    # The as-of batch is the same whether or not the next day was asked for too.
    names = sorted(p.name for p in batch(xs).iterdir())
    assert names == sorted(p.name for p in batch(again).iterdir())
    match, mismatch, errors = filecmp.cmpfiles(batch(xs), batch(again), names, shallow=False)
    assert (mismatch, errors) == ([], [])
    other = tmp_path / "other"
    generate("XS", 8, other, (DEFAULT_AS_OF,), reference=False)
    assert (batch(other) / "loans.csv").read_bytes() != (batch(xs) / "loans.csv").read_bytes()


def test_parquet_holds_the_same_rows(xs, tmp_path):
    generate("XS", 7, tmp_path, (DEFAULT_AS_OF,), fmt="parquet", reference=False)
    folder = batch(tmp_path)
    con = duckdb.connect()
    for entity in ("loans", "repayment_schedule", "payments", "loan_events"):
        from_csv = con.execute(
            "select * from read_csv(?, all_varchar = true) order by all",
            [str(batch(xs) / f"{entity}.csv")]).fetchall()
        from_parquet = con.execute(
            "select columns(*)::varchar from read_parquet(?) order by all",
            [str(folder / f"{entity}.parquet")]).fetchall()
        assert from_parquet == from_csv, entity


def test_the_next_day_adds_that_day_only(xs):
    """The second snapshot differs from the first by payments and events dated the next day."""
    first, second = batch(xs), batch(xs, NEXT_DAY)
    for entity, date_column in (("payments", "payment_date"), ("loan_events", "event_date")):
        before = {r[f"{entity[:-1]}_id" if entity == "payments" else "event_id"]: r
                  for r in rows(first, entity)}
        after = {r[f"{entity[:-1]}_id" if entity == "payments" else "event_id"]: r
                 for r in rows(second, entity)}
        assert set(before) <= set(after)
        added = {after[k][date_column] for k in set(after) - set(before)}
        assert added <= {NEXT_DAY.isoformat()}
    assert rows(first, "repayment_schedule") == [
        r for r in rows(second, "repayment_schedule")
        if r["loan_id"] in {x["loan_id"] for x in rows(first, "loans")}]


def test_the_bank_is_coherent(xs):
    folder = batch(xs)
    loans = {r["loan_id"]: r for r in rows(folder, "loans")}
    schedule = defaultdict(list)
    for r in rows(folder, "repayment_schedule"):
        schedule[r["loan_id"]].append(r)
    # Principal due sums to the contract amount, exactly, for every loan.
    for loan_id, loan in loans.items():
        assert sum(Decimal(r["principal_due"]) for r in schedule[loan_id]) == \
            Decimal(loan["contract_amount"]), loan_id
    borrowers = {r["borrower_id"]: r for r in rows(folder, "borrowers")}
    assert Counter(r["borrower_type"] for r in borrowers.values()).keys() == {
        "corporate", "sme", "retail"}
    with GBT.open(encoding="utf-8", newline="") as fh:
        classes = {r["code"] for r in csv.DictReader(fh) if r["level"] == "3"}
    firms = [r for r in borrowers.values() if r["borrower_type"] != "retail"]
    assert firms and all(r["industry_code"] in classes for r in firms)
    assert all(r["industry_scheme"] == "GB/T 4754-2017" for r in firms)
    assert any(r["group_id"] for r in firms)
    # Guarantees: a mutual pair and a loop of three (担保圈) among the borrowers.
    owner = {loan_id: loan["borrower_id"] for loan_id, loan in loans.items()}
    edges = {(r["guarantor_id"], owner[r["loan_id"]]) for r in rows(folder, "guarantees")}
    assert any((b, a) in edges for a, b in edges)
    assert any((b, c) in edges and (c, a) in edges and len({a, b, c}) == 3
               for a, b in edges for c in borrowers)
    # Collateral is appraised more than once over time.
    appraisals = Counter(r["collateral_id"] for r in rows(folder, "collateral"))
    assert max(appraisals.values()) > 1
    events = Counter(r["event_type"] for r in rows(folder, "loan_events"))
    assert {"post_loan_check", "collection_demand", "write_off"} <= set(events)
    limits = rows(folder, "industry_limits")
    assert {r["level"] for r in limits} == {"0", "1"}
    assert len({r["effective_from"] for r in limits if r["level"] == "0"}) == 2


def test_cli_generate(tmp_path, capsys):
    assert cli_main(["generate", "--size", "xs", "--out", str(tmp_path), "--no-reference",
                     "--as-of", "2026-06-30"]) == 0
    assert f"wrote batch {tmp_path / 'demo_bank_xs' / '2026-06-30'}" in capsys.readouterr().out
    manifest = yaml.safe_load((tmp_path / "demo_bank_xs" / "2026-06-30" / "manifest.yaml")
                              .read_text(encoding="utf-8"))
    assert (manifest["as_of"], manifest["provenance"]) == ("2026-06-30", "synthetic")
    assert not (tmp_path / "industry_reference").exists()
    assert cli_main(["generate", "--size", "xs", "--out", str(tmp_path),
                     "--as-of", "2027-01-01"]) == 2


def book_figures(folder: Path):
    """expected_figures of the batch with written-off loans taken off the book."""
    expected = expected_figures(folder)
    as_of = expected.as_of.isoformat()
    written_off = {r["loan_id"] for r in rows(folder, "loan_events")
                   if r["event_type"] == "write_off" and r["event_date"] <= as_of}
    book = [f for lid, f in expected.loans.items()
            if lid not in written_off and f.status == "outstanding"]
    return {
        "loan_count": len(book),
        "outstanding_principal": sum((f.outstanding_principal for f in book), Decimal("0.00")),
        "overdue_loan_count": sum(1 for f in book if f.dpd > 0),
        "overdue_principal": sum((f.outstanding_principal for f in book if f.dpd > 0),
                                 Decimal("0.00")),
        "dpd_over_90_principal": sum((f.outstanding_principal for f in book if f.dpd > 90),
                                     Decimal("0.00")),
        "written_off_loan_count": len(written_off & set(expected.loans)),
        "dpd": {lid: f.dpd for lid, f in expected.loans.items() if lid not in written_off
                and f.status == "outstanding"},
        "balance": {f.loan_id: f.outstanding_principal for f in book},
    }


def floor_class(dpd: int) -> str:
    """China 2023 DPD floors (B3-B6, boundaries A5): > 0, > 90, > 270, > 360."""
    return ("loss" if dpd > 360 else "doubtful" if dpd > 270 else "substandard" if dpd > 90
            else "special_mention" if dpd > 0 else "pass")


@pytest.mark.slow
def test_xs_builds_and_its_figures_match_the_files(xs, tmp_path):
    landing = tmp_path / "landing"
    (landing / portfolio_id("XS")).mkdir(parents=True)
    import shutil

    shutil.copytree(batch(xs), landing / portfolio_id("XS") / DEFAULT_AS_OF.isoformat())
    shutil.copytree(xs / "industry_reference", landing / "industry_reference")
    warehouse = tmp_path / "warehouse" / "postloan.duckdb"
    # The build the benchmark's worker runs, with what it reads from the run.
    from dagster import DagsterInstance

    from postloan.bench.worker import publish_seconds, step_seconds

    instance = DagsterInstance.ephemeral()
    result = materialize_build(landing, warehouse, instance, log_level="WARNING")
    assert result.success
    parts = publish_seconds(result)
    assert list(parts) == ["checks", "checkpoint", "masked_copy", "restore_personal", "swap"]
    assert all(v > 0 for v in parts.values())
    assert sum(parts.values()) <= step_seconds(instance, result.run_id)["published_warehouse"]
    want = book_figures(batch(xs))
    con = duckdb.connect(str(warehouse), read_only=True)
    got = con.execute("""
        select loan_count, outstanding_principal, overdue_loan_count, overdue_principal,
               dpd_over_90_principal, written_off_loan_count
        from reporting.portfolio_summary where portfolio_id = ? and as_of_date = ?""",
                      [portfolio_id("XS"), DEFAULT_AS_OF]).fetchone()
    assert got == (want["loan_count"], want["outstanding_principal"],
                   want["overdue_loan_count"], want["overdue_principal"],
                   want["dpd_over_90_principal"], want["written_off_loan_count"])
    dpd = dict(con.execute("""
        select loan_id, dpd from reporting.loans
        where portfolio_id = ? and as_of_date = ? and loan_status = 'outstanding'""",
                           [portfolio_id("XS"), DEFAULT_AS_OF]).fetchall())
    assert dpd == want["dpd"]
    assert con.execute("select count(*) from reporting.rejects").fetchone() == (0,)
    # The benchmark's yardsticks (plain SQL, pandas) find the same DPD-floor classes as the
    # files say, so the benchmark compares equal work.
    by_class: dict[str, list] = {}
    for loan_id, d in want["dpd"].items():
        entry = by_class.setdefault(floor_class(d), [0, Decimal("0.00")])
        entry[0] += 1
        entry[1] += want["balance"][loan_id]
    expected_classes = {k: (n, str(total)) for k, (n, total) in by_class.items()}
    batch_id = con.execute("select batch_id from raw.batches where portfolio_id = ?",
                           [portfolio_id("XS")]).fetchone()[0]
    con.close()
    _, _, sql_classes = baselines.plain_sql(warehouse, batch_id, DEFAULT_AS_OF)
    assert sql_classes == expected_classes
    frames = baselines.pandas_frames(warehouse, batch_id, DEFAULT_AS_OF)
    result = baselines.pandas_classify(*frames, DEFAULT_AS_OF)
    grouped = result.groupby("five_class")["balance"].agg(["count", "sum"])
    assert {k: (int(v["count"]), f"{v['sum']:.2f}") for k, v in grouped.iterrows()} == \
        expected_classes
    con = duckdb.connect(str(warehouse), read_only=True)
    # The DPD floors (B3-B6) hold for every loan: the final class is at least the floor.
    rank = {"pass": 1, "special_mention": 2, "substandard": 3, "doubtful": 4, "loss": 5}
    for loan_id, final_class in con.execute("""
            select loan_id, final_class from reporting.loan_classification
            where portfolio_id = ? and as_of_date = ?""",
                                            [portfolio_id("XS"), DEFAULT_AS_OF]).fetchall():
        floor = rank[floor_class(want["dpd"][loan_id])]
        assert rank[final_class] >= floor, (loan_id, want["dpd"][loan_id], final_class)
