"""Load landing batches into the ``raw`` schema, quarantining every row that breaks the contract.

Per file: records are read as text in Python (any encoding or format), counted as they stream by,
and handed to DuckDB in Arrow chunks. Typing and every row rule then run as set-based SQL, so the
same code serves ten rows or thirty million. Each record ends in exactly one of three places:
``raw.<entity>`` (loaded), ``raw.rejects`` (one row per broken cell, with file, line, column, rule
and raw value) or ``raw.skipped`` (blank lines, repeated headers, totals lines), so
loaded + rejected + skipped = data records, which ``raw.load_log`` states per file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.types as pt

from postloan import personal
from postloan.landing import contract as c
from postloan.landing import parquet_fast
from postloan.landing.manifest import (
    Manifest,
    ManifestError,
    completeness_problems,
    find_batches,
    read_manifest,
)
from postloan.landing.readers import LandingFileError, open_records

CHUNK_ROWS = 200_000
HEADER_SEARCH_LINES = 10  # how far below the first line a header may stand (title rows)
TOTAL_WORDS = ("合计", "总计", "小计", "total", "totals", "grand total", "sum")
META_COLUMNS = (
    ("batch_id", "VARCHAR"),
    ("source_file", "VARCHAR"),
    ("line_number", "BIGINT"),
)


@dataclass
class FileLoadResult:
    batch_id: str
    entity: str
    source_file: str
    encoding: str
    data_lines: int
    loaded: int
    rejected: int
    skipped: int
    seconds: float
    unknown_columns: list[str] = field(default_factory=list)
    control_rows: int | None = None
    control_sums: dict[str, str] = field(default_factory=dict)
    file_sums: dict[str, str] = field(default_factory=dict)

    @property
    def reconciles(self) -> bool:
        return self.loaded + self.rejected + self.skipped == self.data_lines


@dataclass
class BatchPlan:
    manifest: Manifest
    batch_id: str
    # published | superseded | not_selected | incomplete | base_only (a delta's base, read only
    # to compose the delta and not kept in this build)
    status: str
    superseded_by: str | None = None
    landing: Path | None = None  # file paths in the audit tables are relative to it
    reason: str | None = None  # why a batch is not loaded, when it is incomplete
    base: BatchPlan | None = None  # a delta's base: the batch in force on its base_as_of
    # Where the base's rows are read from: "build" (loaded in this build) or "published" (the
    # published warehouse, attached as PUBLISHED_ALIAS, which already holds them).
    base_source: str = "build"

    @property
    def is_delta(self) -> bool:
        return self.manifest.delivery == "delta"

    def effective_absent(self) -> dict[str, str]:
        """Entities with no rows and why: a delta inherits its base's, less what it delivers."""
        if self.base is None:
            return dict(self.manifest.absent)
        inherited = self.base.effective_absent()
        return {k: v for k, v in inherited.items() if k not in self.manifest.files}

    def effective_capital(self) -> dict[str, Decimal | None]:
        """A delta that states no capital figure keeps its base's."""
        own = self.manifest.capital
        if self.base is None or any(v is not None for v in own.values()):
            return own
        return self.base.effective_capital()


# --------------------------------------------------------------------------------------------
# Schema


def ensure_raw_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema if not exists raw")
    for entity in c.ENTITIES:
        cols = ", ".join(f"{col.name} {c.SQL_TYPES[col.type]}" for col in entity.columns)
        meta = ", ".join(f"{name} {typ}" for name, typ in META_COLUMNS)
        con.execute(f"create table if not exists raw.{entity.name} ({cols}, {meta})")
    con.execute("""
        create table if not exists raw.rejects (
            batch_id varchar, entity varchar, source_file varchar, line_number bigint,
            column_name varchar, rule varchar, reason varchar, raw_value varchar,
            raw_record varchar)""")
    con.execute("""
        create table if not exists raw.skipped (
            batch_id varchar, entity varchar, source_file varchar, line_number bigint,
            reason varchar, raw_record varchar)""")
    con.execute("""
        create table if not exists raw.load_log (
            batch_id varchar, entity varchar, source_file varchar, encoding varchar,
            data_lines bigint, loaded_rows bigint, rejected_rows bigint, skipped_rows bigint,
            seconds double, unknown_columns varchar, control_rows bigint,
            control_sums varchar, file_sums varchar)""")
    con.execute("""
        create table if not exists raw.batches (
            batch_id varchar primary key, kind varchar, portfolio_id varchar,
            portfolio_name varchar, as_of_date date, currency varchar, provenance varchar,
            delivered_at varchar, folder varchar, batch_status varchar, superseded_by varchar,
            net_capital decimal(20,2), net_tier1_capital decimal(20,2),
            net_capital_prev_quarter decimal(20,2), net_tier1_capital_prev_quarter decimal(20,2),
            capital_provenance varchar, absent_entities varchar, notes varchar,
            status_reason varchar, delivery varchar, base_batch_id varchar)""")
    # A delta's rows carried from its base (docs/landing-contract.md, "Deltas"): with the rows
    # its files loaded they make the batch; base_rows = replaced_rows + carried_rows.
    con.execute("""
        create table if not exists raw.carried (
            batch_id varchar, entity varchar, base_batch_id varchar, base_source varchar,
            base_rows bigint, replaced_rows bigint, carried_rows bigint, seconds double)""")
    # The loans a delta changed, per entity that names a loan: those of the rows its files
    # delivered and of the base's rows they replaced (a payment moved to another loan changes
    # both); for the borrowers it delivered, the base's loans of those borrowers (a borrower's
    # type decides its loans' obligor rules). A daily build reuses the published results of the
    # other loans (postloan/reuse.py).
    con.execute("""
        create table if not exists raw.changed_loans (
            batch_id varchar, entity varchar, loan_id varchar)""")
    # Deltas whose unchanged loans' results are copied from the published warehouse, which
    # the same code and rules built from their base (postloan/reuse.py).
    con.execute("""
        create table if not exists raw.reuse (
            batch_id varchar, base_batch_id varchar, base_as_of_date date,
            published_path varchar, fingerprint varchar)""")
    con.execute("""
        create table if not exists raw.code_map (
            entity varchar, column_name varchar, spelling varchar, code varchar)""")
    if con.execute("select count(*) from raw.code_map").fetchone()[0] == 0:
        rows = [
            (entity.name, col.name, spelling, code)
            for entity in c.ENTITIES
            for col in entity.columns
            if col.codes
            for spelling, code in c.code_lookup(col).items()
        ]
        con.executemany("insert into raw.code_map values (?, ?, ?, ?)", rows)


