"""Data quality and loads: batches and their supersession, per-file reconciliation of each load,
the rejected rows with the rule that rejected them, and the run log."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import data, formatting, tables
from dashboard.i18n import t
from dashboard.shell import current_context
from dashboard.tables import BOOL, CODE, COUNT, DATE, TIMESTAMP, Col

REJECTS_SHOWN = 5_000

BATCH_TABLE = (
    Col("batch_id"),
    Col("portfolio_id"),
    Col("as_of_date", DATE),
    Col("batch_status", CODE),
    Col("delivery", CODE),
    Col("base_batch_id"),
    Col("carried_rows", COUNT),
    Col("superseded_by"),
    Col("delivered_at", TIMESTAMP),
    Col("folder"),
    Col("provenance", CODE),
    Col("currency"),
)
RECONCILIATION_TABLE = (
    Col("batch_id"),
    Col("entity"),
    Col("source_file"),
    Col("data_lines", COUNT),
    Col("loaded_rows", COUNT),
    Col("rejected_rows", COUNT),
    Col("skipped_rows", COUNT),
    Col("reconciles", BOOL),
)
REJECT_COUNT_TABLE = (Col("batch_id"), Col("entity"), Col("rule"), Col("rows", COUNT))
REJECT_TABLE = (
    Col("batch_id"),
    Col("entity"),
    Col("source_file"),
    Col("line_number", COUNT),
    Col("column_name"),
    Col("rule"),
    Col("reason"),
    Col("raw_value"),
    Col("raw_record"),
)
RUN_TABLE = (
    Col("run_id"),
    Col("started_at", TIMESTAMP),
    Col("finished_at", TIMESTAMP),
    Col("status", CODE, "run_status"),
    Col("build_id"),
    Col("failed_step"),
    Col("reason"),
    Col("rejected_rows", COUNT),
    Col("rejects_file"),
)


def render_batches(batch_rows: pd.DataFrame, lang: str) -> None:
    st.subheader(t("loads.batches"))
    st.caption(t("loads.batches_caption"))
    if batch_rows.empty:
        st.info(t("loads.empty"))
        return
    tables.show(batch_rows, BATCH_TABLE, lang)


def render_reconciliation(recon: pd.DataFrame, lang: str) -> None:
    st.subheader(t("loads.reconciliation"))
    st.caption(t("loads.reconciliation_caption"))
    if recon.empty:
        st.info(t("loads.empty"))
        return
    ok = recon["reconciles"].astype("boolean").fillna(False).astype(bool)  # NULL: not ok
    broken = int((~ok).sum())
    if broken:
        st.error(t("loads.reconciles_broken", count=formatting.format_count(broken)))
        recon = recon.assign(_ok=ok).sort_values("_ok", kind="stable")  # problems first
    else:
        st.success(t("loads.reconciles_all", count=formatting.format_count(len(recon))))
    tables.show(recon, RECONCILIATION_TABLE, lang)


def render_rejects(context, batch_ids: list[str] | None, lang: str) -> None:
    st.subheader(t("loads.rejects"))
    counts = data.reject_counts(context.snapshot).rename(columns={"row_count": "rows"})
    if batch_ids is not None:
        counts = counts[counts["batch_id"].isin(batch_ids)]
    if counts.empty:
        st.success(t("loads.rejects_none"))
        return
    st.markdown(f"**{t('loads.rejects_by_rule')}**")
    tables.show(counts, REJECT_COUNT_TABLE, lang)

    options = [None, *sorted(counts["batch_id"].unique())]
    all_label = t("loads.all")  # format_func may run outside the script run: no session state
    batch_id = st.selectbox(
        t("loads.rejects_batch"),
        options,
        format_func=lambda b: all_label if b is None else b,
        key="loads_reject_batch",
    )
    wanted = (batch_id,) if batch_id is not None else batch_ids
    rows = data.rejects(context.snapshot, None if wanted is None else tuple(wanted), REJECTS_SHOWN)
    shown_counts = counts if batch_id is None else counts[counts["batch_id"] == batch_id]
    total = int(shown_counts["rows"].sum())
    st.caption(
        t(
            "loads.rejects_shown",
            shown=formatting.format_count(len(rows)),
            total=formatting.format_count(total),
        )
    )
    tables.show(rows, REJECT_TABLE, lang)


def render_runs(runs: list[dict], lang: str) -> None:
    st.subheader(t("loads.runs"))
    if not runs:
        st.info(t("loads.runs_none"))
        return
    frame = pd.DataFrame(list(reversed(runs)))  # newest first
    for col in RUN_TABLE:
        if col.name not in frame.columns:
            frame[col.name] = None
    # Successful runs (and failures logged before the count was kept) have none: blank, not 0.0
    frame["rejected_rows"] = frame["rejected_rows"].astype("Int64")
    tables.show(frame, RUN_TABLE, lang)


def render() -> None:
    context = current_context()
    st.header(t("loads.title"))
    batch_rows = data.batches(context.snapshot)
    recon = data.load_reconciliation(context.snapshot)
    batch_ids: list[str] | None = None
    if context.portfolio_id is not None and st.checkbox(
        t("loads.only_portfolio"), key="loads_only_portfolio"
    ):
        batch_rows = batch_rows[batch_rows["portfolio_id"] == context.portfolio_id]
        batch_ids = list(batch_rows["batch_id"])
        recon = recon[recon["batch_id"].isin(batch_ids)]
    render_batches(batch_rows, context.lang)
    render_reconciliation(recon, context.lang)
    render_rejects(context, batch_ids, context.lang)
    render_runs(context.runs, context.lang)


render()
