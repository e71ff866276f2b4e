"""What every page shares: the sidebar (language, portfolio, as-of date), the build banner and the
run context handed to the page.

``app.py`` calls :func:`render_language_switch`, :func:`build_context` and :func:`render_banner`
on every run, then runs the page; a page reads the same context with :func:`current_context`, so all
of one run's queries go to one published build (see ``dashboard.data``).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import data, formatting
from dashboard.i18n import LANGUAGE_KEY, LANGUAGES, current_language, t
from dashboard.status import failed_refresh, run_time

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+!|~$])")
REASON_LIMIT = 400  # the full reason is on the data quality page's run log

CONTEXT_KEY = "_postloan_context"
PORTFOLIO_KEY = "portfolio_id"
AS_OF_KEY = "as_of"


@dataclass(frozen=True)
class Context:
    lang: str
    warehouse: Path
    snapshot: data.Snapshot | None
    build: dict[str, Any] | None = None
    runs: list[dict[str, Any]] = field(default_factory=list)
    summary: pd.DataFrame | None = None  # all of reporting.portfolio_summary
    portfolio_id: str | None = None
    as_of: dt.date | None = None

    def portfolio_rows(self) -> pd.DataFrame:
        """Summary rows of the chosen portfolio, oldest as-of date first."""
        if self.summary is None or self.portfolio_id is None:
            return pd.DataFrame()
        rows = self.summary[self.summary["portfolio_id"] == self.portfolio_id]
        return rows.sort_values("as_of_date")

    def summary_row(self, as_of: dt.date | None = None) -> pd.Series | None:
        as_of = as_of or self.as_of
        rows = self.portfolio_rows()
        if rows.empty:
            return None
        rows = rows[rows["as_of_date"] == as_of]
        return None if rows.empty else rows.iloc[0]

    @property
    def previous_as_of(self) -> dt.date | None:
        """The latest as-of date of the same portfolio before the chosen one."""
        rows = self.portfolio_rows()
        if rows.empty or self.as_of is None:
            return None
        earlier = [d for d in rows["as_of_date"] if d < self.as_of]
        return max(earlier) if earlier else None

    @property
    def build_id(self) -> str | None:
        return None if self.build is None else self.build.get("build_id")


def plain(value: object, limit: int | None = None) -> str:
    """``value`` as one line of literal text inside a Markdown label (no accidental formatting)."""
    text = " ".join(str(value).split())
    if limit is not None and len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def render_language_switch() -> str:
    st.sidebar.radio(
        t("sidebar.language"),
        list(LANGUAGES),
        format_func=LANGUAGES.get,
        key=LANGUAGE_KEY,
        horizontal=True,
    )
    return current_language()


def _sidebar_select(key: str, label: str, options: list[Any], format_func: Any) -> Any:
    # Keep the user's choice while it exists in the published build; otherwise fall back to the
    # first option (a new build may drop a portfolio or an as-of date).
    if st.session_state.get(key) not in options:
        st.session_state[key] = options[0]
    return st.sidebar.selectbox(label, options, key=key, format_func=format_func)


def build_context() -> Context:
    """Take the snapshot of the published build and render the portfolio and as-of selectors."""
    lang = current_language()
    warehouse = data.warehouse_path()
    runs = data.read_runs(warehouse)
    snapshot = data.take_snapshot(warehouse)
    if snapshot is None:
        return Context(lang=lang, warehouse=warehouse, snapshot=None, runs=runs)

    build = data.build_info(snapshot)
    summary = data.portfolio_summary(snapshot)
    context = Context(lang, warehouse, snapshot, build, runs, summary)
    if summary.empty:
        st.sidebar.info(t("sidebar.no_portfolios"))
        return context

    latest = summary.sort_values("as_of_date").groupby("portfolio_id", sort=False).tail(1)
    names = {
        row.portfolio_id: t(
            "sidebar.portfolio_option",
            name=row.portfolio_name,
            id=row.portfolio_id,
            currency=row.currency,
        )
        for row in latest.itertuples(index=False)
    }
    portfolio_id = _sidebar_select(
        PORTFOLIO_KEY, t("sidebar.portfolio"), sorted(names), lambda pid: names.get(pid, pid)
    )
    dates = sorted(summary.loc[summary["portfolio_id"] == portfolio_id, "as_of_date"], reverse=True)
    as_of_text = _sidebar_select(AS_OF_KEY, t("sidebar.as_of"), [d.isoformat() for d in dates], str)
    return Context(
        lang,
        warehouse,
        snapshot,
        build,
        runs,
        summary,
        portfolio_id,
        dt.date.fromisoformat(as_of_text),
    )


def render_banner(context: Context) -> None:
    """Which build is shown, and a warning when the last refresh failed after it was published."""
    unknown = t("banner.unknown")
    built_at = None if context.build is None else context.build.get("built_at")
    build_fields = {
        "build_id": plain(context.build_id or unknown),
        "built_at": formatting.format_timestamp(formatting.utc_timestamp(built_at))
        if built_at is not None
        else unknown,
    }
    if context.snapshot is not None:
        text = t("banner.build", **build_fields)
        if context.as_of is not None:
            text += t("banner.as_of", as_of=context.as_of.isoformat())
        st.info(text, icon=":material/inventory_2:")
    else:
        st.error(t("banner.no_warehouse", path=plain(context.warehouse)), icon=":material/error:")

    failure = failed_refresh(context.runs, context.build_id, built_at)
    if failure is None:
        return
    when = run_time(failure)
    fields = {
        "failed_at": formatting.format_timestamp(when) if when else unknown,
        "step": plain(failure.get("failed_step") or unknown),
        "reason": plain(failure.get("reason") or unknown, REASON_LIMIT),
    }
    if context.snapshot is None:
        st.warning(t("banner.refresh_failed_no_build", **fields), icon=":material/warning:")
    else:
        st.warning(t("banner.refresh_failed", **build_fields, **fields), icon=":material/warning:")


def store_context(context: Context) -> None:
    st.session_state[CONTEXT_KEY] = context


def current_context() -> Context:
    """The context ``app.py`` built for this run."""
    return st.session_state[CONTEXT_KEY]