# --------------------------------------------------------------------------------------------
# Batches


def plan_batches(landing: Path, as_of: set[dt.date] | None = None) -> list[BatchPlan]:
    """Find every batch, check it is complete, and decide which one is in force per date.

    For each (portfolio, as-of date) the batch delivered last (``delivered_at``, then folder name)
    is published and the earlier ones are recorded as superseded by it. A batch still being
    delivered (a listed file missing or not yet at its stated size) is recorded as incomplete with
    the reason and not loaded, so it holds up no other batch; a manifest that cannot be read stops
    the build, since only a person can fix it.
    """
    folders = find_batches(landing)
    if not folders:
        raise ManifestError(f"{landing}: no batch found (no manifest.yaml in any folder)")
    manifests = [read_manifest(folder) for folder in folders]
    plans: list[BatchPlan] = []
    complete: list[Manifest] = []
    for m in manifests:
        problems = completeness_problems(m)
        if problems:
            digest = hashlib.sha256(m.manifest_path.read_bytes()).hexdigest()[:12]
            plans.append(BatchPlan(m, f"{m.portfolio_id}@{m.as_of.isoformat()}#incomplete-{digest}",
                                   "incomplete", landing=landing, reason="; ".join(problems)))
        else:
            complete.append(m)
    if not complete:
        raise ManifestError(f"{landing}: no complete batch: "
                            + " | ".join(f"{p.manifest.manifest_path}: {p.reason}" for p in plans))
    groups: dict[tuple[str, dt.date], list[Manifest]] = {}
    for m in complete:
        groups.setdefault((m.portfolio_id, m.as_of), []).append(m)
    in_force: dict[tuple[str, dt.date], BatchPlan] = {}
    # Each portfolio's dates in order, so a delta's base (an earlier date of the same portfolio)
    # is decided, and later loaded, before the delta.
    for (portfolio, as_of_date), members in sorted(groups.items()):
        members.sort(key=lambda m: (m.delivered_at, str(m.folder)))
        bases: list[BatchPlan | None] = []
        ids = []
        for m in members:
            base = in_force.get((portfolio, m.base_as_of)) if m.delivery == "delta" else None
            bases.append(base)
            ids.append(m.batch_id(base.batch_id if base else None))
        usable = [i for i, m in enumerate(members) if m.delivery != "delta" or bases[i]]
        for i, m in enumerate(members):
            if m.delivery == "delta" and bases[i] is None:
                plans.append(BatchPlan(
                    m, ids[i], "incomplete", landing=landing,
                    reason=f"delta on {m.base_as_of}: no complete batch of {portfolio} for that "
                           f"date under {landing}"))
        if not usable:
            continue
        winner = usable[-1]
        selected = (as_of is None or as_of_date in as_of
                    or members[winner].kind == "reference")
        for i in usable:
            m = members[i]
            if i == winner:
                plan = BatchPlan(m, ids[i], "published" if selected else "not_selected",
                                 landing=landing, base=bases[i])
                in_force[(portfolio, as_of_date)] = plan
                plans.append(plan)
            else:
                plans.append(BatchPlan(m, ids[i], "superseded", ids[winner], landing=landing,
                                       base=bases[i]))
    return plans


# What the published warehouse is attached as while a delta reads its base from it.
PUBLISHED_ALIAS = "postloan_published_base"


def resolve_bases(plans: list[BatchPlan], published: set[str]) -> None:
    """Decide where each published delta reads its base from.

    A base loaded in this build is read from it. A base not selected for this build is read from
    the published warehouse when that holds it (``published``: the batch ids it has), and is
    otherwise loaded from its files as ``base_only``: read to compose the delta, then removed.
    """
    def need(plan: BatchPlan) -> None:
        base = plan.base
        if base is None:
            return
        if base.status in ("published", "base_only"):
            plan.base_source = "build"
        elif base.batch_id in published:
            plan.base_source = "published"
        else:
            base.status = "base_only"
            base.reason = f"loaded only as the base of the delta {plan.batch_id}"
            plan.base_source = "build"
            need(base)

    for plan in plans:
        if plan.status == "published" and plan.is_delta:
            need(plan)


def register_batches(con: duckdb.DuckDBPyConnection, plans: list[BatchPlan]) -> None:
    for p in plans:
        m = p.manifest
        capital = p.effective_capital()
        con.execute("delete from raw.batches where batch_id = ?", [p.batch_id])
        con.execute(
            "insert into raw.batches values "
            "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [p.batch_id, m.kind, m.portfolio_id, m.portfolio_name, m.as_of, m.currency or None,
             m.provenance, m.delivered_at, str(m.folder), p.status, p.superseded_by,
             capital["net_capital"], capital["net_tier1_capital"],
             capital["net_capital_prev_quarter"], capital["net_tier1_capital_prev_quarter"],
             m.capital_provenance, json.dumps(p.effective_absent(), ensure_ascii=False),
             str(m.raw.get("notes") or ""), p.reason, m.delivery,
             p.base.batch_id if p.base else None],
        )


# --------------------------------------------------------------------------------------------
# SQL pieces, generated from the contract only (identifiers come from the fixed column list;
# every value from a file is bound or read from a table, never pasted into SQL text).


