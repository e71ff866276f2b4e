"""Overview: KPI tiles, outstanding principal by DPD bucket, and the loans of the chosen portfolio
and as-of date. Amounts are in the portfolio's own currency (in the unit chosen in the sidebar) and
never added across portfolios.

Drill-down: clicking a bucket's bar (or picking it in the filter) lists that bucket's loans; a loan
picked in the table (or the picker under it) opens the loan page.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import altair as alt
import pandas as pd
import streamlit as st

from dashboard import data, formatting, tables
from dashboard.i18n import DPD_BUCKETS, code_label, t
from dashboard.kpis import PortfolioFigures, tiles
from dashboard.pages_.classification import PICKER_LIMIT, TABLE_LIMIT, loan_chooser
from dashboard.shell import current_context
from dashboard.tables import AMOUNT, CODE, COUNT, DATE, Col
from dashboard.units import Unit

OVER_90_BUCKETS = ("M4", "M5", "M6", "M7")

BUCKET_TABLE = (
    Col("dpd_bucket", CODE, "bucket"),
    Col("loan_count", COUNT),
    Col("outstanding_principal", AMOUNT),
)

LOAN_TABLE = (
    Col("loan_id"),
    Col("borrower_id"),
    Col("borrower_type"),
    Col("product"),
    Col("branch"),
    Col("contract_amount", AMOUNT),
    Col("outstanding_principal", AMOUNT),
    Col("dpd"),
    Col("dpd_bucket", CODE, "bucket"),
    Col("loan_status", CODE),
    Col("disbursement_date", DATE),
    Col("maturity_date", DATE),
    Col("provenance", CODE),
    Col("batch_id"),
)


def figures(row: pd.Series, unit: Unit | None = None) -> PortfolioFigures:
    """The tile figures of a summary row, amounts in ``unit`` (exact: a power-of-ten scaling)."""

    def amount(name: str) -> Decimal:
        return row[name] if unit is None else unit.scale(row[name])

    return PortfolioFigures(
        loans_outstanding=row["loan_count"],  # loans with status outstanding
        outstanding_principal=amount("outstanding_principal"),
        overdue_principal=amount("overdue_principal"),
        dpd_over_90_principal=amount("dpd_over_90_principal"),
    )


def render_tiles(context, row: pd.Series, currency: str) -> None:
    previous_as_of = context.previous_as_of
    current = figures(row, context.unit)
    previous = None
    if previous_as_of is not None:
        previous = figures(context.summary_row(previous_as_of), context.unit)
        st.caption(t("overview.change_vs", date=previous_as_of.isoformat()))
    else:
        st.caption(t("overview.no_previous"))

    all_tiles = tiles(current, previous, t("unit.pp"))
    columns = st.columns(3)
    # Column by column: counts and balance, then overdue principal and ratio, then DPD>90.
    for i, tile in enumerate(all_tiles):
        with columns[i // 2]:
            st.metric(
                t(tile.label_key, currency=context.unit_label()),
                tile.value,
                tile.delta,
                delta_color=tile.delta_color,
                delta_arrow="off" if tile.unchanged else "auto",
                help=t(tile.help_key) if tile.help_key else None,
                border=True,
            )


def bucket_frame(balances: pd.DataFrame, lang: str, unit: Unit | None = None) -> pd.DataFrame:
    """One row per DPD bucket (M0..M7, then any unexpected code), zero where a bucket is empty."""
    by_bucket = {
        formatting.MISSING if formatting.is_missing(row.dpd_bucket) else str(row.dpd_bucket): (
            row.outstanding_principal,
            int(row.loans),
        )
        for row in balances.itertuples(index=False)
    }
    extra = sorted(b for b in by_bucket if b not in DPD_BUCKETS)
    rows = []
    for bucket in (*DPD_BUCKETS, *extra):
        amount, count = by_bucket.get(bucket, (Decimal(0), 0))
        amount = Decimal(0) if formatting.is_missing(amount) else amount
        exact = amount
        if unit is not None:
            amount = unit.scale(amount)
        rows.append(
            {
                "dpd_bucket": bucket,
                "outstanding_principal": exact,  # the table and its exports (scaled there)
                "code": bucket,  # what a click on the bar selects
                "bucket": code_label("bucket", bucket, lang),
                "amount_text": formatting.format_amount(amount),
                "amount": float(amount),  # charts only: the exact figure is amount_text
                "loans": count,
                "loan_count": count,
                "over_90": bucket in OVER_90_BUCKETS,
            }
        )
    return pd.DataFrame(rows)


BUCKET_PICK = "bucket_pick"


def _filter_key(context) -> str:
    return f"overview_buckets:{context.portfolio_id}"


def render_chart(context, currency: str) -> None:
    st.subheader(t("overview.chart"))
    st.caption(t("overview.chart_drill"))
    balances = data.balance_by_bucket(context.snapshot, context.portfolio_id, context.as_of)
    frame = bucket_frame(balances, context.lang, context.unit)
    balance_title = t("chart.balance", currency=context.unit_label())
    pick = alt.selection_point(fields=["code"], name=BUCKET_PICK)
    chart = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("bucket:N", sort=list(frame["bucket"]), title=t("chart.bucket")),
            y=alt.Y("amount:Q", title=balance_title, axis=alt.Axis(format=",.0f")),
            color=alt.condition("datum.over_90", alt.value("#c0392b"), alt.value("#4c78a8")),
            tooltip=[
                alt.Tooltip("bucket:N", title=t("chart.bucket")),
                alt.Tooltip("amount_text:N", title=balance_title),
                alt.Tooltip("loans:Q", title=t("chart.loans")),
            ],
        )
        .add_params(pick)
    )
    key = f"overview_chart:{context.portfolio_id}:{context.as_of.isoformat()}"
    left, right = st.columns([3, 2])
    with left:
        event = st.altair_chart(chart, width="stretch", on_select="rerun", key=key)
    with right:
        tables.show(frame, BUCKET_TABLE, context.lang, name="dpd_buckets")
    selection = (event or {}).get("selection") or {}  # a dict-like state (AttributeDictionary)
    picked = sorted({str(p["code"]) for p in (selection.get(BUCKET_PICK) or []) if "code" in p})
    # A new click on a bar narrows the loan list to that bucket (the filter below, not yet drawn).
    seen_key = f"{key}:seen"
    if picked and picked != st.session_state.get(seen_key):
        st.session_state[_filter_key(context)] = picked
    st.session_state[seen_key] = picked


@st.cache_data(show_spinner=False, max_entries=32)
def loan_table(
    snapshot: data.Snapshot,
    portfolio_id: str,
    as_of: dt.date,
    buckets: tuple[str, ...],
    lang: str,
    unit: Unit,
    currency: str,
) -> tuple[pd.DataFrame, pd.DataFrame, dict, list[str], int, Decimal]:
    """The chosen loans as the screen shows them: the first rows (raw and display copy, the
    table's config, their ids), how many loans were chosen and their exact total.

    Cached per build and reader (the snapshot), portfolio, as-of date, bucket choice, language and
    unit. Only the drawn rows are formatted and kept (``loan_chooser`` draws TABLE_LIMIT), and
    the picker's first PICKER_LIMIT ids, so a book of a million loans costs a rerun little more
    than one of a thousand; the exports read every chosen row when clicked (``chosen_loans``).
    """
    shown = chosen_loans(snapshot, portfolio_id, as_of, buckets)
    total = sum(
        (v for v in shown["outstanding_principal"] if not formatting.is_missing(v)), Decimal(0)
    )
    head = shown.head(TABLE_LIMIT)
    table, config = tables.display_frame(head, LOAN_TABLE, lang, unit, currency)
    ids = [str(v) for v in shown["loan_id"].head(PICKER_LIMIT)]
    return head, table, config, ids, len(shown), total


def chosen_loans(
    snapshot: data.Snapshot, portfolio_id: str, as_of: dt.date, buckets: tuple[str, ...]
) -> pd.DataFrame:
    """Every loan of the chosen DPD buckets, in the order of ``data.loans``."""
    loan_rows = data.loans(snapshot, portfolio_id, as_of)
    return loan_rows[loan_rows["dpd_bucket"].isin(buckets)].reset_index(drop=True)


def render_loans(context, currency: str) -> None:
    st.subheader(t("overview.loans"))
    snapshot = context.snapshot
    by_bucket = data.balance_by_bucket(snapshot, context.portfolio_id, context.as_of)
    present = {b for b in by_bucket["dpd_bucket"].dropna().unique() if b not in DPD_BUCKETS}
    options = [*DPD_BUCKETS, *sorted(present)]
    key = _filter_key(context)
    # Seeded here (every bucket) and narrowed by a click on the chart; never a widget default, so
    # the two ways of choosing cannot disagree.
    st.session_state[key] = [b for b in st.session_state.get(key, options) if b in options]
    chosen = st.multiselect(
        t("overview.bucket_filter"),
        options,
        format_func=lambda b: code_label("bucket", b, context.lang),
        key=key,
    )
    if set(chosen) != set(options):
        st.button(
            t("overview.all_buckets"),
            on_click=lambda: st.session_state.__setitem__(key, options),
            key=f"{key}:all",
            type="tertiary",
        )
    head, table, config, loan_ids, count, total = loan_table(
        snapshot,
        context.portfolio_id,
        context.as_of,
        tuple(chosen),
        context.lang,
        context.unit,
        currency,
    )
    st.caption(
        t(
            "overview.loans_shown",
            count=formatting.format_count(count),
            total=context.money(total),
            currency=context.unit_label(),
        )
    )
    loan_chooser(
        table,
        config,
        loan_ids,
        f"overview_loans:{context.portfolio_id}:{context.as_of.isoformat()}",
        count,
    )
    buckets = tuple(chosen)
    tables.export_buttons(
        head, LOAN_TABLE, context.lang, name="loans", rows=count,
        fetch=lambda: chosen_loans(snapshot, context.portfolio_id, context.as_of, buckets),
    )


def render() -> None:
    context = current_context()
    st.header(t("overview.title"))
    if context.portfolio_id is None:
        st.info(t("sidebar.no_portfolios"))
        return
    row = context.summary_row()
    if row is None:
        st.info(t("overview.no_data"))
        return
    currency = row["currency"]
    st.caption(
        t(
            "overview.subtitle",
            name=row["portfolio_name"],
            id=context.portfolio_id,
            currency=currency,
            as_of=context.as_of.isoformat(),
        )
    )
    if row["provenance"] in ("derived", "synthetic"):
        st.warning(t(f"overview.provenance.{row['provenance']}"), icon=":material/science:")
    render_tiles(context, row, currency)
    render_chart(context, currency)
    render_loans(context, currency)


render()
