"""Overview: KPI tiles, outstanding principal by DPD bucket, and the loans of the chosen portfolio
and as-of date. Amounts are in the portfolio's own currency and never added across portfolios."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import altair as alt
import pandas as pd
import streamlit as st

from dashboard import data, formatting, tables
from dashboard.i18n import DPD_BUCKETS, code_label, t
from dashboard.kpis import PortfolioFigures, tiles
from dashboard.shell import current_context
from dashboard.tables import AMOUNT, CODE, DATE, Col

OVER_90_BUCKETS = ("M4", "M5", "M6", "M7")

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


def figures(row: pd.Series) -> PortfolioFigures:
    return PortfolioFigures(
        loans_outstanding=row["loan_count"],  # loans with status outstanding
        outstanding_principal=row["outstanding_principal"],
        overdue_principal=row["overdue_principal"],
        dpd_over_90_principal=row["dpd_over_90_principal"],
    )


def render_tiles(context, row: pd.Series, currency: str) -> None:
    previous_as_of = context.previous_as_of
    current = figures(row)
    previous = None
    if previous_as_of is not None:
        previous = figures(context.summary_row(previous_as_of))
        st.caption(t("overview.change_vs", date=previous_as_of.isoformat()))
    else:
        st.caption(t("overview.no_previous"))

    all_tiles = tiles(current, previous, t("unit.pp"))
    columns = st.columns(3)
    # Column by column: counts and balance, then overdue principal and ratio, then DPD>90.
    for i, tile in enumerate(all_tiles):
        with columns[i // 2]:
            st.metric(
                t(tile.label_key, currency=currency),
                tile.value,
                tile.delta,
                delta_color=tile.delta_color,
                delta_arrow="off" if tile.unchanged else "auto",
                help=t(tile.help_key) if tile.help_key else None,
                border=True,
            )


def bucket_frame(balances: pd.DataFrame, lang: str) -> pd.DataFrame:
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
        rows.append(
            {
                "bucket": code_label("bucket", bucket, lang),
                "amount_text": formatting.format_amount(amount),
                "amount": float(amount),  # charts only: the exact figure is amount_text
                "loans": count,
                "over_90": bucket in OVER_90_BUCKETS,
            }
        )
    return pd.DataFrame(rows)


def render_chart(context, currency: str) -> None:
    st.subheader(t("overview.chart"))
    balances = data.balance_by_bucket(context.snapshot, context.portfolio_id, context.as_of)
    frame = bucket_frame(balances, context.lang)
    balance_title = t("chart.balance", currency=currency)
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
    )
    st.altair_chart(chart, width="stretch")


@st.cache_data(show_spinner=False, max_entries=32)
def loan_table(
    path: str,
    signature: tuple[int, int],
    portfolio_id: str,
    as_of: dt.date,
    buckets: tuple[str, ...],
    lang: str,
) -> tuple[pd.DataFrame, pd.DataFrame, dict, Decimal]:
    """The chosen loans (raw, for the CSV), their display copy and config, and their exact total.

    Cached per build like every query, so formatting a large portfolio happens once per build,
    portfolio, as-of date, bucket choice and language rather than on every rerun.
    """
    loan_rows = data.loans(data.Snapshot(path, signature), portfolio_id, as_of)
    shown = loan_rows[loan_rows["dpd_bucket"].isin(buckets)].reset_index(drop=True)
    total = sum(
        (v for v in shown["outstanding_principal"] if not formatting.is_missing(v)), Decimal(0)
    )
    table, config = tables.display_frame(shown, LOAN_TABLE, lang)
    return shown, table, config, total


def render_loans(context, currency: str) -> None:
    st.subheader(t("overview.loans"))
    snapshot = context.snapshot
    all_loans = data.loans(snapshot, context.portfolio_id, context.as_of)
    present = {b for b in all_loans["dpd_bucket"].dropna().unique() if b not in DPD_BUCKETS}
    options = [*DPD_BUCKETS, *sorted(present)]
    chosen = st.multiselect(
        t("overview.bucket_filter"),
        options,
        default=options,
        format_func=lambda b: code_label("bucket", b, context.lang),
        key=f"overview_buckets:{context.portfolio_id}",
    )
    shown, table, config, total = loan_table(
        snapshot.path,
        snapshot.signature,
        context.portfolio_id,
        context.as_of,
        tuple(chosen),
        context.lang,
    )
    st.caption(
        t(
            "overview.loans_shown",
            count=formatting.format_count(len(shown)),
            total=formatting.format_amount(total),
            currency=currency,
        )
    )
    st.dataframe(table, hide_index=True, column_config=config)
    st.download_button(
        t("overview.download"),
        # Built only when clicked; Decimals are written as their exact text.
        lambda: shown.to_csv(index=False).encode("utf-8"),
        file_name=f"loans_{context.portfolio_id}_{context.as_of.isoformat()}.csv",
        mime="text/csv",
        on_click="ignore",
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