def _clean(col: str) -> str:
    return f"nullif(trim(c_{col}), '')"


def _number_text(col: str) -> str:
    return f"replace(replace({_clean(col)}, ',', ''), ' ', '')"


# Full-width digits and punctuation, and the other minus signs, as their ASCII forms.
WIDE_FROM = "０１２３４５６７８９．，－＋−（）／"
WIDE_TO = "0123456789.,-+-()/"


def _wide_to_ascii(expr: str) -> str:
    return f"translate({expr}, '{WIDE_FROM}', '{WIDE_TO}')"


def _number_normalised(col: str) -> str:
    """Number text as a bank's export may write it: full-width digits and commas, thousands
    separators, currency signs and words (¥ ￥ $ 元 RMB CNY), accounting negatives (1,000.00)."""
    text = (f"regexp_replace({_wide_to_ascii(_clean(col))}, "
            f"'[,\\s¥￥$€£元]|RMB|CNY|人民币', '', 'g')")
    return (f"(case when regexp_full_match({text}, '\\((.*)\\)') "
            f"then '-' || regexp_extract({text}, '^\\((.*)\\)$', 1) else {text} end)")


def native_type_ok(col: c.Column, arrow_type) -> bool:
    """Can a Parquet column of this Arrow type be typed by a cast, without text? (Only where the
    cast accepts exactly what the text path would: decimals with no more places than the contract
    allows, integers, dates, booleans.)"""
    if col.type == c.DATE:
        return pt.is_date32(arrow_type)
    if col.type == c.INTEGER:
        return pt.is_integer(arrow_type)
    if col.type in (c.MONEY, c.RATE, c.NUMBER):
        return pt.is_integer(arrow_type) or (
            pt.is_decimal(arrow_type) and 0 <= arrow_type.scale <= c.MAX_SCALE[col.type])
    if col.type == c.BOOLEAN:
        return pt.is_boolean(arrow_type)
    return False


def _through_18_digits(value: str, type_: str) -> str:
    """A number parsed through an 18-digit decimal (64-bit, fast), then given the contract's type
    when that is another: casting text straight to a wider decimal is two orders of magnitude
    slower in DuckDB."""
    parsed = f"try_cast({value} as decimal(18, {c.MAX_SCALE[type_]}))"
    if c.SQL_TYPES[type_] == f"DECIMAL(18,{c.MAX_SCALE[type_]})":
        return parsed
    return f"try_cast({parsed} as {c.SQL_TYPES[type_]})"


def typed_expr(entity: c.Entity, col: c.Column, native: bool = False) -> str:
    """The typed value of a cell: parsed from its text, or (``native``) cast from the value a
    Parquet file already stores with the contract's type (same limits as the text path)."""
    if native:
        if col.type in (c.MONEY, c.RATE, c.NUMBER, c.INTEGER):
            return _through_18_digits(f"c_{col.name}", col.type)
        return f"try_cast(c_{col.name} as {c.SQL_TYPES[col.type]})"
    v = _clean(col.name)
    if col.type == c.TEXT:
        return v
    if col.type == c.DATE:
        # Fast path for ISO and the usual variants; then full-width digits, 2024年2月29日 and
        # Excel serial day numbers (5 digits: 1927-05-18 to 2173-10-14), only for the rest.
        wide = _wide_to_ascii(v)
        return (f"coalesce(try_strptime({v}, '%Y-%m-%d'), try_strptime({v}, '%Y/%m/%d'), "
                f"try_strptime({v}, '%Y%m%d'), try_strptime({wide}, '%Y-%m-%d'), "
                f"try_strptime({wide}, '%Y/%m/%d'), try_strptime({wide}, '%Y%m%d'), "
                f"try_strptime({wide}, '%Y年%m月%d日'), "
                f"case when regexp_full_match({wide}, '[0-9]{{5}}(\\.0+)?') "
                f"then (date '1899-12-30' + cast(floor(cast({wide} as double)) as integer))"
                f"::timestamp end)::date")
    if col.type in (c.MONEY, c.RATE, c.NUMBER, c.INTEGER):
        if col.type == c.INTEGER:
            pattern = r"^[+-]?[0-9]+$"
        else:
            pattern = r"^[+-]?[0-9]+(\.[0-9]{1," + str(c.MAX_SCALE[col.type]) + r"})?$"
        plain, wide = _number_text(col.name), _number_normalised(col.name)
        return (f"case when regexp_full_match({plain}, '{pattern}') "
                f"then {_through_18_digits(plain, col.type)} "
                f"when regexp_full_match({wide}, '{pattern}') "
                f"then {_through_18_digits(wide, col.type)} end")
    if col.type == c.BOOLEAN:
        trues = ", ".join(f"'{w}'" for w in c.TRUE_WORDS)
        falses = ", ".join(f"'{w}'" for w in c.FALSE_WORDS)
        return (f"case when lower({v}) in ({trues}) then true "
                f"when lower({v}) in ({falses}) then false end")
    if col.type == c.CODE:
        return f"code_{col.name}.code"  # joined in _check_and_insert
    raise ValueError(col.type)


def _expected(col: c.Column) -> str:
    if col.type == c.DATE:
        return "a date YYYY-MM-DD (or YYYY/MM/DD, YYYYMMDD, YYYY年M月D日, an Excel day number)"
    if col.type in (c.MONEY, c.RATE, c.NUMBER):
        scale = c.MAX_SCALE[col.type]
        return (f"a decimal number with at most {scale} decimal places and {18 - scale} digits "
                f"before the point")
    if col.type == c.INTEGER:
        return "a whole number"
    if col.type == c.BOOLEAN:
        return "true/false (是/否)"
    if col.type == c.CODE:
        return "one of " + ", ".join(col.codes)
    return "text"


