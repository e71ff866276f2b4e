"""A branch officer's view of the warehouse: every table limited to the officer's branches.

DuckDB has no row-level permissions, so the scope is built for each (cached) query: an in-memory
database attaches the published file read-only (under its own catalog name, which its views
use) and defines, for every table and view of
it, a view of the same schema and name that keeps only the rows of the branches in scope. The
page's SQL runs unchanged against those views, so a page added later is scoped without knowing it.

How a table is limited, by its columns (first match):

* ``branch``: rows of the branches in scope;
* ``loan_id``: rows of loans booked in those branches (matched with ``batch_id`` or
  ``portfolio_id`` when the table has them);
* ``borrower_id`` / ``guarantor_id``: rows of borrowers and guarantors of those loans (a
  counterparty's bank-wide exposure, keyed by ``counterparty_id``, is not one of them);
* ``reporting.portfolio_summary``: recomputed from the scoped ``reporting.loans``, for the
  portfolios with loans of those branches (the columns that cannot be recomputed are NULL, never
  the bank-wide figure);
* reference data, metadata and batch bookkeeping (:data:`UNSCOPED_SCHEMAS`,
  :data:`UNSCOPED_TABLES`): as they are;
* anything else (bank-wide ratios, indices, rejected raw records ...): empty. A new table is
  therefore hidden from officers until it is scoped here: the safe default.

The branches are inserted with bound parameters; only identifiers read from the warehouse's own
catalog are written into the SQL, quoted.
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Sequence
from pathlib import Path

import duckdb

from postloan import publish

UNSCOPED_SCHEMAS = frozenset({"reference", "meta"})
UNSCOPED_TABLES = frozenset(
    {
        ("reporting", "batches"),
        ("reporting", "load_reconciliation"),
        ("staging", "stg_landing__batches"),
        ("staging", "stg_landing__industries"),
        ("staging", "stg_landing__industry_indicators"),
    }
)
SCOPE_SCHEMA = "_scope"
LOANS_TABLE = ("staging", "stg_landing__loans")

# portfolio_summary column -> (aggregate over the scoped reporting.loans, columns it needs)
SUMMARY_AGGREGATES: dict[str, tuple[str, tuple[str, ...]]] = {
    "loan_count": ("count(*) filter (where loan_status = 'outstanding')", ("loan_status",)),
    "outstanding_principal": ("sum(outstanding_principal)", ("outstanding_principal",)),
    "overdue_loan_count": ("count(*) filter (where dpd > 0)", ("dpd",)),
    "overdue_principal": (
        "sum(outstanding_principal) filter (where dpd > 0)",
        ("outstanding_principal", "dpd"),
    ),
    "past_due_principal": ("sum(overdue_principal)", ("overdue_principal",)),
    "dpd_over_90_principal": (
        "sum(outstanding_principal) filter (where dpd > 90)",
        ("outstanding_principal", "dpd"),
    ),
    "closed_loan_count": ("count(*) filter (where loan_status = 'closed')", ("loan_status",)),
    "written_off_loan_count": (
        "count(*) filter (where loan_status = 'written_off')",
        ("loan_status",),
    ),
}


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


WH_NAME: contextvars.ContextVar[str] = contextvars.ContextVar("scope_catalog")


def _source(schema: str, table: str) -> str:
    return f"{_q(WH_NAME.get())}.{_q(schema)}.{_q(table)}"


def connect_scoped(warehouse: str, branches: Sequence[str]) -> duckdb.DuckDBPyConnection:
    """An in-memory connection whose tables are the warehouse's, limited to ``branches``."""
    con = duckdb.connect(":memory:")
    try:
        # Attached under its own default name: the warehouse's views name their catalog.
        con.execute(f"attach '{warehouse.replace(chr(39), chr(39) * 2)}' (read_only)")
        (name,) = con.execute(
            "select database_name from duckdb_databases() "
            "where not internal and database_name <> 'memory'"
        ).fetchone()
        token = WH_NAME.set(name)
        try:
            _define_views(con, tuple(branches), _catalog(con, warehouse))
        finally:
            WH_NAME.reset(token)
    except BaseException:
        con.close()
        raise
    return con


# The catalog of a published file never changes (a new build is a new file), so it is read once
# per file signature: listing the columns is most of the cost of a scoped connection.
_CATALOGS: dict[tuple[str, tuple[int, int]], dict[tuple[str, str], dict[str, str]]] = {}
_CATALOGS_LOCK = threading.Lock()


def _catalog(
    con: duckdb.DuckDBPyConnection, warehouse: str
) -> dict[tuple[str, str], dict[str, str]]:
    signature = publish.published_signature(Path(warehouse))
    key = (warehouse, tuple(signature) if signature else (0, 0))
    with _CATALOGS_LOCK:
        found = _CATALOGS.get(key)
    if found is None:
        found = _columns(con)
        with _CATALOGS_LOCK:
            if len(_CATALOGS) > 16:
                _CATALOGS.clear()
            _CATALOGS[key] = found
    return found


