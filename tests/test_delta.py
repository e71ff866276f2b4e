"""Delta deliveries: a batch of only the rows new or changed since an earlier batch.

The XS bank is generated for two days twice: as two full snapshots, and as a snapshot and the
next day's delta (`postloan generate --delta`). The delta's files are checked against a set
difference of the snapshots' rows computed here with the csv module; the loader must compose the
delta into exactly the rows of the next day's snapshot, with every row counted (loaded from the
delta's files or carried from its base, never both); and a warehouse built from the delta must
hold the same rows in every table as one built from the snapshot.
"""

from __future__ import annotations

import csv
import datetime as dt
import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
import yaml

from postloan import personal, reuse
from postloan.cli import run_build
from postloan.generate import DEFAULT_AS_OF, generate, portfolio_id
from postloan.landing.contract import ENTITIES, ENTITY_BY_NAME
from postloan.landing.delta import DeltaError, write_delta
from postloan.landing.load import (
    PUBLISHED_ALIAS,
    attach_published,
    drop_base_only,
    ensure_raw_schema,
    load_batch,
    plan_batches,
    register_batches,
    resolve_bases,
)
from postloan.landing.manifest import ManifestError, read_manifest, seal
from postloan.paths import DBT_PROJECT_DIR
from postloan.reuse import fingerprint, record_reuse

NEXT_DAY = DEFAULT_AS_OF + dt.timedelta(days=1)
PID = portfolio_id("XS")