# A date cell shaped like year, month and day (2018-02-30, 2018/2/30, 20180230, 2018年2月30日),
# so a parse failure means the day does not exist rather than a wrong format.
DATE_PARTS = r"^([0-9]{4})(?:[-/年]([0-9]{1,2})[-/月]([0-9]{1,2})日?|([0-9]{2})([0-9]{2}))$"


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def reason_sql(col: c.Column, rule: str, reason: str, native: bool = False) -> str:
    """The reason of a broken rule as SQL over the checked row: the fixed text, except for a
    date-shaped cell that names no real day, where it says which part does not exist."""
    literal = _literal(reason)
    if col.type != c.DATE or rule != "type" or native:
        return literal
    text = _wide_to_ascii(_clean(col.name))
    part = {n: (f"cast(coalesce(nullif(regexp_extract({text}, '{DATE_PARTS}', {a}), ''), "
                f"regexp_extract({text}, '{DATE_PARTS}', {b})) as integer)")
            for n, a, b in (("month", 2, 4), ("day", 3, 5))}
    year = f"cast(regexp_extract({text}, '{DATE_PARTS}', 1) as integer)"
    days = (f"day(last_day(make_date({year}, {part['month']}, 1)))")
    return (f"case when not regexp_full_match({text}, '{DATE_PARTS}') then {literal} "
            f"when {part['month']} not between 1 and 12 then '{col.name}: ' || {text} "
            f"|| ' is not a date: there is no month ' || {part['month']} "
            f"when {part['day']} = 0 or {part['day']} > {days} then '{col.name}: ' || {text} "
            f"|| ' is not a date: ' || {year} || '-' || lpad({part['month']}::varchar, 2, '0') "
            f"|| ' has ' || {days} || ' days' else {literal} end")


def error_exprs(entity: c.Entity, col: c.Column,
                native: bool = False) -> list[tuple[str, str, str]]:
    """(rule, SQL condition on the checked row, reason) for one column."""
    rules = []
    cell = f"c_{col.name}" if native else _clean(col.name)
    if col.required:
        rules.append(("required", f"{cell} is null",
                      f"{col.name} is required but empty"))
    if col.type != c.TEXT:
        rules.append(("type", f"{cell} is not null and v_{col.name} is null",
                      f"{col.name} must be {_expected(col)}"))
    if col.nonnegative:
        rules.append(("nonnegative", f"v_{col.name} < 0", f"{col.name} must not be negative"))
    return rules


ROW_RULES: dict[str, list[tuple[str, str, str, str]]] = {
    # entity -> (column, rule, condition, reason)
    "loans": [
        ("maturity_date", "maturity_after_disbursement",
         "v_maturity_date <= v_disbursement_date",
         "maturity_date must be after disbursement_date"),
    ],
    "repayment_schedule": [
        ("installment_no", "installment_from_one", "v_installment_no < 1",
         "installment_no starts at 1"),
    ],
}


# --------------------------------------------------------------------------------------------
# One file


def _classify(cells: list[str], header_norm: list[str]) -> str | None:
    """Why a record is not a data record (None = it is one). Runs once per line: keep it cheap."""
    first = next((x for x in cells if x and not x.isspace()), None)
    if first is None:
        return "blank line"
    if c.normalise_header(cells[0]) == header_norm[0] and \
            [c.normalise_header(x) for x in cells[: len(header_norm)]] == header_norm:
        return "repeated header"
    if first.strip().rstrip(":：").strip().lower() in TOTAL_WORDS:
        return "totals line"
    return None


def _map_header(entity: c.Entity, header: list[str]
                ) -> tuple[dict[str, int], list[str], str | None]:
    """Column positions, unknown column names, and what makes this line unusable as the header
    (None when it is a complete one)."""
    lookup = c.header_lookup(entity)
    positions: dict[str, int] = {}
    unknown: list[str] = []
    for i, name in enumerate(header):
        col = lookup.get(c.normalise_header(name))
        if col is None:
            if name.strip():
                unknown.append(name.strip())
        elif col in positions:
            return positions, unknown, (f"column '{name}' maps to {col}, which already appears "
                                        f"as '{header[positions[col]]}'")
        else:
            positions[col] = i
    for col in entity.columns:
        if col.required and col.name not in positions:
            spellings = " / ".join((col.name, *col.aliases))
            return positions, unknown, (f"required column {col.name} ({spellings}) is missing "
                                        f"from the header")
    return positions, unknown, None


