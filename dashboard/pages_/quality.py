"""Data quality: the latest build's checks (also when a blocking check stopped it, so the committee
sees why the warehouse was not refreshed), failures with sample rows, rejected rows by reason,
freshness, the build history and the Great Expectations data docs. See docs/data-quality.md."""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from dashboard import data, formatting, tables
from dashboard.i18n import t
from dashboard.shell import current_context, failed_refresh, plain
from dashboard.tables import CODE, COUNT, DATE, TIMESTAMP, Col
from postloan.quality.docs import data_docs_index

STATUS_ORDER = {"errored": 0, "failed": 1, "passed": 2, "skipped": 3}

CHECK_TABLE = (
    Col("asset"),
    Col("check_name"),
    Col("rule"),
    Col("severity", CODE, "dq_severity"),
    Col("status", CODE, "dq_status"),
    Col("observed_value"),
    Col("failing_count", COUNT),
    Col("reason"),
)
REJECT_REASON_TABLE = (Col("rule"), Col("rows", COUNT))
FRESHNESS_TABLE = (Col("portfolio_id"), Col("as_of_date", DATE), Col("age_days", COUNT))
HISTORY_TABLE = (
    Col("run_id"),
    Col("started_at", TIMESTAMP),
    Col("finished_at", TIMESTAMP),
    Col("status", CODE, "run_status"),
    Col("failed_step"),
    Col("reason"),
)


def latest_checks(context) -> tuple[pd.DataFrame, dict | None]:
    """The checks of the latest run: a refresh that failed after the published build, if it
    left results beside the warehouse, else the published build's own."""
    built_at = None if context.build is None else context.build.get("built_at")
    failure = failed_refresh(context.runs, context.build_id, built_at)
    if failure is not None and failure.get("run_id"):
        logged = data.logged_checks(failure["run_id"], context.warehouse)
        if not logged.empty:
            return logged, failure
    return data.published_checks(context.snapshot), failure


def render_status(frame: pd.DataFrame, failure: dict | None, context) -> None:
    if failure is not None:
        st.error(
            t(
                "quality.stopped",
                run=plain(failure.get("run_id") or ""),
                reason=plain(failure.get("reason") or t("banner.unknown")),
                build=plain(context.build_id or t("banner.unknown")),
            ),
            icon=":material/block:",
        )
    counts = frame["status"].value_counts() if not frame.empty else pd.Series(dtype=int)
    for column, status in zip(st.columns(4), ("passed", "failed", "errored", "skipped"),
                              strict=True):
        column.metric(t(f"dq_status.{status}"), formatting.format_count(int(counts.get(status,
                                                                                        0))))


def render_checks(frame: pd.DataFrame, failure: dict | None, lang: str) -> None:
    st.subheader(t("quality.checks"))
    st.caption(t("quality.checks_failed_run") if failure is not None and not frame.empty
               and frame["build_id"].iloc[0] == failure.get("run_id")
               else t("quality.checks_published"))
    if frame.empty:
        st.info(t("quality.no_checks"))
        return
    ordered = frame.assign(_o=frame["status"].map(STATUS_ORDER).fillna(9)).sort_values(
        ["_o", "severity", "asset", "check_name", "rule"], kind="stable")
    tables.show(ordered, CHECK_TABLE, lang)


def render_failures(frame: pd.DataFrame, lang: str) -> None:
    st.subheader(t("quality.failures"))
    bad = frame[frame["status"].isin(["failed", "errored"])] if not frame.empty else frame
    if bad.empty:
        st.success(t("quality.no_failures"))
        return
    for row in bad.itertuples():
        title = f"{row.asset} · {row.check_name} · {row.rule} ({t(f'dq_status.{row.status}')}, " \
                f"{t(f'dq_severity.{row.severity}')})"
        with st.expander(title, expanded=row.severity == "blocking"):
            if row.observed_value:
                st.markdown(t("quality.observed", value=plain(row.observed_value)))
            if row.reason:
                st.caption(plain(row.reason))
            samples = json.loads(row.samples or "[]")
            if samples:
                st.dataframe(pd.DataFrame(samples), hide_index=True)


def render_rejects(context, lang: str) -> None:
    st.subheader(t("quality.rejects"))
    counts = data.reject_counts(context.snapshot)
    if counts.empty:
        st.success(t("loads.rejects_none"))
        return
    by_rule = (counts.groupby("rule", as_index=False)["row_count"].sum()
               .rename(columns={"row_count": "rows"}).sort_values(["rows", "rule"],
                                                                  ascending=[False, True]))
    tables.show(by_rule, REJECT_REASON_TABLE, lang)


def render_freshness(context, lang: str) -> None:
    st.subheader(t("quality.freshness"))
    st.caption(t("quality.freshness_caption"))
    frame = data.freshness(context.snapshot)
    if frame.empty:
        st.info(t("loads.empty"))
        return
    tables.show(frame, FRESHNESS_TABLE, lang)


def render_history(runs: list[dict], lang: str) -> None:
    st.subheader(t("quality.history"))
    if not runs:
        st.info(t("loads.runs_none"))
        return
    frame = pd.DataFrame(list(reversed(runs)))
    for col in HISTORY_TABLE:
        if col.name not in frame.columns:
            frame[col.name] = None
    tables.show(frame, HISTORY_TABLE, lang)


def render_data_docs(context) -> None:
    st.subheader(t("quality.data_docs"))
    index = data_docs_index(context.warehouse)
    if index is None:
        st.info(t("quality.data_docs_none"))
        return
    st.markdown(t("quality.data_docs_link", url=index.as_uri(), path=plain(index)))


def render() -> None:
    context = current_context()
    st.header(t("quality.title"))
    frame, failure = latest_checks(context)
    render_status(frame, failure, context)
    render_checks(frame, failure, context.lang)
    render_failures(frame, context.lang)
    render_rejects(context, context.lang)
    render_freshness(context, context.lang)
    render_history(context.runs, context.lang)
    render_data_docs(context)


render()
