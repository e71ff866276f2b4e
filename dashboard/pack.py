"""The committee pack: one XLSX workbook for a chosen portfolio and as-of date, with the key tables
on named sheets (names and headers in the reader's language, amounts exact in the reader's unit).

Sheets, each only when its table is in the published build:

1. summary: the KPI figures now, at the previous as-of date, and the change;
2. loans by days-past-due bucket;
3. the five-level classification (loans, balance, specific provision per class);
4. regulatory concentration ratios against their limits;
5. large exposures;
6. every loan of the portfolio at the as-of date.

Everything is read through ``dashboard.data`` with the reader's snapshot, so the pack of an analyst
is made from the masked copy and an officer's pack holds only the officer's branches. Another page
adds its sheet by appending a function to :data:`SECTIONS` (``(snapshot, portfolio, as-of, lang,
unit, currency) -> Sheet | None``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pandas as pd

from dashboard import auth, data, export, formatting
from dashboard.i18n import DPD_BUCKETS, translate
from dashboard.tables import AMOUNT, CODE, COUNT, DATE, Col
from dashboard.units import Unit, unit_named

Section = Callable[[data.Snapshot, str, dt.date, str, Unit, str], "export.Sheet | None"]

LOAN_COLUMNS = (
    Col("loan_id"),
    Col("borrower_id"),
    Col("borrower_type", CODE),
    Col("product"),
    Col("branch"),
    Col("contract_amount", AMOUNT),
    Col("outstanding_principal", AMOUNT),
    Col("dpd", COUNT),
    Col("dpd_bucket", CODE, "bucket"),
    Col("loan_status", CODE),
    Col("disbursement_date", DATE),
    Col("maturity_date", DATE),
    Col("provenance", CODE),
    Col("batch_id"),
)
BUCKET_COLUMNS = (
    Col("dpd_bucket", CODE, "bucket"),
    Col("loan_count", COUNT),
    Col("outstanding_principal", AMOUNT),
)
CLASS_COLUMNS = (
    Col("five_class", CODE, "class"),
    Col("loan_count", COUNT),
    Col("outstanding_principal", AMOUNT),
    Col("specific_provision", AMOUNT),
)
RATIO_COLUMNS = (
    Col("ratio", CODE, "ratio"),
    Col("counterparty"),
    Col("numerator", AMOUNT),
    Col("denominator", AMOUNT),
    Col("ratio_value"),
    Col("limit_share"),
    Col("headroom", AMOUNT),
    Col("status", CODE, "concentration_status"),
)
LARGE_COLUMNS = (
    Col("counterparty_type", CODE),
    Col("counterparty_id"),
    Col("exposure", AMOUNT),
    Col("share_of_net_tier1_capital"),
    Col("limit_share"),
    Col("status", CODE, "concentration_status"),
)


def _sheet(
    key: str,
    frame: pd.DataFrame,
    columns: tuple[Col, ...],
    lang: str,
    unit: Unit,
    currency: str,
) -> export.Sheet:
    shown, kinds = export.export_frame(frame, columns, lang, unit, currency)
    return export.Sheet(translate(key, lang), shown, kinds)


# --- the summary ----------------------------------------------------------------------------


def _summary_values(row: pd.Series | None) -> dict[str, Any]:
    if row is None:
        return {}
    outstanding = row["outstanding_principal"]
    return {
        "loans_outstanding": int(row["loan_count"]),
        "outstanding_principal": outstanding,
        "overdue_principal": row["overdue_principal"],
        "overdue_ratio": formatting.share_percent(row["overdue_principal"], outstanding),
        "dpd90_principal": row["dpd_over_90_principal"],
        "dpd90_ratio": formatting.share_percent(row["dpd_over_90_principal"], outstanding),
    }


SUMMARY_ROWS = (
    ("loans_outstanding", "count"),
    ("outstanding_principal", "amount"),
    ("overdue_principal", "amount"),
    ("overdue_ratio", "percent"),
    ("dpd90_principal", "amount"),
    ("dpd90_ratio", "percent"),
)


def summary_sheet(
    summary: pd.DataFrame,
    portfolio_id: str,
    as_of: dt.date,
    lang: str,
    unit: Unit,
    currency: str,
    build_id: str | None,
    user: auth.User | None,
) -> export.Sheet:
    """Figure, unit, value now, at the previous as-of date and the change (exact Decimals)."""
    rows = summary[summary["portfolio_id"] == portfolio_id].sort_values("as_of_date")
    now_rows = rows[rows["as_of_date"] == as_of]
    earlier = [d for d in rows["as_of_date"] if d < as_of]
    previous = max(earlier) if earlier else None
    prev_rows = rows[rows["as_of_date"] == previous] if previous else rows.iloc[0:0]
    now = _summary_values(None if now_rows.empty else now_rows.iloc[0])
    before = _summary_values(None if prev_rows.empty else prev_rows.iloc[0])
    h = {k: translate(f"pack.{k}", lang) for k in ("figure", "unit", "now", "previous", "change")}
    amount_unit = export.unit_label(unit, currency, lang)
    records: list[dict[str, Any]] = []
    info = (
        ("pack.portfolio", portfolio_id),
        ("pack.currency", currency),
        ("pack.as_of", as_of),
        ("pack.previous_as_of", previous),
        ("pack.build", build_id),
        ("pack.prepared_for", None if user is None else f"{user.name} ({user.role})"),
        ("pack.prepared_at", dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")),
    )
    for key, value in info:
        records.append(
            {h["figure"]: translate(key, lang), h["unit"]: None, h["now"]: value,
             h["previous"]: None, h["change"]: None}
        )
    for key, kind in SUMMARY_ROWS:
        value, prior = now.get(key), before.get(key)
        change = None if value is None or prior is None else value - prior
        if kind == "amount":
            value, prior, change = unit.scale(value), unit.scale(prior), unit.scale(change)
            label = amount_unit
        elif kind == "percent":
            label = "%"
        else:
            label = translate("pack.unit_loans", lang)
        records.append(
            {h["figure"]: translate(f"pack.kpi.{key}", lang), h["unit"]: label, h["now"]: value,
             h["previous"]: prior, h["change"]: change}
        )
    frame = pd.DataFrame(records, columns=list(h.values()))
    kinds = {h["figure"]: "text", h["unit"]: "text", h["now"]: "amount", h["previous"]: "amount",
             h["change"]: "amount"}
    return export.Sheet(translate("pack.sheet.summary", lang), frame, kinds)


# --- the sections -----------------------------------------------------------------------------


def bucket_section(snapshot, portfolio_id, as_of, lang, unit, currency) -> export.Sheet:
    balances = data.balance_by_bucket(snapshot, portfolio_id, as_of)
    by_bucket = {str(r.dpd_bucket): r for r in balances.itertuples(index=False)}
    extra = sorted(b for b in by_bucket if b not in DPD_BUCKETS)
    rows = []
    for bucket in (*DPD_BUCKETS, *extra):
        r = by_bucket.get(bucket)
        rows.append(
            {
                "dpd_bucket": bucket,
                "loan_count": 0 if r is None else int(r.loans),
                "outstanding_principal": Decimal(0)
                if r is None or formatting.is_missing(r.outstanding_principal)
                else r.outstanding_principal,
            }
        )
    return _sheet("pack.sheet.buckets", pd.DataFrame(rows), BUCKET_COLUMNS, lang, unit, currency)


def class_section(snapshot, portfolio_id, as_of, lang, unit, currency) -> export.Sheet | None:
    if not data._has_table(snapshot, "reporting", "portfolio_quality"):
        return None
    quality = data.portfolio_quality(snapshot, portfolio_id)
    now = quality[quality["as_of_date"] == as_of].sort_values("class_rank")
    if now.empty:
        return None
    now = now.rename(columns={"balance": "outstanding_principal"})
    return _sheet("pack.sheet.classes", now, CLASS_COLUMNS, lang, unit, currency)


def ratio_section(snapshot, portfolio_id, as_of, lang, unit, currency) -> export.Sheet | None:
    if not data._has_table(snapshot, "reporting", "regulatory_ratios"):
        return None
    ratios = data.regulatory_ratios(snapshot, portfolio_id, as_of)
    ratios = ratios.rename(columns={"value": "ratio_value"})  # fractions, exact: 0.16 = 16%
    return _sheet("pack.sheet.ratios", ratios, RATIO_COLUMNS, lang, unit, currency)


def large_section(snapshot, portfolio_id, as_of, lang, unit, currency) -> export.Sheet | None:
    if not data._has_table(snapshot, "reporting", "large_exposures"):
        return None
    large = data.large_exposures(snapshot, portfolio_id, as_of)
    return _sheet("pack.sheet.large", large, LARGE_COLUMNS, lang, unit, currency)


def loan_section(snapshot, portfolio_id, as_of, lang, unit, currency) -> export.Sheet:
    loans = data.loans(snapshot, portfolio_id, as_of)
    return _sheet("pack.sheet.loans", loans, LOAN_COLUMNS, lang, unit, currency)


SECTIONS: list[Section] = [bucket_section, class_section, ratio_section, large_section,
                           loan_section]


def committee_pack(
    snapshot: data.Snapshot,
    portfolio_id: str,
    as_of: dt.date,
    lang: str,
    unit: Unit | None = None,
    user: auth.User | None = None,
) -> bytes:
    """The workbook's bytes."""
    summary = data.portfolio_summary(snapshot)
    currency_rows = summary.loc[summary["portfolio_id"] == portfolio_id, "currency"]
    currency = str(currency_rows.iloc[0]) if len(currency_rows) else ""
    unit = unit or unit_named(currency, None)
    build = data.build_info(snapshot) or {}
    sheets = [
        summary_sheet(summary, portfolio_id, as_of, lang, unit, currency,
                      build.get("build_id"), user)
    ]
    for section in SECTIONS:
        sheet = section(snapshot, portfolio_id, as_of, lang, unit, currency)
        if sheet is not None:
            sheets.append(sheet)
    return export.xlsx_bytes(sheets)


def sheet_names(lang: str) -> list[str]:
    """The names the sheets get in ``lang`` (for the page and the tests)."""
    keys = ("summary", "buckets", "classes", "ratios", "large", "loans")
    return [translate(f"pack.sheet.{k}", lang) for k in keys]