def load_file(con: duckdb.DuckDBPyConnection, manifest: Manifest, batch_id: str,
              entity: c.Entity, landing: Path | None = None) -> FileLoadResult:
    started = time.perf_counter()
    entry = manifest.files[entity.name]
    path = entry.path
    root = (landing or manifest.folder.parent).resolve()
    rel = str(path.relative_to(root)) if root in path.parents else str(path)
    stream = open_records(path, entity.name)
    header, header_line = stream.header, stream.header_line
    positions, unknown, problem = _map_header(entity, header)
    titles: list[tuple[int, list[str]]] = []
    if problem and not positions:
        # No known column at all: perhaps a title (a merged cell in a spreadsheet) stands above
        # the header. Look a few records further for a line that is a complete header.
        seen: list[tuple[int, list[str]]] = []
        for line, cells in stream.records:
            seen.append((line, cells))
            found, found_unknown, found_problem = _map_header(entity, cells)
            if not found_problem:
                titles = [(header_line, header), *seen[:-1]]
                header, header_line = cells, line
                positions, unknown, problem = found, found_unknown, None
                break
            if len(seen) >= HEADER_SEARCH_LINES:
                break
    if problem:
        raise LandingFileError(f"{path}: line {header_line}: {problem}")
    header_norm = [c.normalise_header(x) for x in header]
    width = len(header)

    names = [col.name for col in entity.columns]
    _create_incoming(con, names)
    con.execute("delete from raw.rejects where batch_id = ? and entity = ?",
                [batch_id, entity.name])
    con.execute("delete from raw.skipped where batch_id = ? and entity = ?",
                [batch_id, entity.name])
    con.execute(f"delete from raw.{entity.name} where batch_id = ?", [batch_id])
    masking = personal.masks(con, entity.name)
    if masking:
        con.execute(f"delete from {personal.ALIAS}.{entity.name} where batch_id = ?", [batch_id])
    con.execute("delete from raw.load_log where batch_id = ? and entity = ?",
                [batch_id, entity.name])
    # A record kept whole (skipped, or with more fields than the header) may hold a name in any
    # cell from the first personal column on (a comma in a name shifts the rest): in a build
    # that keeps personal originals apart it keeps its first cell only (none when a personal
    # column comes first), the rest as ***.
    first_personal = min((positions[n] for n in personal.PERSONAL_COLUMNS
                          if positions.get(n) is not None), default=1)
    masked_from = min(first_personal, 1) if masking else None

    def record_text(cells: list[str]) -> str:
        if masked_from is not None:
            cells = cells[:masked_from] + ["***" if x and not x.isspace() else x
                                           for x in cells[masked_from:]]
        return json.dumps(cells, ensure_ascii=False)

    data_lines = len(titles)
    skipped: list[tuple] = [(batch_id, entity.name, rel, line, "title above the header",
                             record_text(cells)) for line, cells in titles]
    early_rejects: list[tuple] = []
    buffer: dict[str, list] = {"line_number": [], **{f"c_{n}": [] for n in names}}
    idx = [(f"c_{n}", positions.get(n)) for n in names]

    def flush() -> None:
        if not buffer["line_number"]:
            return
        chunk = pa.table({k: pa.array(v, type=pa.int64() if k == "line_number" else pa.string())
                          for k, v in buffer.items()})
        con.register("_chunk", chunk)
        con.execute("insert into _incoming select * from _chunk")
        con.unregister("_chunk")
        for v in buffer.values():
            v.clear()

    fast = _load_parquet_fast(con, path, entity, idx, header_norm) \
        if stream.encoding == "parquet" else None
    records = iter(()) if fast is not None else stream.records
    native: frozenset[str] = frozenset()
    if fast is not None:
        fast_rows, native = fast
        data_lines += fast_rows
    for line, cells in records:
        data_lines += 1
        reason = _classify(cells, header_norm)
        if reason:
            skipped.append((batch_id, entity.name, rel, line, reason, record_text(cells)))
            continue
        if len(cells) > width and any(x.strip() for x in cells[width:]):
            early_rejects.append((batch_id, entity.name, rel, line, None, "field_count",
                                  f"record has {len(cells)} fields, the header has {width}",
                                  None, record_text(cells)))
            continue
        buffer["line_number"].append(line)
        for key, pos in idx:
            buffer[key].append(cells[pos] if pos is not None and pos < len(cells) else None)
        if len(buffer["line_number"]) >= CHUNK_ROWS:
            flush()
    flush()
    if skipped:
        con.executemany("insert into raw.skipped values (?, ?, ?, ?, ?, ?)", skipped)
    if early_rejects:  # their records are masked already (record_text)
        con.executemany("insert into raw.rejects values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        early_rejects)

    loaded, rejected = _check_and_insert(con, manifest, batch_id, entity, rel, native)
    rejected += len(early_rejects)

    file_sums = {}
    money_cols = [col.name for col in entity.columns if col.type == c.MONEY]
    if money_cols:
        sums = con.execute(
            "select " + ", ".join(f"sum(v_{n})" for n in money_cols) + " from _checked"
        ).fetchone()
        file_sums = {n: str(v if v is not None else Decimal("0.00"))
                     for n, v in zip(money_cols, sums, strict=True)}
    result = FileLoadResult(
        batch_id=batch_id, entity=entity.name, source_file=rel, encoding=stream.encoding,
        data_lines=data_lines, loaded=loaded, rejected=rejected, skipped=len(skipped),
        seconds=time.perf_counter() - started, unknown_columns=unknown,
        control_rows=entry.rows, control_sums={k: str(v) for k, v in entry.sums.items()},
        file_sums=file_sums,
    )
    con.execute(
        "insert into raw.load_log values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [batch_id, entity.name, rel, stream.encoding, result.data_lines, result.loaded,
         result.rejected, result.skipped, result.seconds, json.dumps(unknown, ensure_ascii=False),
         entry.rows, json.dumps(result.control_sums), json.dumps(file_sums)],
    )
    con.execute("drop table if exists _incoming")
    con.execute("drop table if exists _checked")
    con.execute("drop table if exists _errors")
    return result


def _load_parquet_fast(con: duckdb.DuckDBPyConnection, path: Path, entity: c.Entity,
                       idx: list[tuple[str, int | None]], header_norm: list[str]
                       ) -> tuple[int, frozenset[str]] | None:
    """Records of a Parquet file into _incoming through Arrow (landing/parquet_fast.py): the
    number of records and the columns kept with their stored type (``native_type_ok``; _incoming
    then holds them typed, not as text), or None (and _incoming empty, all text) for the general
    path."""
    count = 0
    try:
        types = parquet_fast.file_types(path)
        by_key = {f"c_{col.name}": col for col in entity.columns}
        native_keys = frozenset(key for key, pos in idx if pos is not None and pos < len(types)
                                and native_type_ok(by_key[key], types[pos]))
        positions = frozenset(pos for key, pos in idx if key in native_keys)
        first = True
        for columns in parquet_fast.text_batches(path, header_norm[0], TOTAL_WORDS, positions):
            n = len(columns[0])
            chunk = pa.table({
                "line_number": pa.array(range(count + 2, count + 2 + n), pa.int64()),
                **{key: columns[pos] if pos is not None else pa.nulls(n, pa.string())
                   for key, pos in idx},
            })
            con.register("_chunk", chunk)
            if first and native_keys:
                # _incoming takes the native columns' types from the file.
                con.execute("create or replace temp table _incoming as "
                            "select * from _chunk limit 0")
            first = False
            con.execute("insert into _incoming select * from _chunk")
            con.unregister("_chunk")
            count += n
    except parquet_fast.NotFast:
        _create_incoming(con, [col.name for col in entity.columns])
        return None
    return count, frozenset(k.removeprefix("c_") for k in native_keys)


