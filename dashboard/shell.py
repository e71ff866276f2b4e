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

from dashboard import auth, data, formatting, tables, units
from dashboard.i18n import LANGUAGE_KEY, LANGUAGES, current_language, t
from dashboard.status import failed_refresh, run_time
from postloan import publish

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+!|~$])")
REASON_LIMIT = 400  # the full reason is on the data quality page's run log

CONTEXT_KEY = tables.CONTEXT_KEY
PORTFOLIO_KEY = "portfolio_id"
AS_OF_KEY = "as_of"
UNIT_KEY = "amount_unit:{currency}"  # one unit choice per currency
USER_KEY = data.VIEWER_KEY


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
    user: auth.User | None = None
    currency: str | None = None  # of the chosen portfolio
    unit: units.Unit | None = None  # the amount unit chosen for that currency

    def unit_label(self) -> str:
        """``万元`` / ``CNY 10k``: the chosen unit of the chosen portfolio's currency."""
        unit = self.unit or units.unit_named(self.currency, None)
        return t(f"amount_unit.{unit.code}", currency=self.currency or "")

    def money(self, value: object) -> str:
        """An amount of the chosen portfolio in the chosen unit, as text (no unit label)."""
        unit = self.unit or units.unit_named(self.currency, None)
        return units.format_scaled(value, unit)

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


def _unit_select(currency: str | None, options: list[str], labels: dict[str, str]) -> str:
    """The amount unit selector of ``currency``. The choice is kept per currency across portfolio
    switches: Streamlit forgets a widget's state in a run that does not draw it, so the choice is
    copied to a key of its own and given back to the widget each time it is drawn."""
    kept = UNIT_KEY.format(currency=currency)
    widget = f"_widget:{kept}"

    def remember() -> None:
        st.session_state[kept] = st.session_state[widget]

    choice = st.session_state.get(kept)
    st.session_state[widget] = choice if choice in options else options[0]
    return st.sidebar.selectbox(
        t("sidebar.unit"),
        options,
        key=widget,
        format_func=lambda code: labels.get(code, code),
        on_change=remember,
    )


def build_context(user: auth.User | None = None) -> Context:
    """Take the snapshot of the published build as ``user`` may read it (the masked copy, the
    branch scope) and render the portfolio, as-of date and amount unit selectors."""
    lang = current_language()
    warehouse = data.warehouse_path()
    runs = data.read_runs(warehouse)
    masked = user is not None and user.masked
    branches = None if user is None else user.branch_scope
    snapshot = data.take_snapshot(warehouse, masked=masked, branches=branches)
    shown_file = publish.masked_path(warehouse) if masked else warehouse
    if snapshot is None:
        return Context(lang=lang, warehouse=shown_file, snapshot=None, runs=runs, user=user)

    build = data.build_info(snapshot)
    summary = data.portfolio_summary(snapshot)
    context = Context(lang, shown_file, snapshot, build, runs, summary, user=user)
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
    currencies = {row.portfolio_id: row.currency for row in latest.itertuples(index=False)}
    portfolio_id = _sidebar_select(
        PORTFOLIO_KEY, t("sidebar.portfolio"), sorted(names), lambda pid: names.get(pid, pid)
    )
    dates = sorted(summary.loc[summary["portfolio_id"] == portfolio_id, "as_of_date"], reverse=True)
    as_of_text = _sidebar_select(AS_OF_KEY, t("sidebar.as_of"), [d.isoformat() for d in dates], str)
    currency = currencies.get(portfolio_id)
    option_labels = {
        u.code: t(f"amount_unit.option.{u.code}", currency=currency or "")
        for u in units.units_for(currency)
    }
    unit_code = _unit_select(currency, list(option_labels), option_labels)
    return Context(
        lang,
        shown_file,
        snapshot,
        build,
        runs,
        summary,
        portfolio_id,
        dt.date.fromisoformat(as_of_text),
        user,
        currency,
        units.unit_named(currency, unit_code),
    )


# --- login --------------------------------------------------------------------------------------


def _logout() -> None:
    st.session_state.pop(USER_KEY, None)


def render_user(user: auth.User) -> None:
    scope = ", ".join(user.branches) if user.branch_scope is not None else t("login.all_branches")
    st.sidebar.caption(
        t("login.signed_in", user=plain(user.name), role=t(f"role.{user.role}"), scope=plain(scope))
    )
    st.sidebar.button(t("login.logout"), on_click=_logout, key="logout", type="tertiary")


def require_login() -> auth.User:
    """The logged-in user; otherwise the login form, and the run stops there."""
    user = st.session_state.get(USER_KEY)
    if isinstance(user, auth.User):
        render_user(user)
        return user
    path = auth.users_file()
    st.title(t("app.heading"))
    st.subheader(t("login.title"))
    with st.form("login"):
        name = st.text_input(t("login.user"), key="login_user")
        password = st.text_input(t("login.password"), type="password", key="login_password")
        submitted = st.form_submit_button(t("login.submit"), type="primary")
    if submitted:
        try:
            found = auth.authenticate(name.strip(), password, path)
        except auth.ConfigError as exc:
            st.error(t("login.config_error", error=plain(exc)))
            st.stop()
        except auth.LockedError:
            st.error(t("login.locked", minutes=int(auth.LOCK_SECONDS // 60)))
            st.stop()
        if found is not None:
            st.session_state[USER_KEY] = found
            st.session_state.pop("login_password", None)  # no password kept in the session
            st.rerun()
        st.error(t("login.failed"))
    if auth.is_demo(path):
        st.info(t("login.demo_hint"), icon=":material/info:")
    st.stop()
    raise AssertionError("unreachable")  # st.stop() ends the run


def render_pack_button(context: Context) -> None:
    """The committee pack of the chosen portfolio and as-of date, from any page."""
    if context.snapshot is None or context.portfolio_id is None or context.as_of is None:
        return
    from dashboard import pack

    snapshot, portfolio_id, as_of = context.snapshot, context.portfolio_id, context.as_of
    lang, unit, user = context.lang, context.unit, context.user

    def make() -> bytes:
        return pack.committee_pack(snapshot, portfolio_id, as_of, lang, unit, user)

    st.sidebar.download_button(
        t("pack.download"),
        make,
        file_name=f"committee_pack_{portfolio_id}_{as_of.isoformat()}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        on_click="ignore",
        icon=":material/folder_zip:",
        key="committee_pack",
        help=t("pack.help"),
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
        user = context.user
        if user is not None and user.branch_scope is not None:
            text += t("banner.branch_scope", branches=plain("、".join(user.branch_scope)))
        elif user is not None and user.masked:
            text += t("banner.masked")
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
    st.session_state[tables.TABLE_KEYS] = {}  # export button keys are numbered per run


def current_context() -> Context:
    """The context ``app.py`` built for this run."""
    return st.session_state[CONTEXT_KEY]