def _columns(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], dict[str, str]]:
    rows = con.execute(
        "select schema_name, table_name, column_name, data_type from duckdb_columns() "
        "where database_name = ? order by schema_name, table_name, column_index",
        [WH_NAME.get()],
    ).fetchall()
    tables: dict[tuple[str, str], dict[str, str]] = {}
    for schema, table, column, data_type in rows:
        tables.setdefault((schema, table), {})[column] = data_type
    return tables


def _define_views(
    con: duckdb.DuckDBPyConnection,
    branches: tuple[str, ...],
    tables: dict[tuple[str, str], dict[str, str]],
) -> None:
    s = SCOPE_SCHEMA
    con.execute(f"create schema {s}")
    con.execute(f"create table {s}.branches(branch varchar)")
    if branches:
        con.executemany(f"insert into {s}.branches values (?)", [[b] for b in branches])
    in_scope = f"(select branch from {s}.branches)"
    loans_cols = tables.get(LOANS_TABLE, {})
    keys = [c for c in ("batch_id", "portfolio_id", "loan_id", "borrower_id") if c in loans_cols]
    if "loan_id" in loans_cols and "branch" in loans_cols:
        con.execute(
            f"create table {s}.loans as select distinct {', '.join(keys)} "
            f"from {_source(*LOANS_TABLE)} where branch in {in_scope}"
        )
    else:  # no loans to scope by: nothing is in scope
        con.execute(
            f"create table {s}.loans(batch_id varchar, portfolio_id varchar, loan_id varchar, "
            "borrower_id varchar)"
        )
        keys = ["batch_id", "portfolio_id", "loan_id", "borrower_id"]
    guarantees = tables.get(("staging", "stg_landing__guarantees"), {})
    parties = f"select borrower_id as party_id from {s}.loans"
    if {"loan_id", "guarantor_id"} <= set(guarantees):
        parties += (
            f" union select g.guarantor_id from {_source('staging', 'stg_landing__guarantees')} g "
            f"where exists (select 1 from {s}.loans l where l.loan_id = g.loan_id"
            + (" and l.batch_id = g.batch_id" if "batch_id" in guarantees and "batch_id" in keys
               else "")
            + ")"
        )
    con.execute(f"create table {s}.parties as {parties}")

    statements = [
        f"create schema if not exists {_q(schema)}"
        for schema in sorted({schema for schema, _ in tables})
        if schema != "main"
    ]
    statements += [
        f"create view {_q(schema)}.{_q(table)} as "
        + _scoped_select(schema, table, columns, tables, in_scope, keys)
        for (schema, table), columns in tables.items()
    ]
    con.execute(";\n".join(statements))  # one round trip: no user input in these statements


def _scoped_select(
    schema: str,
    table: str,
    columns: dict[str, str],
    tables: dict[tuple[str, str], dict[str, str]],
    in_scope: str,
    keys: list[str],
) -> str:
    s = SCOPE_SCHEMA
    source = f"{_source(schema, table)} as t"
    if schema in UNSCOPED_SCHEMAS or (schema, table) in UNSCOPED_TABLES:
        return f"select * from {source}"
    if (schema, table) == ("reporting", "portfolio_summary"):
        return _summary_select(columns, tables.get(("reporting", "loans"), {}), in_scope)
    if "branch" in columns:
        return f"select * from {source} where t.branch in {in_scope}"
    if "loan_id" in columns:
        match = " and ".join(
            f"l.{k} = t.{k}" for k in ("batch_id", "portfolio_id", "loan_id")
            if k in columns and k in keys
        )
        return f"select * from {source} where exists (select 1 from {s}.loans l where {match})"
    for party in ("borrower_id", "guarantor_id"):
        if party in columns:
            return (
                f"select * from {source} "
                f"where t.{party} in (select party_id from {s}.parties)"
            )
    return f"select * from {source} where false"


def _summary_select(
    columns: dict[str, str], loan_columns: dict[str, str], in_scope: str
) -> str:
    """portfolio_summary recomputed from the scoped loans, same columns and types."""
    aggregates = []
    replaced = []
    for column, data_type in columns.items():
        rule = SUMMARY_AGGREGATES.get(column)
        if rule is None:
            continue
        expression, needs = rule
        if "branch" in loan_columns and all(n in loan_columns for n in needs):
            aggregates.append(f"{expression} as {_q(column)}")
            replaced.append(f"coalesce(a.{_q(column)}, 0)::{data_type} as {_q(column)}")
        else:
            replaced.append(f"null::{data_type} as {_q(column)}")
    if not replaced:
        return f"select * from {_source('reporting', 'portfolio_summary')}"
    loans = _source("reporting", "loans")
    totals = (
        f"select portfolio_id, as_of_date, {', '.join(aggregates)} from {loans} "
        f"where branch in {in_scope} group by all"
        if aggregates
        else "select null::varchar as portfolio_id, null::date as as_of_date where false"
    )
    # Only the portfolios with a loan of the branches (at any as-of date) are listed.
    return (
        f"with a as ({totals}) select t.* replace ({', '.join(replaced)}) "
        f"from {_source('reporting', 'portfolio_summary')} as t "
        "left join a using (portfolio_id, as_of_date) "
        f"where t.portfolio_id in (select portfolio_id from {loans} where branch in {in_scope})"
    )