def _written(column: str, value: str, masking: bool) -> str:
    """What the loader writes of one column: a personal column masked when the build keeps its
    originals apart (postloan/personal.py), anything else as it is."""
    if masking and column in personal.PERSONAL_COLUMNS:
        return personal.masked_expression(column, value)
    return value


def _rejects_columns(con: duckdb.DuckDBPyConnection) -> str:
    """The select list of a quarantined row: its personal fields as *** in a build that keeps
    personal originals apart, so they never enter the build file."""
    if personal.attached(con):
        return personal.rejects_select(c.REJECT_COLUMNS)
    return ", ".join(c.REJECT_COLUMNS)


def _create_incoming(con: duckdb.DuckDBPyConnection, names: list[str]) -> None:
    """The empty table of one file's records: the line number and every cell as text."""
    con.execute("create or replace temp table _incoming (line_number bigint, "
                + ", ".join(f"c_{n} varchar" for n in names) + ")")


def _check_and_insert(con: duckdb.DuckDBPyConnection, manifest: Manifest, batch_id: str,
                      entity: c.Entity, rel: str,
                      native: frozenset[str] = frozenset()) -> tuple[int, int]:
    """Type every cell, find every broken one, insert rejects and the valid rows. The columns in
    ``native`` arrive typed from a Parquet file and are cast, not parsed."""
    typed = []
    for col in entity.columns:
        expr = typed_expr(entity, col, col.name in native)
        if col.name == "provenance":
            expr = f"coalesce({expr}, case when c_provenance is null or trim(c_provenance) = '' " \
                   f"then $provenance end)"
        elif col.name == "currency":
            expr = f"coalesce(upper({expr}), $currency)"
        elif col.name == "event_id":
            expr = f"coalesce({expr}, 'line-' || line_number::varchar)"
        typed.append(f"{expr} as v_{col.name}")
    params = {"provenance": manifest.provenance}
    if "currency" in entity.column_names:
        params["currency"] = manifest.currency or None
    joins = "".join(
        f" left join (select spelling, code from raw.code_map where entity = '{entity.name}' "
        f"and column_name = '{col.name}') as code_{col.name} "
        f"on code_{col.name}.spelling = lower({_clean(col.name)})"
        for col in entity.columns if col.type == c.CODE)
    checks = []
    for col in entity.columns:
        for rule, cond, reason in error_exprs(entity, col, col.name in native):
            checks.append((col.name, rule, cond,
                           reason_sql(col, rule, reason, col.name in native)))
    for col_name, rule, cond, reason in ROW_RULES.get(entity.name, []):
        checks.append((col_name, rule, cond, _literal(reason)))
    # The pass that types the cells also marks the rows that break any rule; each
    # rule then reads only those (a union over every row would scan the file once per rule,
    # and a scan of its own cost 5.9 s on 21.6 million payments).
    suspect = " or ".join(f"coalesce({cond}, false)" for _, _, cond, _ in checks) or "false"
    con.execute("create or replace temp table _checked as select *, " + suspect
                + " as _breaks_a_rule from (select _incoming.*, " + ", ".join(typed)
                + " from _incoming" + joins + ")", params)
    con.execute("drop table _incoming")  # its cells are all in _checked: free the memory
    con.execute("create or replace temp table _suspect as select * from _checked "
                "where _breaks_a_rule")
    def delivered(name: str, table: str = "") -> str:
        """A cell as delivered, as text: a native cell's empty value is empty text, as the text
        path reads it, so a quarantined record reads the same whichever path loaded it."""
        cell = f"{table}.c_{name}" if table else f"c_{name}"
        return f"coalesce({cell}::varchar, '')" if name in native else cell

    union = " union all ".join(
        f"select line_number, '{col}' as column_name, '{rule}' as rule, "
        f"{reason} as reason, {delivered(col)} as raw_value "
        f"from _suspect where {cond}"
        for col, rule, cond, reason in checks)
    con.execute(f"create or replace temp table _errors as {union}")
    con.execute("drop table _suspect")

    def valid_rows() -> str:
        """The rows no rule has rejected so far; while none has, every row, with no anti-join
        (the anti-join alone costs seconds on a file of tens of millions of rows)."""
        if con.execute("select exists (from _errors)").fetchone()[0]:
            return "from _checked where line_number not in (select line_number from _errors)"
        return "from _checked where true"

    # Keys must be unique among otherwise valid rows: every copy is quarantined, since the
    # warehouse cannot know which one the sender meant.
    # Duplicated keys are found with a grouping first, which reads only the key columns; only
    # when there are some are their rows read again for the (ordered, costly) list of lines,
    # instead of an ordered window over every row of the file.
    key_cols = ", ".join(f"v_{k}" for k in entity.key)
    key_text = " || '|' || ".join(f"coalesce(valid.v_{k}::varchar, '')" for k in entity.key)
    key_match = " and ".join(f"valid.v_{k} is not distinct from duplicated.v_{k}"
                             for k in entity.key)
    con.execute(f"create or replace temp table _duplicated_keys as select {key_cols} "
                f"{valid_rows()} group by all having count(*) > 1")
    if con.execute("select exists (from _duplicated_keys)").fetchone()[0]:
        delivered_key = f"c_{entity.key[0]}"
        valid_cols = ", ".join(dict.fromkeys(
            ["line_number", *(f"v_{k}" for k in entity.key), delivered_key]))
        con.execute(f"""
            insert into _errors
            with
            valid as (
                select {valid_cols} {valid_rows()}
            ),
            duplicated as (
                select {key_cols}, string_agg(line_number::varchar, ', ' order by line_number)
                    as lines
                from valid
                semi join _duplicated_keys
                    on {key_match.replace("duplicated.", "_duplicated_keys.")}
                group by all
            )
            select valid.line_number, '{entity.key[0]}', 'unique_key',
                   'duplicate key ' || {key_text} || ' (lines ' || duplicated.lines || ')',
                   {delivered(entity.key[0], "valid")}
            from valid
            join duplicated on {key_match}
        """)
    con.execute("drop table _duplicated_keys")
    for ref in entity.references:
        parent = c.ENTITY_BY_NAME[ref.entity]
        con.execute(f"""
            insert into _errors
            select line_number, '{ref.column}', 'references_{ref.entity}',
                   '{ref.column} ' || v_{ref.column} || ' is not a loaded row of {ref.entity} in '
                       || 'this batch (absent or rejected)',
                   {delivered(ref.column)}
            {valid_rows()}
              and v_{ref.column} is not null
              and v_{ref.column} not in (
                  select {ref.target_column} from raw.{parent.name} where batch_id = $batch)
        """, {"batch": batch_id})

    masking = personal.masks(con, entity.name)

    def recorded(name: str) -> str:
        """A cell in the quarantined record: a personal one as *** (in the file's column order)
        in a build that keeps the originals apart."""
        if masking and name in personal.PERSONAL_COLUMNS:
            return (f"case when coalesce(trim({delivered(name)}), '') <> '' then '***' "
                    f"else {delivered(name)} end")
        return delivered(name)

    record_json = "json_object(" + ", ".join(
        f"'{col.name}', {recorded(col.name)}" for col in entity.columns) + ")::varchar"
    con.execute(f"""
        insert into raw.rejects
        select {_rejects_columns(con)} from (
            select $batch as batch_id, '{entity.name}' as entity, $file as source_file,
                   e.line_number, e.column_name, e.rule, e.reason, e.raw_value,
                   {record_json} as raw_record
            from _errors e join _checked using (line_number)
        )
        order by line_number, column_name
    """, {"batch": batch_id, "file": rel})
    rejected = con.execute("select count(distinct line_number) from _errors").fetchone()[0]
    cols = ", ".join(_written(col.name, f"v_{col.name}", masking) for col in entity.columns)
    con.execute(f"""
        insert into raw.{entity.name}
        select {cols}, $batch, $file, line_number
        {valid_rows()}
    """, {"batch": batch_id, "file": rel})
    if masking:
        key, own = personal.PERSONAL_ENTITIES[entity.name]
        con.execute(f"""
            insert into {personal.ALIAS}.{entity.name}
            select $batch, {", ".join(f"v_{name}" for name in (*key, *own))}
            {valid_rows()}
        """, {"batch": batch_id})
    loaded = con.execute(f"select count(*) from raw.{entity.name} where batch_id = ?",
                         [batch_id]).fetchone()[0]
    return loaded, rejected


