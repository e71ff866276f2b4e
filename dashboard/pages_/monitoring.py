"""Post-loan monitoring of the chosen portfolio and as-of date: the watchlist (obligors with their
severity score, level and change since the previous as-of date), the early-warning signals behind
a chosen obligor, the guarantee network around it (with its guarantee circle), which signals the
portfolio cannot compute and why, and the post-loan task list filtered by branch, officer, task,
status and due date. Every table can be exported as CSV.

Signal values are exact decimals from the warehouse, shown without trailing zeros; amounts go
through ``formatting.format_amount``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import formatting, tables
from dashboard import monitoring_data as md
from dashboard.i18n import code_label, t, translate
from dashboard.shell import current_context
from dashboard.tables import AMOUNT, CODE, COUNT, DATE, Col

LIGHTS = {"red": "🔴", "amber": "🟠"}
CLEARED_LIGHT = "⚪"
MISSING_STATUSES = ("no_data", "not_in_contract", "not_wired")
COMPARISON = {"ge": "≥", "gt": ">", "le": "≤", "lt": "<"}

WATCHLIST_TABLE = (
    Col("light"),
    Col("borrower_id"),
    Col("branch"),
    Col("officer"),
    Col("outstanding_principal", AMOUNT),
    Col("severity_score", COUNT),
    Col("score_basis"),
    Col("watch_status", CODE),
    Col("date_entered", DATE),
)
SIGNAL_TABLE = (
    Col("light"),
    Col("signal_code"),
    Col("signal_label"),
    Col("entity_type", CODE),
    Col("entity_id"),
    Col("value_text"),
    Col("threshold_text"),
    Col("severity", CODE),
    Col("first_seen", DATE),
    Col("action", CODE),
    Col("detail"),
)
LINK_TABLE = (
    Col("guarantor_id"),
    Col("borrower_id"),
    Col("loan_id"),
    Col("guaranteed_amount", AMOUNT),
    Col("guarantee_period_end", DATE),
    Col("dpd", COUNT),
)
COVERAGE_TABLE = (
    Col("signal_code"),
    Col("signal_label"),
    Col("entity_type", CODE),
    Col("fires_when"),
    Col("severity", CODE),
    Col("action", CODE),
    Col("coverage_status", CODE),
    Col("missing_data"),
    Col("signals_fired", COUNT),
)
TASK_TABLE = (
    Col("task_type", CODE),
    Col("due_date", DATE),
    Col("days_to_due", COUNT),
    Col("status", CODE, "task_status"),
    Col("branch"),
    Col("officer"),
    Col("borrower_id"),
    Col("loan_id"),
    Col("reference_date", DATE),
    Col("rule"),
    Col("detail"),
)


# --- figures (no Streamlit) -------------------------------------------------------------------


def decimal_text(value: Any) -> str:
    """An exact decimal without trailing zeros (``90.000000`` -> ``90``); empty when missing."""
    if formatting.is_missing(value):
        return ""
    number = formatting.to_decimal(value)
    text = f"{number.normalize():f}" if number != 0 else "0"
    return text


def signal_frame(signals: pd.DataFrame, lang: str) -> pd.DataFrame:
    frame = signals.copy().reset_index(drop=True)
    frame["light"] = [LIGHTS.get(s, "") for s in frame["severity"]]
    frame["signal_label"] = [code_label("signal", c, lang) for c in frame["signal_code"]]
    frame["value_text"] = [decimal_text(v) for v in frame["value"]]
    frame["detail"] = ["" if formatting.is_missing(d) else d for d in frame["detail"]]
    frame["threshold_text"] = [
        "" if formatting.is_missing(v) else f"{COMPARISON.get(c, '')} {decimal_text(v)}"
        for c, v in zip(frame["comparison"], frame["threshold"], strict=True)
    ]
    return frame


def rule_text(comparison: Any, threshold: Any, red_threshold: Any, lang: str) -> str:
    """A catalogue rule as text: ``≥ 1; red ≥ 91``; the per-entity limit of J7 and J20."""
    if formatting.is_missing(comparison):
        return ""
    if formatting.is_missing(threshold):
        return translate("monitoring.per_entity_limit", lang, op=COMPARISON[comparison])
    text = f"{COMPARISON[comparison]} {decimal_text(threshold)}"
    if formatting.is_missing(red_threshold):
        return text
    return translate("monitoring.red_from", lang, rule=text,
                     red=f"{COMPARISON[comparison]} {decimal_text(red_threshold)}")


def watchlist_frame(rows: pd.DataFrame) -> pd.DataFrame:
    frame = rows.copy().reset_index(drop=True)
    # Column at a time, not row at a time: the watchlist of a large bank holds tens of
    # thousands of obligors, and the page is redrawn on every click.
    lit = frame["watch_level"].map(LIGHTS).fillna(CLEARED_LIGHT)
    frame["light"] = lit.where(frame["on_watchlist"].astype(bool), CLEARED_LIGHT)
    for column in ("score_basis", "branch", "officer"):
        frame[column] = blank_missing(frame[column])
    return frame


def blank_missing(values: pd.Series) -> pd.Series:
    """``values`` with every missing value (None, NA, NaN, NaT) shown as an empty string."""
    return values.astype(object).where(values.notna(), "")


def watch_counts(rows: pd.DataFrame) -> dict[str, int]:
    status = rows["watch_status"]
    return {
        "on": int(rows["on_watchlist"].sum()),
        "entered": int((status == "entered").sum()),
        "escalated": int((status == "escalated").sum()),
        "cleared": int((status == "cleared").sum()),
    }


def missing_signals(cover: pd.DataFrame, lang: str) -> list[str]:
    """``J7 Extension over the legal limit (loans.original_maturity_date)`` for every signal the
    portfolio cannot compute."""
    rows = cover[cover["coverage_status"].isin(MISSING_STATUSES)]
    return [
        f"{code} {code_label('signal', code, lang)} ({needs})"
        for code, needs in zip(rows["signal_code"], rows["missing_data"], strict=True)
    ]


def filter_tasks(
    tasks: pd.DataFrame,
    branches: list[str],
    officers: list[str],
    task_types: list[str],
    statuses: list[str],
    due_by: dt.date | None,
) -> pd.DataFrame:
    """The tasks matching every filter that is set (an empty choice filters nothing)."""
    keep = pd.Series(True, index=tasks.index)
    for column, chosen in (("branch", branches), ("officer", officers),
                           ("task_type", task_types), ("status", statuses)):
        if chosen:
            keep &= tasks[column].fillna("").isin(chosen)
    if due_by is not None:
        keep &= tasks["due_date"].map(lambda d: d <= due_by)
    return tasks[keep]


def network_dot(links: pd.DataFrame, focus: str) -> str:
    """The guarantee graph around ``focus`` as Graphviz DOT (guarantor -> borrower)."""
    lines = ["digraph guarantees {", "  rankdir=LR;", '  node [shape=box, fontsize=10];']
    nodes = sorted(set(links["guarantor_id"]) | set(links["borrower_id"]) | {focus})
    for node in nodes:
        style = ', style=filled, fillcolor="#fde2a7"' if node == focus else ""
        lines.append(f'  "{_dot(node)}" [label="{_dot(node)}"{style}];')
    for guarantor, borrower, amount in zip(
        links["guarantor_id"], links["borrower_id"], links["guaranteed_amount"], strict=True
    ):
        lines.append(
            f'  "{_dot(guarantor)}" -> "{_dot(borrower)}" '
            f'[label="{formatting.format_amount(amount)}"];'
        )
    lines.append("}")
    return "\n".join(lines)


def _dot(text: Any) -> str:
    return str(text).replace("\\", "\\\\").replace('"', '\\"')


def csv_bytes(frame: pd.DataFrame, columns: tuple[Col, ...], lang: str) -> bytes:
    """The display copy of ``frame`` as CSV with a byte-order mark (opens in Excel as UTF-8);
    the page's buttons call it only when clicked (a hundred thousand signals or tasks take
    seconds to format)."""
    table, _ = tables.display_frame(frame, columns, lang)
    return table.to_csv(index=False).encode("utf-8-sig")


# --- rendering ---------------------------------------------------------------------------------


def render_watchlist(context, prefix: str) -> str | None:
    st.subheader(t("monitoring.watchlist"))
    st.caption(t("monitoring.watchlist_caption"))
    rows = md.watchlist(context.snapshot, context.portfolio_id, context.as_of)
    listed = rows[rows["on_watchlist"]] if not rows.empty else rows
    if listed.empty:
        st.info(t("monitoring.watchlist_none"))
        return None
    counts = watch_counts(rows)
    st.write(t("monitoring.watchlist_counts", **{k: formatting.format_count(v)
                                                 for k, v in counts.items()}))
    frame = watchlist_frame(rows)
    tables.show(frame, WATCHLIST_TABLE, context.lang)
    st.download_button(t("monitoring.export"),
                       lambda: csv_bytes(frame, WATCHLIST_TABLE, context.lang),
                       file_name=f"watchlist_{context.portfolio_id}_{context.as_of}.csv",
                       mime="text/csv", key=f"{prefix}:export_watchlist", on_click="ignore")
    options = list(listed["borrower_id"])
    key = f"{prefix}:obligor"
    if st.session_state.get(key) not in options:
        st.session_state[key] = options[0]
    return st.selectbox(t("monitoring.choose_obligor"), options, key=key)


def render_signals(context, prefix: str, borrower_id: str) -> None:
    st.subheader(t("monitoring.signals"))
    signals = md.obligor_signals(context.snapshot, context.portfolio_id, context.as_of,
                                 borrower_id)
    if signals.empty:
        st.info(t("monitoring.signals_none"))
        return
    tables.show(signal_frame(signals, context.lang), SIGNAL_TABLE, context.lang)


def render_network(context, borrower_id: str) -> None:
    st.subheader(t("monitoring.network"))
    st.caption(t("monitoring.network_caption"))
    links = md.guarantee_links(context.snapshot, context.portfolio_id, context.as_of,
                               borrower_id)
    if links.empty:
        st.info(t("monitoring.network_none"))
        return
    for cycle_id, size in md.obligor_cycles(
        context.snapshot, context.portfolio_id, context.as_of, borrower_id
    )[["cycle_id", "cycle_size"]].itertuples(index=False):
        st.warning(t("monitoring.in_cycle", cycle=cycle_id, size=int(size)))
    frame = links.rename(columns={"loan_dpd": "dpd"})
    left, right = st.columns([3, 2])
    with left:
        st.graphviz_chart(network_dot(frame, borrower_id))
    with right:
        tables.show(frame, LINK_TABLE, context.lang)


def render_coverage(context) -> None:
    st.subheader(t("monitoring.coverage"))
    cover = md.coverage(context.snapshot, context.portfolio_id, context.as_of)
    if cover.empty:
        return
    missing = missing_signals(cover, context.lang)
    if missing:
        st.warning(t("monitoring.coverage_missing", signals="; ".join(missing)))
    frame = cover.copy()
    frame["signal_label"] = [code_label("signal", c, context.lang) for c in frame["signal_code"]]
    frame["missing_data"] = ["" if formatting.is_missing(m) else m for m in frame["missing_data"]]
    frame["fires_when"] = [
        rule_text(c, v, r, context.lang)
        for c, v, r in zip(frame["comparison"], frame["threshold"], frame["red_threshold"],
                           strict=True)
    ]
    tables.show(frame, COVERAGE_TABLE, context.lang)
    signals = md.early_warnings(context.snapshot, context.portfolio_id, context.as_of)
    if not signals.empty:
        columns = (Col("borrower_id"), Col("loan_id"), Col("branch"), Col("officer"),
                   *SIGNAL_TABLE[1:])
        # The display copy of every signal (a hundred thousand at a large bank) is made only
        # when the button is clicked, not on every redraw of the page.
        st.download_button(t("monitoring.export"),
                           lambda: csv_bytes(signal_frame(signals, context.lang), columns,
                                             context.lang),
                           file_name=f"early_warnings_{context.portfolio_id}_{context.as_of}.csv",
                           mime="text/csv", key=f"coverage:{context.portfolio_id}:export",
                           on_click="ignore")


def _choices(values: pd.Series) -> list[str]:
    """The distinct values of a filter column as text, "" standing for a missing value."""
    present = values.dropna()
    choices = set(present.astype(str).unique())
    if len(present) < len(values):
        choices.add("")
    return sorted(choices)


def render_tasks(context, prefix: str) -> None:
    st.subheader(t("monitoring.tasks"))
    tasks = md.tasks(context.snapshot, context.portfolio_id, context.as_of)
    if tasks.empty:
        st.info(t("monitoring.tasks_none"))
        return
    none_label = t("monitoring.none_label")
    cols = st.columns(5)
    with cols[0]:
        branches = st.multiselect(t("monitoring.filter_branch"), _choices(tasks["branch"]),
                                  key=f"{prefix}:branch",
                                  format_func=lambda v: v or none_label)
    with cols[1]:
        officers = st.multiselect(t("monitoring.filter_officer"), _choices(tasks["officer"]),
                                  key=f"{prefix}:officer",
                                  format_func=lambda v: v or none_label)
    with cols[2]:
        types = st.multiselect(t("monitoring.filter_type"), _choices(tasks["task_type"]),
                               key=f"{prefix}:type",
                               format_func=lambda v: code_label("task_type", v, context.lang))
    with cols[3]:
        statuses = st.multiselect(t("monitoring.filter_status"), ["open", "overdue", "done"],
                                  key=f"{prefix}:status",
                                  format_func=lambda v: code_label("task_status", v,
                                                                   context.lang))
    with cols[4]:
        due_by = st.date_input(t("monitoring.filter_due"), value=None, key=f"{prefix}:due")
    shown = filter_tasks(tasks, branches, officers, types, statuses, due_by)
    if shown.empty:
        st.info(t("monitoring.tasks_none"))
        return
    shown = shown.assign(**{
        column: blank_missing(shown[column]) for column in ("detail", "branch", "officer",
                                                            "loan_id")
    })
    overdue = int((shown["status"] == "overdue").sum())
    st.write(t("monitoring.tasks_count", count=formatting.format_count(len(shown)),
               overdue=formatting.format_count(overdue)))
    tables.show(shown, TASK_TABLE, context.lang)
    st.download_button(t("monitoring.export"),
                       lambda: csv_bytes(shown, TASK_TABLE, context.lang),
                       file_name=f"post_loan_tasks_{context.portfolio_id}_{context.as_of}.csv",
                       mime="text/csv", key=f"{prefix}:export_tasks", on_click="ignore")


def render() -> None:
    context = current_context()
    st.header(t("monitoring.title"))
    if context.portfolio_id is None:
        st.info(t("sidebar.no_portfolios"))
        return
    st.caption(t("monitoring.caption"))
    prefix = f"monitoring:{context.portfolio_id}:{context.as_of.isoformat()}"
    borrower_id = render_watchlist(context, prefix)
    if borrower_id is not None:
        render_signals(context, prefix, borrower_id)
        render_network(context, borrower_id)
    render_coverage(context)
    render_tasks(context, prefix)

# Streamlit runs a page as ``__main__``; importing the module (tests) only defines the functions.
if __name__ == "__main__":
    render()
