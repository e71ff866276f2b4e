"""A daily build reuses the published results of the loans its delta did not change.

The daily run builds one delta batch (``--as-of`` its date) whose base the published warehouse
holds. For most loans nothing changed overnight: the same schedule, the same payments. A model
whose rows for a loan depend only on rows that did not change copies those rows from the
published warehouse instead of recomputing them, and computes only the loans the delta changed
(raw.changed_loans): the settlement of installments (the loan's own rows) and the month-end
history before the base's date (the rows of the loan and of its borrower's other loans).
docs/operations.md ("Daily builds") says which models do and why their rows cannot differ.

The copy is safe only when the published rows came from the same code and the same rules, so a
build reuses them only when the published warehouse records the same fingerprint: a hash of the
dbt project (models, macros, seeds, dbt_project.yml), the committee's dbt vars and the product's
version. Anything else (a first build, a changed model, macro or var, a snapshot delivery)
computes every loan, as before. The Python code is not in it: both models read only the raw
rows, which a daily build carries from the published warehouse, and the dbt SQL.
"""

from __future__ import annotations

import hashlib
import json

import duckdb

import postloan
from postloan.landing.load import PUBLISHED_ALIAS, BatchPlan
from postloan.paths import DBT_PROJECT_DIR

FINGERPRINT_INPUTS = ("dbt_project.yml", "models", "macros", "seeds")


def fingerprint(dbt_vars: str = "{}") -> str:
    """What a published result depends on besides the data: code, rules and version."""
    digest = hashlib.sha256()
    digest.update(postloan.__version__.encode())
    digest.update(b"\0" + json.dumps(json.loads(dbt_vars or "{}"), sort_keys=True).encode())
    for name in FINGERPRINT_INPUTS:
        root = DBT_PROJECT_DIR / name
        files = [root] if root.is_file() else sorted(
            p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
        for path in files:
            digest.update(b"\0" + path.relative_to(DBT_PROJECT_DIR).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()


def published_fingerprint(con: duckdb.DuckDBPyConnection, alias: str = PUBLISHED_ALIAS
                          ) -> str | None:
    """The fingerprint the attached published warehouse was built with (None: not recorded)."""
    found = con.execute(
        "select count(*) from information_schema.columns where table_catalog = ? and "
        "table_schema = 'meta' and table_name = 'build_info' and column_name = "
        "'reuse_fingerprint'", [alias]).fetchone()[0]
    if not found:
        return None
    row = con.execute(f"select reuse_fingerprint from {alias}.meta.build_info").fetchone()
    return row[0] if row else None


def record_reuse(con: duckdb.DuckDBPyConnection, plans: list[BatchPlan], published_path,
                 ours: str) -> list[str]:
    """Record in raw.reuse each delta of this build whose base comes from the published
    warehouse built with the same fingerprint; return what was decided, one line per delta."""
    daily = [p for p in plans if p.status == "published" and p.is_delta
             and p.base is not None and p.base_source == "published"]
    if not daily:
        return []
    theirs = published_fingerprint(con)
    if theirs != ours:
        why = ("the published warehouse records no fingerprint (built by older code)"
               if theirs is None else
               "the published warehouse was built by other code or rules (fingerprint differs)")
        return [f"{p.batch_id}: every loan computed: {why}" for p in daily]
    decided = []
    for plan in daily:
        con.execute("insert into raw.reuse values (?, ?, ?, ?, ?)",
                    [plan.batch_id, plan.base.batch_id, plan.base.manifest.as_of,
                     str(published_path), ours])
        changed = con.execute("select count(distinct loan_id) from raw.changed_loans "
                              "where batch_id = ?", [plan.batch_id]).fetchone()[0]
        decided.append(f"{plan.batch_id}: the {changed:,} loans the delta changed are computed; "
                       f"the others' results are copied from {published_path} where they do "
                       "not depend on the date")
    return decided