# --------------------------------------------------------------------------------------------
# Whole batches


def load_batch(con: duckdb.DuckDBPyConnection, plan: BatchPlan) -> list[FileLoadResult]:
    """Load every delivered entity of one batch, parents before children. A delta's entities
    are each completed from its base right after its own file, so its children's references
    are checked against the whole composed parent."""
    results = []
    for entity in c.ENTITIES:
        if entity.name in plan.manifest.files:
            results.append(load_file(con, plan.manifest, plan.batch_id, entity, plan.landing))
        if plan.is_delta and plan.base is not None:
            carry_from_base(con, entity, plan)
    return results


def carry_from_base(con: duckdb.DuckDBPyConnection, entity: c.Entity, plan: BatchPlan) -> int:
    """Copy into ``plan``'s batch every row of its base whose key the delta did not load;
    record the counts in raw.carried and the loans the delta changes in raw.changed_loans. A
    delta row rejected by a rule therefore leaves the base's row in force (the rejection is in
    raw.rejects)."""
    assert plan.base is not None
    started = time.perf_counter()
    source = "" if plan.base_source == "build" else f"{PUBLISHED_ALIAS}."
    key = ", ".join(entity.key)
    masking = personal.masks(con, entity.name)
    # Rows carried from the published warehouse hold originals: masked here, kept apart below.
    cols = ", ".join(_written(col.name, f"b.{col.name}", masking and bool(source))
                     for col in entity.columns)
    params = {"batch": plan.batch_id, "base": plan.base.batch_id}
    base_rows = con.execute(f"select count(*) from {source}raw.{entity.name} "
                            "where batch_id = ?", [plan.base.batch_id]).fetchone()[0]
    if "loan_id" in entity.column_names:
        # Before the carry: the batch's rows are still only the delta's own.
        replaced = "" if "loan_id" in entity.key else f"""
            union all
            select b.loan_id from {source}raw.{entity.name} as b
            semi join (select {key} from raw.{entity.name} where batch_id = $batch) as d
                using ({key})
            where b.batch_id = $base"""
        con.execute(f"""
            insert into raw.changed_loans
            select distinct $batch, '{entity.name}', loan_id from (
                select loan_id from raw.{entity.name} where batch_id = $batch{replaced})
        """, params if replaced else {"batch": plan.batch_id})
    elif entity.key == ("borrower_id",):
        # The delta's own loans (loaded after their borrowers) are recorded with the loans.
        con.execute(f"""
            insert into raw.changed_loans
            select distinct $batch, '{entity.name}', b.loan_id
            from {source}raw.loans as b
            semi join (select borrower_id from raw.{entity.name} where batch_id = $batch) as d
                using (borrower_id)
            where b.batch_id = $base
        """, params)
    if masking:  # before the carry, while the batch's rows are only the delta's own
        own_key, own = personal.PERSONAL_ENTITIES[entity.name]
        origin = f"{source}raw.{entity.name}" if source else f"{personal.ALIAS}.{entity.name}"
        con.execute(f"""
            insert into {personal.ALIAS}.{entity.name}
            select $batch, {", ".join(f"b.{name}" for name in (*own_key, *own))}
            from {origin} as b
            anti join (select {key} from raw.{entity.name} where batch_id = $batch) as d
                using ({key})
            where b.batch_id = $base
        """, params)
    carried = con.execute(f"""
        insert into raw.{entity.name}
        select {cols}, $batch, b.source_file, b.line_number
        from {source}raw.{entity.name} as b
        anti join (select {key} from raw.{entity.name} where batch_id = $batch) as d
            using ({key})
        where b.batch_id = $base
    """, params).fetchone()[0]
    carry_open_rejects(con, entity, plan, source)
    con.execute("insert into raw.carried values (?, ?, ?, ?, ?, ?, ?, ?)",
                [plan.batch_id, entity.name, plan.base.batch_id, plan.base_source, base_rows,
                 base_rows - carried, carried, time.perf_counter() - started])
    return carried