@pytest.fixture(scope="module")
def banks(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("delta")
    generate("XS", 7, out / "snapshots", (DEFAULT_AS_OF, NEXT_DAY))
    generate("XS", 7, out / "deltas", (DEFAULT_AS_OF, NEXT_DAY), delta=True)
    return {"snapshots": out / "snapshots", "deltas": out / "deltas"}


def folder(root: Path, day: dt.date) -> Path:
    return root / PID / day.isoformat()


def csv_rows(path: Path) -> list[tuple[str, ...]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return [tuple(r) for r in csv.reader(fh)][1:]


def key_of(entity: str, header: list[str], row: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(row[header.index(k)] for k in ENTITY_BY_NAME[entity].key)


def test_the_delta_holds_exactly_the_new_and_changed_rows(banks):
    base, after = folder(banks["snapshots"], DEFAULT_AS_OF), folder(banks["snapshots"], NEXT_DAY)
    delta = folder(banks["deltas"], NEXT_DAY)
    manifest = read_manifest(delta)
    assert (manifest.delivery, manifest.base_as_of, manifest.as_of) == (
        "delta", DEFAULT_AS_OF, NEXT_DAY)
    assert manifest.absent == {}
    # The first date is the same full snapshot either way.
    for f in folder(banks["deltas"], DEFAULT_AS_OF).iterdir():
        assert f.read_bytes() == (base / f.name).read_bytes(), f.name
    expected = {}
    for entity in ENTITY_BY_NAME:
        path = after / f"{entity}.csv"
        if not path.exists():
            continue
        changed = sorted(set(csv_rows(path)) - set(csv_rows(base / f"{entity}.csv")))
        if changed:
            expected[entity] = changed
    # One day of the XS bank: that day's payments and one event, nothing else.
    assert {e: len(r) for e, r in expected.items()} == {"payments": 7, "loan_events": 1}
    assert sorted(manifest.files) == sorted(expected)
    for entity, want in expected.items():
        assert sorted(csv_rows(delta / f"{entity}.csv")) == want
        assert manifest.files[entity].rows == len(want)


def test_a_delta_cannot_remove_rows(banks, tmp_path):
    base = tmp_path / "base"
    shutil.copytree(folder(banks["snapshots"], NEXT_DAY), base)
    after = tmp_path / "after"
    shutil.copytree(folder(banks["snapshots"], NEXT_DAY), after)
    data = yaml.safe_load((base / "manifest.yaml").read_text(encoding="utf-8"))
    data["as_of"] = DEFAULT_AS_OF.isoformat()
    (base / "manifest.yaml").write_text(yaml.safe_dump(data, allow_unicode=True),
                                        encoding="utf-8")
    lines = (after / "payments.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (after / "payments.csv").write_text("".join(lines[:2] + lines[3:]), encoding="utf-8")
    for entry in data["files"].values():
        entry.pop("rows", None)
        entry.pop("sums", None)
    data["as_of"] = NEXT_DAY.isoformat()
    (after / "manifest.yaml").write_text(yaml.safe_dump(data, allow_unicode=True),
                                         encoding="utf-8")
    seal(after)
    gone = lines[2].split(",")[0]
    # Columns in another order cannot be compared cell by cell.
    swapped = tmp_path / "swapped"
    shutil.copytree(after, swapped)
    reordered = []
    for line in (swapped / "loans.csv").read_text(encoding="utf-8").splitlines():
        cells = line.split(",")
        reordered.append(",".join([cells[1], cells[0], *cells[2:]]))
    (swapped / "loans.csv").write_text("\n".join(reordered) + "\n", encoding="utf-8")
    seal(swapped)
    with pytest.raises(DeltaError, match=r"loans: the files' columns differ \(loan_id, "
                                         "borrower_id, .* against borrower_id, loan_id, "):
        write_delta(base, swapped, tmp_path / "delta")
    with pytest.raises(DeltaError, match=f"payments: 1 row\\(s\\) of the base are not in the "
                                         f"snapshot \\(for example key {gone}\\)"):
        write_delta(base, after, tmp_path / "delta")
    with pytest.raises(DeltaError, match="must be later than the base"):
        write_delta(after, base, tmp_path / "delta")


@pytest.mark.parametrize(("change", "message"), [
    ({"base_as_of": None}, "required field 'base_as_of' is missing"),
    ({"base_as_of": "2026-12-01"}, "base_as_of 2026-12-01 must be before as_of 2026-12-01"),
    ({"base_as_of": "30/11/2026"}, "base_as_of '30/11/2026' is not a YYYY-MM-DD date"),
    ({"absent": {"collateral": "none"}}, "a delta declares nothing absent"),
    ({"kind": "reference"}, "only a portfolio batch can be a delta"),
    ({"delivery": "partial"}, "delivery 'partial' must be 'snapshot' or 'delta'"),
    ({"delivery": "snapshot"}, "base_as_of is only for 'delivery: delta'"),
])
def test_delta_manifest_errors_name_the_field(banks, tmp_path, change, message):
    target = tmp_path / "batch"
    shutil.copytree(folder(banks["deltas"], NEXT_DAY), target)
    data = yaml.safe_load((target / "manifest.yaml").read_text(encoding="utf-8"))
    data.update(change)
    (target / "manifest.yaml").write_text(yaml.safe_dump(data, allow_unicode=True),
                                          encoding="utf-8")
    with pytest.raises(ManifestError, match=str(target / "manifest.yaml")) as info:
        read_manifest(target)
    assert message in str(info.value)


def raw_rows(con, entity: str, batch_id: str) -> list[tuple]:
    cols = ", ".join(ENTITY_BY_NAME[entity].column_names)
    return con.execute(f"select {cols} from raw.{entity} where batch_id = ? order by all",
                       [batch_id]).fetchall()


def load_all(landing: Path, as_of: set[dt.date] | None, path: Path | str = ":memory:",
             published: Path | None = None, originals: Path | None = None):
    con = duckdb.connect(str(path))
    ensure_raw_schema(con)
    if originals is not None:
        personal.attach(con, originals)
    plans = plan_batches(landing, as_of)
    resolve_bases(plans, attach_published(con, published) if published else set())
    register_batches(con, plans)
    for plan in plans:
        if plan.status in ("published", "base_only"):
            load_batch(con, plan)
    drop_base_only(con, plans)
    con.execute(f"detach database if exists {PUBLISHED_ALIAS}")
    return con, {(p.manifest.portfolio_id, p.manifest.as_of): p for p in plans}


def test_the_loader_composes_the_delta_into_the_next_snapshot(banks):
    snap, snap_plans = load_all(banks["snapshots"], None)
    comp, comp_plans = load_all(banks["deltas"], None)
    want, got = snap_plans[(PID, NEXT_DAY)], comp_plans[(PID, NEXT_DAY)]
    assert got.base is comp_plans[(PID, DEFAULT_AS_OF)] and got.base_source == "build"
    delta_files = read_manifest(folder(banks["deltas"], NEXT_DAY)).files
    for entity in ENTITIES:
        assert raw_rows(comp, entity.name, got.batch_id) == raw_rows(snap, entity.name,
                                                                     want.batch_id), entity.name
        # Counted outside the loader: the base snapshot's data lines and the delta's.
        base_lines = sum(1 for _ in csv_rows(
            folder(banks["deltas"], DEFAULT_AS_OF) / f"{entity.name}.csv")) if (
            folder(banks["deltas"], DEFAULT_AS_OF) / f"{entity.name}.csv").exists() else 0
        delta_lines = (len(csv_rows(delta_files[entity.name].path))
                       if entity.name in delta_files else 0)
        carried = comp.execute(
            "select base_rows, replaced_rows, carried_rows, base_source from raw.carried "
            "where batch_id = ? and entity = ?", [got.batch_id, entity.name]).fetchall()
        assert carried == [(base_lines, 0, base_lines, "build")], entity.name
        table = comp.execute(f"select count(*) from raw.{entity.name} where batch_id = ?",
                             [got.batch_id]).fetchone()[0]
        assert table == base_lines + delta_lines, entity.name
    # The delta inherits what its base declared absent; its own row says what it is.
    assert comp.execute("select delivery, base_batch_id, absent_entities, net_capital "
                        "from raw.batches where batch_id = ?", [got.batch_id]).fetchone() == (
        "delta", got.base.batch_id,
        snap.execute("select absent_entities from raw.batches where batch_id = ?",
                     [want.batch_id]).fetchone()[0],
        snap.execute("select net_capital from raw.batches where batch_id = ?",
                     [want.batch_id]).fetchone()[0])


def test_a_delta_replaces_rows_by_key_and_a_rejected_row_leaves_the_base_in_force(banks,
                                                                                 tmp_path):
    landing = tmp_path / "landing"
    shutil.copytree(banks["deltas"], landing)
    delta = folder(landing, NEXT_DAY)
    base_loans = (folder(landing, DEFAULT_AS_OF) / "loans.csv").read_text(
        encoding="utf-8").splitlines()
    header = base_loans[0].split(",")
    first, second = base_loans[1].split(","), base_loans[2].split(",")
    first[header.index("branch")] = "合成银行南京分行"
    second[header.index("interest_rate")] = "not a rate"
    (delta / "loans.csv").write_text("\n".join([base_loans[0], ",".join(first),
                                                ",".join(second)]) + "\n", encoding="utf-8")
    data = yaml.safe_load((delta / "manifest.yaml").read_text(encoding="utf-8"))
    data["files"]["loans"] = {"path": "loans.csv"}
    (delta / "manifest.yaml").write_text(yaml.safe_dump(data, allow_unicode=True),
                                         encoding="utf-8")
    seal(delta)
    con, plans = load_all(landing, None)
    plan = plans[(PID, NEXT_DAY)]
    branch = dict(con.execute("select loan_id, branch from raw.loans where batch_id = ?",
                              [plan.batch_id]).fetchall())
    rate = dict(con.execute("select loan_id, interest_rate from raw.loans where batch_id = ?",
                            [plan.batch_id]).fetchall())
    assert branch[first[0]] == "合成银行南京分行"
    assert rate[second[0]] == Decimal(base_loans[2].split(",")[header.index("interest_rate")])
    assert con.execute("select line_number, column_name from raw.rejects "
                       "where batch_id = ?", [plan.batch_id]).fetchall() == [(3, "interest_rate")]
    assert con.execute("select base_rows, replaced_rows, carried_rows from raw.carried "
                       "where batch_id = ? and entity = 'loans'", [plan.batch_id]).fetchone() \
        == (len(base_loans) - 1, 1, len(base_loans) - 2)
    assert con.execute("select count(*) from raw.loans where batch_id = ?",
                       [plan.batch_id]).fetchone() == (len(base_loans) - 1,)


def test_a_delta_reads_its_base_from_the_published_warehouse_or_its_files(banks, tmp_path):
    """Built alone (--as-of the delta's date) the delta's base is not kept in the build: its rows
    come from the published warehouse when that holds the base, else from the base's files."""
    published = tmp_path / "published.duckdb"
    pub, _ = load_all(banks["deltas"], {DEFAULT_AS_OF}, published)
    pub.close()
    fast, fast_plans = load_all(banks["deltas"], {NEXT_DAY}, tmp_path / "fast.duckdb",
                                published=published)
    slow, slow_plans = load_all(banks["deltas"], {NEXT_DAY}, tmp_path / "slow.duckdb",
                                published=tmp_path / "none.duckdb")
    snap, snap_plans = load_all(banks["snapshots"], {NEXT_DAY})
    assert fast_plans[(PID, NEXT_DAY)].base_source == "published"
    assert fast_plans[(PID, DEFAULT_AS_OF)].status == "not_selected"
    assert slow_plans[(PID, NEXT_DAY)].base_source == "build"
    assert slow_plans[(PID, DEFAULT_AS_OF)].status == "base_only"
    for con, plans in ((fast, fast_plans), (slow, slow_plans)):
        # Only the delta's batch (and the reference batch) have rows; the base's are gone.
        assert con.execute("select distinct batch_id from raw.loans").fetchall() == [
            (plans[(PID, NEXT_DAY)].batch_id,)]
        assert con.execute("select count(*) from raw.load_log where batch_id = ?",
                           [plans[(PID, DEFAULT_AS_OF)].batch_id]).fetchone() == (0,)
        for entity in ENTITIES:
            assert raw_rows(con, entity.name, plans[(PID, NEXT_DAY)].batch_id) == raw_rows(
                snap, entity.name, snap_plans[(PID, NEXT_DAY)].batch_id), entity.name
    assert fast.execute("select batch_status, status_reason from raw.batches "
                        "where batch_id = ?", [slow_plans[(PID, DEFAULT_AS_OF)].batch_id]
                        ).fetchone() == ("not_selected", None)
    assert slow.execute("select batch_status, status_reason from raw.batches "
                        "where batch_id = ?", [slow_plans[(PID, DEFAULT_AS_OF)].batch_id]
                        ).fetchone() == (
        "base_only", f"loaded only as the base of the delta {slow_plans[(PID, NEXT_DAY)].batch_id}")


def test_a_delta_without_its_base_is_held_back_with_the_reason(banks, tmp_path):
    landing = tmp_path / "landing"
    shutil.copytree(banks["deltas"] / "industry_reference", landing / "industry_reference")
    shutil.copytree(folder(banks["deltas"], NEXT_DAY), folder(landing, NEXT_DAY))
    plans = [p for p in plan_batches(landing) if p.manifest.portfolio_id == PID]
    assert [(p.status, p.reason) for p in plans] == [(
        "incomplete", f"delta on {DEFAULT_AS_OF}: no complete batch of {PID} for that date "
                      f"under {landing}")]


def test_a_delta_id_changes_with_its_base(banks, tmp_path):
    """The same delta files on a redelivered base stand for other rows, so get another id."""
    landing = tmp_path / "landing"
    shutil.copytree(banks["deltas"], landing)
    before = {p.manifest.as_of: p.batch_id for p in plan_batches(landing)
              if p.manifest.portfolio_id == PID}
    redelivered = folder(landing, DEFAULT_AS_OF).with_name("2026-11-30-redelivered")
    shutil.copytree(folder(landing, DEFAULT_AS_OF), redelivered)
    data = yaml.safe_load((redelivered / "manifest.yaml").read_text(encoding="utf-8"))
    data["delivered_at"] = "2026-12-01T09:00:00Z"
    (redelivered / "manifest.yaml").write_text(yaml.safe_dump(data, allow_unicode=True),
                                               encoding="utf-8")
    after = {(p.manifest.as_of, p.status): p for p in plan_batches(landing)
             if p.manifest.portfolio_id == PID}
    assert after[(DEFAULT_AS_OF, "superseded")].batch_id == before[DEFAULT_AS_OF]
    new_base = after[(DEFAULT_AS_OF, "published")]
    assert after[(NEXT_DAY, "published")].base is new_base
    assert after[(NEXT_DAY, "published")].batch_id != before[NEXT_DAY]


def test_the_reconciliation_test_lists_every_entity():
    sql = (DBT_PROJECT_DIR / "tests" / "singular" / "assert_batch_rows_reconcile.sql").read_text(
        encoding="utf-8")
    listed = sql.split("{% set entities = [", 1)[1].split("]", 1)[0]
    assert [e.strip().strip("'") for e in listed.replace("\n", " ").split(",")] == [
        e.name for e in ENTITIES]


# How the rows came, not what they are: the load audit, and which loans a daily build reused.
AUDIT_TABLES = {("raw", "load_log"), ("raw", "carried"), ("raw", "changed_loans"),
                ("raw", "reuse"), ("intermediate", "int_reused_loans"),
                ("history", "int_reused_history_dates"),
                ("reporting", "load_reconciliation"), ("reporting", "batch_reconciliation"),
                ("quality", "builds"), ("quality", "check_results"), ("meta", "build_info"),
                ("raw", "batches"), ("reporting", "batches")}
# Columns that name the batch, the build or the file a row came from, or time something.
PROVENANCE_COLUMNS = {"batch_id", "batch_key", "limit_batch_id", "source_file", "line_number",
                      "build_id", "checked_at", "started_at", "finished_at", "built_at"}


def differing_tables(con, one: str, other: str) -> list[tuple[str, str, str, int]]:
    """(schema, table, side, rows) for every table of the attached warehouses ``one`` and
    ``other`` whose rows differ, both ways (EXCEPT ALL), but for the audit tables and the
    provenance columns."""
    tables = con.execute("""
        select table_schema, table_name, list(column_name order by ordinal_position)
        from information_schema.columns
        join information_schema.tables using (table_catalog, table_schema, table_name)
        where table_catalog = ? and table_type = 'BASE TABLE' group by all order by all
    """, [one]).fetchall()
    assert len(tables) > 80
    differing = []
    for schema, table, columns in tables:
        if (schema, table) in AUDIT_TABLES:
            continue
        cols = ", ".join(f'"{c}"' for c in columns
                         if c not in PROVENANCE_COLUMNS and "seconds" not in c)
        for a, b in ((one, other), (other, one)):
            n = con.execute(f"select count(*) from (select {cols} from {a}.{schema}.{table} "
                            f"except all select {cols} from {b}.{schema}.{table})"
                            ).fetchone()[0]
            if n:
                differing.append((schema, table, a, n))
    return differing


@pytest.mark.slow
@pytest.mark.parametrize("base_source, base_kept", [("build", True), ("build", False),
                                                    ("published", False)])
def test_a_delta_keeps_personal_originals_apart_whichever_its_base_came_from(banks, tmp_path,
                                                                             base_source,
                                                                             base_kept):
    """A build writes names and identity numbers masked, the delta's own and those it carries
    from its base alike (from the published warehouse they arrive unmasked); the originals go to
    the side file, from which publication restores exactly the snapshot's rows."""
    published = None
    if base_source == "published":
        published = tmp_path / "published.duckdb"
        pub, _ = load_all(banks["deltas"], {DEFAULT_AS_OF}, published)  # a full copy: originals
        pub.close()
    con, plans = load_all(banks["deltas"], None if base_kept else {NEXT_DAY},
                          tmp_path / "build.duckdb", published=published,
                          originals=tmp_path / "build.personal.duckdb")
    snap, snap_plans = load_all(banks["snapshots"], {NEXT_DAY})
    plan, want = plans[(PID, NEXT_DAY)], snap_plans[(PID, NEXT_DAY)]
    assert plan.base_source == base_source
    expected = raw_rows(snap, "borrowers", want.batch_id)
    names = snap.execute("select borrower_id, borrower_name, id_number from raw.borrowers "
                         "where batch_id = ? order by 1", [want.batch_id]).fetchall()
    assert len(names) > 20 and all(name and number for _, name, number in names)
    # In the build: every name keeps its first character only, every id number its last four.
    masked = con.execute("select borrower_id, borrower_name, id_number from raw.borrowers "
                         "where batch_id = ? order by 1", [plan.batch_id]).fetchall()
    assert masked == [(b, name[0] + "*" * max(len(name) - 1, 1),
                       "*" * max(len(number) - 4, 1) + number[-4:]) for b, name, number in names]
    assert con.execute(f"select borrower_id, borrower_name, id_number from "
                       f"{personal.ALIAS}.borrowers where batch_id = ? order by 1",
                       [plan.batch_id]).fetchall() == names
    assert personal.unrestorable(con) == []
    # Every row is restored: with its base in the build, the base's rows too. A base loaded
    # only to compose the delta leaves no row, and no original, behind.
    rows = con.execute("select count(*) from raw.borrowers").fetchone()[0]
    assert rows == len(names) * (2 if base_kept else 1)
    assert con.execute(f"select count(distinct batch_id) from {personal.ALIAS}.borrowers"
                       ).fetchone()[0] == (2 if base_kept else 1)
    assert personal.restore(con) == [("raw", "borrowers", rows)]
    assert raw_rows(con, "borrowers", plan.batch_id) == expected


@pytest.mark.parametrize("base_source", ["build", "published"])
def test_a_delta_keeps_the_bases_open_rejects_and_closes_those_it_delivers_again(banks,
                                                                                tmp_path,
                                                                                base_source):
    """A record the base's file got wrong stays quarantined in the delta's batch until a
    delivery carries its key again: a delta names only what changed."""
    landing = tmp_path / "landing"
    shutil.copytree(banks["deltas"], landing)
    base, delta = folder(landing, DEFAULT_AS_OF), folder(landing, NEXT_DAY)
    lines = (base / "borrowers.csv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    good = dict(zip(header, lines[1].split(","), strict=True))

    def row(borrower_id: str, **change: str) -> str:
        return ",".join({**good, "borrower_id": borrower_id, **change}[h] for h in header)

    open_type = row("DXS-X1", borrower_type="no such type")  # line n + 1: stays open
    fixed = row("DXS-X2", borrower_type="no such type")  # the delta delivers it right
    shifted = row("DXS-X3") + ",one more field"  # a record kept whole, not delivered again
    shifted_fixed = row("DXS-X4") + ",one more field"  # kept whole, delivered right
    (base / "borrowers.csv").write_text(
        "\n".join([*lines, open_type, fixed, shifted, shifted_fixed]) + "\n", encoding="utf-8")
    write_csv_file = delta / "borrowers.csv"
    write_csv_file.write_text("\n".join([lines[0], row("DXS-X2"), row("DXS-X4")]) + "\n",
                              encoding="utf-8")
    for batch, name in ((base, "borrowers.csv"), (delta, "borrowers.csv")):
        data = yaml.safe_load((batch / "manifest.yaml").read_text(encoding="utf-8"))
        data["files"]["borrowers"] = {"path": name}
        data.get("absent", {}).pop("borrowers", None)
        (batch / "manifest.yaml").write_text(yaml.safe_dump(data, allow_unicode=True),
                                             encoding="utf-8")
        seal(batch)
    published = None
    if base_source == "published":
        published = tmp_path / "published.duckdb"
        pub, _ = load_all(landing, {DEFAULT_AS_OF}, published)
        pub.close()
    con, plans = load_all(landing, {NEXT_DAY} if published else None,
                          tmp_path / "build.duckdb", published=published,
                          originals=tmp_path / "build.personal.duckdb")
    plan = plans[(PID, NEXT_DAY)]
    assert plan.base_source == base_source
    n = len(lines)
    base_file = f"{PID}/{DEFAULT_AS_OF.isoformat()}/borrowers.csv"
    assert con.execute("select source_file, line_number, rule from raw.rejects "
                       "where batch_id = ? order by line_number", [plan.batch_id]
                       ).fetchall() == [(base_file, n + 1, "type"), (base_file, n + 3,
                                                                         "field_count")]
    # Carried from a full copy, the record's name is masked on the way in.
    assert con.execute("select count(*) from raw.rejects where batch_id = ? and raw_record "
                       "like '%***%'", [plan.batch_id]).fetchone() == (2,)
    assert con.execute("select borrower_type from raw.borrowers where batch_id = ? and "
                       "borrower_id in ('DXS-X2', 'DXS-X4')", [plan.batch_id]).fetchall() == [
        (good["borrower_type"],)] * 2


def test_a_warehouse_built_from_the_delta_equals_one_built_from_the_snapshot(banks, tmp_path):
    """Build the first day, then the delta alone on top of it (what a daily run does), and the
    next day's full snapshot on its own: every table holds the same rows, but for batch ids,
    build ids, timings and the load audit, which say how the rows came."""
    by_delta, by_snapshot = tmp_path / "delta" / "postloan.duckdb", tmp_path / "snap" / \
        "postloan.duckdb"
    assert run_build(banks["deltas"], by_delta, as_of=DEFAULT_AS_OF.isoformat(), ephemeral=True,
                     log_level="WARNING") == 0
    assert run_build(banks["deltas"], by_delta, as_of=NEXT_DAY.isoformat(), ephemeral=True,
                     log_level="WARNING") == 0
    assert run_build(banks["snapshots"], by_snapshot, as_of=NEXT_DAY.isoformat(),
                     ephemeral=True, log_level="WARNING") == 0
    con = duckdb.connect()
    con.execute(f"attach '{by_delta}' as d (read_only)")
    con.execute(f"attach '{by_snapshot}' as s (read_only)")
    assert differing_tables(con, "d", "s") == []
    # The daily build computed only the loans the delta named and copied the others' results.
    loans = {row[0] for row in csv_rows(folder(banks["snapshots"], NEXT_DAY) / "loans.csv")}
    assert con.execute("select count(*) from d.intermediate.int_reused_loans").fetchone() == (
        len(loans - delta_loan_ids(folder(banks["deltas"], NEXT_DAY))),)
    # What the audit says: the delta loaded 8 rows from its files and carried the rest.
    assert con.execute("""
        select delivery, loaded_rows, carried_rows, replaced_rows, reconciles
        from d.reporting.batch_reconciliation where portfolio_id = ?""", [PID]).fetchone() == (
        "delta", 8, con.execute("select sum(loaded_rows) - 8 from s.reporting.load_reconciliation "
                                "where batch_id like ?", [PID + "@%"]).fetchone()[0], 0, True)
    # The batch itself: one in force, with the same date, figures and absences.
    figures = ("as_of_date, currency, provenance, net_capital, net_tier1_capital, "
               "net_capital_prev_quarter, net_tier1_capital_prev_quarter, absent_entities")
    rows = {name: con.execute(f"select {figures} from {name}.raw.batches where portfolio_id = ? "
                              "and batch_status = 'published'", [PID]).fetchall()
            for name in ("d", "s")}
    assert rows["d"] == rows["s"] and len(rows["d"]) == 1


@pytest.mark.slow
def test_a_build_whose_only_portfolio_batch_is_held_back_still_publishes(banks, tmp_path):
    """The delta waits for its base; the reference batch alone builds and publishes (it used to
    stop in dbt on the empty granularity table's column types), and the delta's reason shows."""
    landing = tmp_path / "landing"
    shutil.copytree(banks["deltas"] / "industry_reference", landing / "industry_reference")
    shutil.copytree(folder(banks["deltas"], NEXT_DAY), folder(landing, NEXT_DAY))
    warehouse = tmp_path / "warehouse" / "postloan.duckdb"
    assert run_build(landing, warehouse, ephemeral=True, log_level="WARNING") == 0
    con = duckdb.connect(str(warehouse), read_only=True)
    assert con.execute("select batch_status, status_reason from reporting.batches "
                       "where portfolio_id = ?", [PID]).fetchall() == [(
        "incomplete", f"delta on {DEFAULT_AS_OF}: no complete batch of {PID} for that date "
                      f"under {landing}")]
    assert con.execute("select count(*) from reporting.granularity_adjustment").fetchone() == (0,)
    assert con.execute("select count(*) from reporting.industry_indicators").fetchone()[0] > 0


def delta_loan_ids(batch: Path) -> set[str]:
    """The loans named by the rows of a batch's files, read with the csv module."""
    found = set()
    for spec in read_manifest(batch).files.values():
        with (batch / spec.path).open(encoding="utf-8", newline="") as fh:
            found |= {row["loan_id"] for row in csv.DictReader(fh) if "loan_id" in row}
    return found


def append_payment(batch: Path, row: list[str]) -> None:
    """Add a payment row to a batch's file and its control totals, then seal the batch."""
    path = batch / "payments.csv"
    with path.open("a", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerow(row)
    data = yaml.safe_load((batch / "manifest.yaml").read_text(encoding="utf-8"))
    spec = data["files"]["payments"]
    spec["rows"] += 1
    for column, value in zip(("principal_paid", "interest_paid"), row[3:5], strict=True):
        if column in spec.get("sums", {}):
            spec["sums"][column] = str(Decimal(spec["sums"][column]) + Decimal(value))
    (batch / "manifest.yaml").write_text(yaml.safe_dump(data, allow_unicode=True),
                                         encoding="utf-8")
    seal(batch)


def rewrite_rows(batch: Path, entity: str, change) -> None:
    """Pass every row of a batch's csv file through ``change(header, row)``, then seal."""
    path = batch / f"{entity}.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        header, *rows = list(csv.reader(fh))
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(
            [header] + [change(header, row) for row in rows])
    seal(batch)


def set_field(key: str, column: str, value: str):
    """A ``rewrite_rows`` change: ``column`` becomes ``value`` in the row whose first field is
    ``key``."""
    def change(header: list[str], row: list[str]) -> list[str]:
        if row[0] == key:
            row[header.index(column)] = value
        return row
    return change


def borrower_of(batch: Path) -> dict[str, str]:
    """Each loan's borrower in a batch's loans.csv."""
    return {row[0]: row[1] for row in csv_rows(batch / "loans.csv")}


# A loan more than 90 days past due at a replayed month-end of the base's history, and a
# non-retail obligor with a loan at 正常 then, none of whose loans the delta names and none of
# them past due at that date.
HISTORY_CANDIDATES = """
    with m as (
        select * from history.fct_loan_month_ends where class_basis = 'replayed'
    )
    select npl.loan_id, npl.as_of_date, other.borrower_id, other.loan_id,
    from m as npl
    inner join m as other
        on other.as_of_date = npl.as_of_date and other.borrower_id <> npl.borrower_id
    where npl.dpd > 90 and not list_contains($touched, npl.loan_id)
        and other.class_rank = 1 and other.borrower_type <> 'retail'
        and not exists (
            select 1 from history.fct_loan_month_ends as same
            where same.borrower_id = other.borrower_id
                and (list_contains($touched, same.loan_id)
                     or (same.as_of_date = npl.as_of_date and same.dpd > 0)))
    order by all limit 1
"""


@pytest.mark.slow
def test_a_daily_build_reuses_unchanged_loans_and_equals_computing_every_loan(banks,
                                                                            tmp_path):
    """The daily build (the delta alone on the published base) copies the results of the loans
    the delta leaves unchanged: the settlement of installments, and the month-end history before
    the base's date of loans none of whose borrower's loans changed. Against the same delta
    built with every loan computed (no published warehouse: the base is read from its files),
    every table is the same. The delta moves a payment from one loan to another, moves a loan
    that was non-performing in the history away from a borrower (whose other loans the obligor
    rule B3.4 no longer lifts) and changes a borrower's type; the base has a payment dated after
    its as-of date (it counts only from the next day)."""
    landing = tmp_path / "landing"
    shutil.copytree(banks["deltas"], landing)
    base = folder(landing, DEFAULT_AS_OF)
    following = tmp_path / "following"  # the next day's snapshot, made into the delta below
    shutil.copytree(folder(banks["snapshots"], NEXT_DAY), following)
    touched = delta_loan_ids(folder(landing, NEXT_DAY))
    by_loan: dict[str, list[tuple[str, ...]]] = {}
    for row in csv_rows(base / "payments.csv"):
        by_loan.setdefault(row[1], []).append(row)
    moved_from, moved_to, later = sorted(loan for loan in by_loan if loan not in touched)[:3]
    # The base holds a payment value-dated the delta's day: not counted on the base's date.
    for batch in (base, following):
        append_payment(batch, [f"{later}-PLATE", later, NEXT_DAY.isoformat(), "100.00",
                               "10.00", "", "synthetic"])

    daily, every_loan = tmp_path / "daily" / "postloan.duckdb", tmp_path / "every" / \
        "postloan.duckdb"
    assert run_build(landing, daily, as_of=DEFAULT_AS_OF.isoformat(), ephemeral=True,
                     log_level="WARNING") == 0
    with duckdb.connect(str(daily), read_only=True) as con:
        npl_loan, npl_date, obligor, obligor_loan = con.execute(
            HISTORY_CANDIDATES, {"touched": sorted(touched | {moved_from, moved_to, later})}
        ).fetchone()
    # In the base the non-performing loan belongs to the other obligor; the delta moves it back.
    original = borrower_of(base)[npl_loan]
    rewrite_rows(base, "loans", set_field(npl_loan, "borrower_id", obligor))
    assert run_build(landing, daily, as_of=DEFAULT_AS_OF.isoformat(), ephemeral=True,
                     log_level="WARNING") == 0
    shutil.copy(daily, tmp_path / "base.duckdb")
    # The delta also delivers a payment again, booked to another loan, and a borrower's new type.
    retyped = sorted({borrower_of(base)[loan] for loan in by_loan if loan not in touched}
                     - {obligor, original})[0]
    borrower_types = {row[0]: row[3] for row in csv_rows(base / "borrowers.csv")}
    rewrite_rows(following, "borrowers", set_field(
        retyped, "borrower_type", "sme" if borrower_types[retyped] == "corporate" else "corporate"))
    moved_payment = by_loan[moved_from][-1][0]
    rewrite_rows(following, "payments", set_field(moved_payment, "loan_id", moved_to))
    shutil.rmtree(folder(landing, NEXT_DAY))
    write_delta(base, following, folder(landing, NEXT_DAY))

    assert run_build(landing, daily, as_of=NEXT_DAY.isoformat(), ephemeral=True,
                     log_level="WARNING") == 0
    assert run_build(landing, every_loan, as_of=NEXT_DAY.isoformat(), ephemeral=True,
                     log_level="WARNING") == 0
    con = duckdb.connect()
    con.execute(f"attach '{daily}' as d (read_only)")
    con.execute(f"attach '{every_loan}' as e (read_only)")
    con.execute(f"attach '{tmp_path / 'base.duckdb'}' as b (read_only)")
    assert differing_tables(con, "d", "e") == []

    batch = con.execute("select batch_id from d.raw.batches where portfolio_id = ? and "
                        "as_of_date = ?", [PID, NEXT_DAY]).fetchone()[0]
    assert con.execute("select batch_id, base_as_of_date from d.raw.reuse").fetchall() == [
        (batch, DEFAULT_AS_OF)]
    assert con.execute("select count(*) from e.raw.reuse").fetchone() == (0,)
    # Changed: the loans the delta's files name, both loans of the moved payment, the loan moved
    # between borrowers and the loans of the borrower whose row the delta delivered.
    old, new = borrower_of(base), borrower_of(following)
    loans = set(old)
    changed = {row[0] for row in con.execute(
        "select distinct loan_id from d.raw.changed_loans where batch_id = ?", [batch]
    ).fetchall()}
    in_files = delta_loan_ids(folder(landing, NEXT_DAY))
    assert {moved_to, npl_loan} <= in_files
    assert changed == in_files | {moved_from} | {loan for loan in loans if old[loan] == retyped}
    reused = {row[0] for row in con.execute(
        "select loan_id from d.intermediate.int_reused_loans").fetchall()}
    assert reused == loans - changed - {later}
    # The history is copied only where no loan of the borrower, old or new, is computed again.
    computed_borrowers = {old[loan] for loan in loans - reused} | {
        new[loan] for loan in loans - reused}
    copies_history = {row[0] for row in con.execute(
        "select loan_id from d.intermediate.int_reused_loans where copies_history").fetchall()}
    assert copies_history == {loan for loan in reused if new[loan] not in computed_borrowers}
    assert obligor_loan in reused - copies_history
    # ... which matters: the moved loan lifted its old obligor's loan (B3.4) in the base only.
    lifted = "select class_rank from {}.history.fct_loan_month_ends where loan_id = ? and " \
        "as_of_date = ?"
    assert con.execute(lifted.format("b"), [obligor_loan, npl_date]).fetchone()[0] >= 2
    assert con.execute(lifted.format("e"), [obligor_loan, npl_date]).fetchone() == (1,)
    # The copies: the settlement rows of every reused loan and the history rows before the
    # base's date of the loans copying it, relabelled with the new batch.
    assert con.execute("""
        select count(*), count(distinct batch_id), min(batch_id)
        from d.intermediate.int_installment_settlement
        semi join d.intermediate.int_reused_loans using (loan_id)""").fetchone() == (
        sum(1 for row in csv_rows(base / "repayment_schedule.csv") if row[0] in reused),
        1, batch)
    copied_dates = con.execute("select list(as_of_date order by as_of_date) "
                               "from d.history.int_reused_history_dates").fetchone()[0]
    assert copied_dates == con.execute(
        "select list(as_of_date order by as_of_date) from b.history.int_history_dates "
        "where as_of_date < ?", [DEFAULT_AS_OF]).fetchone()[0]
    history = """select count(*), min(batch_id), max(batch_id) from {}.history.fct_loan_month_ends
        where list_contains($loans, loan_id) and as_of_date < $day"""
    params = {"loans": sorted(copies_history), "day": DEFAULT_AS_OF}
    assert con.execute(history.format("d"), params).fetchone() == (
        con.execute(history.format("b"), params).fetchone()[0], batch, batch)


def test_the_reuse_fingerprint_follows_code_and_rules(tmp_path, monkeypatch):
    """Reuse needs the published results to come from the same dbt project and rules."""
    assert fingerprint() == fingerprint("{}") == fingerprint(" { } ")
    assert fingerprint('{"dpd_paid_share": 0.9}') != fingerprint()
    assert fingerprint('{"a": 1, "b": 2}') == fingerprint('{"b": 2, "a": 1}')
    # A copy of the project fingerprints the same until one model changes by one character.
    project = tmp_path / "dbt_project"
    for name in reuse.FINGERPRINT_INPUTS:
        source = DBT_PROJECT_DIR / name
        if source.is_file():
            project.mkdir(exist_ok=True)
            shutil.copy(source, project / name)
        else:
            shutil.copytree(source, project / name)
    before = fingerprint()
    monkeypatch.setattr(reuse, "DBT_PROJECT_DIR", project)
    assert fingerprint() == before
    model = project / "models" / "intermediate" / "int_installment_settlement.sql"
    model.write_text(model.read_text(encoding="utf-8") + " ", encoding="utf-8")
    assert fingerprint() != before


def test_reuse_is_recorded_only_for_a_published_base_of_the_same_fingerprint(banks, tmp_path):
    published = tmp_path / "published.duckdb"
    pub, _ = load_all(banks["deltas"], {DEFAULT_AS_OF}, published)
    pub.execute("create schema meta")
    pub.execute("create table meta.build_info (build_id varchar, reuse_fingerprint varchar)")
    pub.execute("insert into meta.build_info values ('b1', 'abc')")
    pub.close()
    outcomes = {}
    for ours in ("abc", "other"):
        con = duckdb.connect()
        ensure_raw_schema(con)
        plans = plan_batches(banks["deltas"], {NEXT_DAY})
        resolve_bases(plans, attach_published(con, published))
        register_batches(con, plans)
        for plan in plans:
            if plan.status == "published":
                load_batch(con, plan)
        reasons = record_reuse(con, plans, published, ours)
        outcomes[ours] = (reasons, con.execute(
            "select batch_id, base_batch_id, base_as_of_date, published_path, fingerprint "
            "from raw.reuse").fetchall())
    delta = next(p for p in plans if p.manifest.as_of == NEXT_DAY)
    assert outcomes["abc"] == ([
        f"{delta.batch_id}: the {len(delta_loan_ids(folder(banks['deltas'], NEXT_DAY)))} loans "
        f"the delta changed are computed; the others' results are copied from {published} "
        "where they do not depend on the date"],
        [(delta.batch_id, delta.base.batch_id, DEFAULT_AS_OF, str(published), "abc")])
    assert outcomes["other"] == ([
        f"{delta.batch_id}: every loan computed: the published warehouse was built by other "
        "code or rules (fingerprint differs)"], [])