def carry_open_rejects(con: duckdb.DuckDBPyConnection, entity: c.Entity, plan: BatchPlan,
                       source: str) -> int:
    """Keep the base's quarantined records of ``entity`` that the delta did not deliver again in
    the delta's batch, under their own file and line: a delta names only what changed, so a
    record the base's file got wrong stays open until a delivery carries its key again (loaded
    or rejected once more). A record kept whole (more fields than the header, a JSON list) has
    no named key: it is closed by a delivered row whose key values are all among its cells."""
    assert plan.base is not None
    params = {"batch": plan.batch_id, "base": plan.base.batch_id}
    if not con.execute(f"select count(*) from {source}raw.rejects where batch_id = $base "
                       f"and entity = '{entity.name}'", {"base": plan.base.batch_id}
                       ).fetchone()[0]:
        return 0
    n = len(entity.key)
    json_key = [f"trim(coalesce(json_extract_string(raw_record, '$.{k}'), ''))"
                for k in entity.key]
    row_key = [f"trim(coalesce({k}::varchar, ''))" for k in entity.key]
    same_key = " and ".join(f"o.k_{i} = d.k_{i}" for i in range(n))
    all_in_cells = " and ".join(f"list_contains(w.cells, d.k_{i})" for i in range(1, n)) or "true"
    return con.execute(f"""
        insert into raw.rejects
        with
        open as (
            select *, json_type(raw_record) = 'ARRAY' as kept_whole
            from {source}raw.rejects
            where batch_id = $base and entity = '{entity.name}'
        ),
        -- What the delta delivered of this entity: its loaded rows and its rejected records.
        delivered as (
            select {", ".join(f"{e} as k_{i}" for i, e in enumerate(row_key))}
            from raw.{entity.name} where batch_id = $batch
            union all
            select {", ".join(f"{e} as k_{i}" for i, e in enumerate(json_key))}
            from raw.rejects
            where batch_id = $batch and entity = '{entity.name}'
              and json_type(raw_record) = 'OBJECT'
        ),
        objects as (
            select source_file, line_number,
                   {", ".join(f"{e} as k_{i}" for i, e in enumerate(json_key))}
            from open where not kept_whole
        ),
        wholes as (
            select source_file, line_number, cells, unnest(cells) as k_0
            from (select source_file, line_number,
                         list_transform(json_extract_string(raw_record, '$[*]'),
                                        x -> trim(coalesce(x, ''))) as cells
                  from open where kept_whole)
        ),
        closed as (
            select o.source_file, o.line_number from objects o semi join delivered d
                on {same_key}
            union
            select w.source_file, w.line_number from wholes w join delivered d
                on w.k_0 = d.k_0
            where {all_in_cells}
        )
        select {_rejects_columns(con)} from (
            select $batch as batch_id, entity, source_file, line_number, column_name, rule,
                   reason, raw_value, raw_record
            from open anti join closed using (source_file, line_number)
        )
        order by source_file, line_number, column_name
    """, params).fetchone()[0]


def attach_published(con: duckdb.DuckDBPyConnection, warehouse: Path,
                     alias: str = PUBLISHED_ALIAS) -> set[str]:
    """Attach the published warehouse read-only as ``alias``; return the ids of the batches whose
    raw rows it holds. Nothing (and detached) when there is none or its raw tables are not this
    contract's (a build of older code): the bases are then loaded from their files."""
    if not warehouse.exists():
        return set()
    con.execute("attach '" + str(warehouse).replace("'", "''") + f"' as {alias} (read_only)")
    ours = con.execute("select table_name, list(column_name order by ordinal_position) "
                       "from information_schema.columns where table_catalog = current_database()"
                       " and table_schema = 'raw' group by 1").fetchall()
    theirs = dict(con.execute("select table_name, list(column_name order by ordinal_position) "
                              "from information_schema.columns where table_catalog = ? and "
                              "table_schema = 'raw' group by 1", [alias]).fetchall())
    if any(theirs.get(table) != columns for table, columns in ours):
        con.execute(f"detach {alias}")
        return set()
    return {row[0] for row in con.execute(
        f"select batch_id from {alias}.raw.batches where batch_status = 'published'").fetchall()}


def drop_base_only(con: duckdb.DuckDBPyConnection, plans: list[BatchPlan]) -> None:
    """Remove the rows of batches loaded only to compose a delta: they are not in this build."""
    ids = [p.batch_id for p in plans if p.status == "base_only"]
    if not ids:
        return
    for table in [e.name for e in c.ENTITIES] + ["rejects", "skipped", "load_log", "carried",
                                                 "changed_loans"]:
        con.execute(f"delete from raw.{table} where list_contains($ids, batch_id)", {"ids": ids})
    if personal.attached(con):
        for entity in personal.PERSONAL_ENTITIES:
            con.execute(f"delete from {personal.ALIAS}.{entity} "
                        "where list_contains($ids, batch_id)", {"ids": ids})
