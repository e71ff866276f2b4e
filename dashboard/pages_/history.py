"""History of the chosen portfolio over its month-end snapshots (domain rules section K):

* trends of the NPL ratio, the overdue ratios, provision coverage and the 12-month default rate
  (``reporting.quality_trends``);
* a migration heatmap between any two history dates (``reporting.migration_between``, the same SQL
  as ``reporting.migration_matrix``) and the regulator's migration rates over time
  (``reporting.migration_rates``);
* roll, cure and flow rates between DPD buckets for one month, and the M1 -> M2 roll rate over time
  (``reporting.roll_rates``);
* vintage curves by cohort and months on book (``reporting.vintage_curves``).

Every percentage shown as text is computed here from the exact numerator and denominator the
reporting tables carry (Decimal balances, integer counts); the stored 6-place fractions are not
used for display. Only the charts get floats. See ``docs/history-dashboard.md``.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from dashboard import data, formatting, tables
from dashboard.i18n import code_label, t, translate
from dashboard.shell import current_context
from dashboard.tables import AMOUNT, CODE, DATE, Col

CLASSES = ("pass", "special_mention", "substandard", "doubtful", "loss")
RATE_CODES = ("pass", "special_mention", "substandard", "doubtful", "normal_loans")
HORIZONS = ("month", "quarter", "year")
# basis -> (numerator, denominator) columns
MATRIX_BASIS = {
    "count": ("loan_count", "row_loan_count"),
    "balance": ("from_balance", "row_balance"),
}
VINTAGE_BASIS = {
    "count": ("loans_reached", "cohort_loans"),
    "amount": ("principal_reached", "cohort_principal"),
}
BASES = tuple(MATRIX_BASIS)
VINTAGE_BASES = tuple(VINTAGE_BASIS)
GRANULARITIES = ("quarter", "month")
RATE_KINDS = ("roll", "cure", "flow")
ROLL_FROM, ROLL_TO = "M1", "M2"  # the headline roll rate charted over time
DEFAULT_COHORTS = 12  # vintage curves drawn by default: the latest cohorts
LOOKBACK_MONTHS = 12  # the migration heatmap starts one year before the as-of date by default

# quality_trends: the ratios of the first chart, each as (numerator, denominator) columns.
QUALITY_RATIOS = (
    ("npl_ratio", "npl_balance", "total_balance"),
    ("dpd_1_plus_ratio", "dpd_1_plus_balance", "total_balance"),
    ("dpd_31_plus_ratio", "dpd_31_plus_balance", "total_balance"),
    ("dpd_61_plus_ratio", "dpd_61_plus_balance", "total_balance"),
    ("dpd_91_plus_ratio", "dpd_91_plus_balance", "total_balance"),
    ("overdue_amount_ratio", "overdue_principal", "total_balance"),
)

QUALITY_TABLE = (
    Col("as_of_date", DATE),
    Col("total_balance", AMOUNT),
    *(Col(name) for name, _, _ in QUALITY_RATIOS),
)

COVERAGE_TABLE = (
    Col("as_of_date", DATE),
    Col("allowance", AMOUNT),
    Col("npl_balance", AMOUNT),
    Col("coverage_ratio"),
)

DEFAULT_TABLE = (
    Col("as_of_date", DATE),
    Col("performing_obligors"),
    Col("defaulted_obligors_12m"),
    Col("default_rate_12m"),
)

RATES_TABLE = (
    Col("from_as_of_date", DATE),
    Col("to_as_of_date", DATE),
    *(Col(f"migration_rate_{code}") for code in RATE_CODES),
)

RATES_DETAIL_TABLE = (
    Col("from_as_of_date", DATE),
    Col("to_as_of_date", DATE),
    Col("rate_code", CODE, "migration_rate"),
    Col("start_loans"),
    Col("start_balance", AMOUNT),
    Col("reduced_balance", AMOUNT),
    Col("migrated_balance", AMOUNT),
    Col("migration_rate"),
)

ROLL_TABLE = (
    Col("from_bucket", CODE, "bucket"),
    Col("to_bucket", CODE, "bucket"),
    Col("rate_kind", CODE),
    Col("numerator_loans"),
    Col("denominator_loans"),
    Col("count_rate"),
    Col("numerator_balance", AMOUNT),
    Col("denominator_balance", AMOUNT),
    Col("balance_rate"),
)

ROLL_TREND_TABLE = (
    Col("from_as_of_date", DATE),
    Col("to_as_of_date", DATE),
    Col("count_rate"),
    Col("balance_rate"),
)


# --- queries (through dashboard.data, cached per build) ----------------------------------------


def quality_trends(snapshot: data.Snapshot, portfolio_id: str) -> pd.DataFrame:
    """``reporting.quality_trends`` of one portfolio, one row per history date (oldest first)."""
    return data.query(
        snapshot,
        "select as_of_date, currency, is_month_end, is_delivered_as_of, loan_count, "
        "total_balance, npl_balance, dpd_1_plus_balance, dpd_31_plus_balance, "
        "dpd_61_plus_balance, dpd_91_plus_balance, overdue_principal, allowance, "
        "performing_obligors, defaulted_obligors_12m "
        "from reporting.quality_trends where portfolio_id = ? order by as_of_date",
        (portfolio_id,),
    )


def migration_between(
    snapshot: data.Snapshot, portfolio_id: str, from_date: dt.date, to_date: dt.date
) -> pd.DataFrame:
    """The migration matrix between two history dates (every start class and end state)."""
    return data.query(
        snapshot,
        "select from_class, from_class_rank, to_state, to_state_order, loan_count, "
        "from_balance, row_loan_count, row_balance "
        "from reporting.migration_between(?, ?::date, ?::date) "
        "order by from_class_rank, to_state_order",
        (portfolio_id, from_date, to_date),
    )


def migration_rates(snapshot: data.Snapshot, portfolio_id: str, horizon: str) -> pd.DataFrame:
    """The regulator's migration rates of one horizon, every start date (oldest first)."""
    return data.query(
        snapshot,
        "select from_as_of_date, to_as_of_date, rate_code, rate_order, start_loans, "
        "start_balance, reduced_balance, migrated_balance "
        "from reporting.migration_rates where portfolio_id = ? and horizon = ? "
        "order by from_as_of_date, rate_order",
        (portfolio_id, horizon),
    )


def roll_rates(snapshot: data.Snapshot, portfolio_id: str) -> pd.DataFrame:
    """``reporting.roll_rates`` of one portfolio, buckets in DPD order."""
    return data.query(
        snapshot,
        "select r.from_as_of_date, r.to_as_of_date, r.from_bucket, r.to_bucket, r.rate_kind, "
        "r.numerator_loans, r.denominator_loans, r.numerator_balance, r.denominator_balance "
        "from reporting.roll_rates as r "
        "left join reference.dpd_buckets as b on b.dpd_bucket = r.from_bucket "
        "where r.portfolio_id = ? order by r.from_as_of_date, b.min_dpd, r.from_bucket, "
        "case r.rate_kind when 'roll' then 1 when 'cure' then 2 else 3 end",
        (portfolio_id,),
    )


def vintage_metrics(snapshot: data.Snapshot, portfolio_id: str) -> pd.DataFrame:
    """The vintage metrics built for the portfolio (ever-DPD thresholds, then default)."""
    return data.query(
        snapshot,
        "select distinct metric, dpd_threshold from reporting.vintage_curves "
        "where portfolio_id = ? order by dpd_threshold nulls last, metric",
        (portfolio_id,),
    )


def vintage_curves(
    snapshot: data.Snapshot, portfolio_id: str, granularity: str, metric: str
) -> pd.DataFrame:
    """One metric's curves of every cohort of one granularity (oldest cohort first)."""
    return data.query(
        snapshot,
        "select cohort, months_on_book, is_observed, cohort_loans, cohort_principal, "
        "loans_reached, principal_reached from reporting.vintage_curves "
        "where portfolio_id = ? and cohort_granularity = ? and metric = ? "
        "order by cohort, months_on_book",
        (portfolio_id, granularity, metric),
    )


# --- figures (no Streamlit) --------------------------------------------------------------------


def percent(part: Any, whole: Any) -> Decimal | None:
    """``part / whole`` in percent, exactly; None when either is missing or ``whole`` is zero."""
    return formatting.share_percent(part, whole)


def chart_value(value: Decimal | None) -> float | None:
    """A percentage for a chart (the only place a float is made)."""
    return None if value is None else float(value)


def months_before(day: dt.date, months: int) -> dt.date:
    """``day`` moved back ``months`` calendar months; a month-end stays a month-end
    (2024-02-29 -> 2023-02-28, 2024-06-30 -> 2023-06-30), other days are clipped to the month."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    is_month_end = day.day == calendar.monthrange(day.year, day.month)[1]
    return dt.date(year, month + 1, last if is_month_end else min(day.day, last))


def default_dates(dates: Sequence[dt.date], as_of: dt.date) -> tuple[dt.date, dt.date] | None:
    """The heatmap's default start and end: the latest history date on or before one year before
    ``as_of`` (the earliest history date when there is none), and ``as_of`` itself (the latest
    history date on or before it when ``as_of`` is not one). None with fewer than two dates."""
    ordered = sorted(set(dates))
    if len(ordered) < 2:
        return None
    upto = [d for d in ordered if d <= as_of]
    end = upto[-1] if upto else ordered[-1]
    target = months_before(end, LOOKBACK_MONTHS)
    earlier = [d for d in ordered if d <= target]
    start = earlier[-1] if earlier else ordered[0]
    if start >= end:
        start = ordered[0]
    return start, end


def quality_frame(trends: pd.DataFrame) -> pd.DataFrame:
    """Per history date: the exact ratios as text, and as floats (``<name>_value``) for charts."""
    frame = trends[["as_of_date", "total_balance", "npl_balance", "allowance"]].copy()
    frame = frame.reset_index(drop=True)
    for name, part, whole in QUALITY_RATIOS:
        values = [percent(p, w) for p, w in zip(trends[part], trends[whole], strict=True)]
        frame[name] = [formatting.format_percent(v) for v in values]
        frame[f"{name}_value"] = [chart_value(v) for v in values]
    coverage = [
        percent(a, n) for a, n in zip(trends["allowance"], trends["npl_balance"], strict=True)
    ]
    frame["coverage_ratio"] = [formatting.format_percent(v) for v in coverage]
    frame["coverage_ratio_value"] = [chart_value(v) for v in coverage]
    defaulted = list(trends["defaulted_obligors_12m"])
    performing = list(trends["performing_obligors"])
    rates = [
        None if formatting.is_missing(d) else percent(d, p)
        for d, p in zip(defaulted, performing, strict=True)
    ]
    frame["performing_obligors"] = [
        formatting.format_count(None if formatting.is_missing(p) else int(p)) for p in performing
    ]
    # Not yet observed (the 12 months after the date are not all in the history): blank, not 0.
    frame["defaulted_obligors_12m"] = [
        "" if formatting.is_missing(d) else formatting.format_count(int(d)) for d in defaulted
    ]
    frame["default_rate_12m"] = [
        "" if formatting.is_missing(d) else formatting.format_percent(r)
        for d, r in zip(defaulted, rates, strict=True)
    ]
    frame["default_rate_12m_value"] = [chart_value(r) for r in rates]
    return frame


def matrix_cells(cells: pd.DataFrame, basis: str) -> pd.DataFrame:
    """The matrix in long form: start class, end state, the part and the row's whole on
    ``basis`` (count: loans; balance: start balances), the exact share as text and, for the
    heatmap, as a float. A start class without loans has no shares (text ``—``)."""
    part, whole = MATRIX_BASIS[basis]
    shares = [percent(p, w) for p, w in zip(cells[part], cells[whole], strict=True)]
    return pd.DataFrame(
        {
            "from_class": list(cells["from_class"]),
            "from_class_rank": [int(r) for r in cells["from_class_rank"]],
            "to_state": list(cells["to_state"]),
            "to_state_order": [int(o) for o in cells["to_state_order"]],
            "part": list(cells[part]),
            "whole": list(cells[whole]),
            "share": [formatting.format_percent(s) for s in shares],
            "share_value": [chart_value(s) for s in shares],
        }
    )


def _count_or_amount(value: Any, basis: str) -> str:
    if basis == "count":
        return formatting.format_count(None if formatting.is_missing(value) else int(value))
    return formatting.format_amount(value)


def matrix_table(long: pd.DataFrame, basis: str, lang: str) -> pd.DataFrame:
    """Rows = start class (with its loans or start balance), columns = end states, cells = share."""
    states = long.drop_duplicates("to_state").sort_values("to_state_order")["to_state"].tolist()
    whole_header = translate(f"history.matrix.whole.{basis}", lang)
    rows = []
    for _, of_class in long.groupby("from_class_rank", sort=True):
        first = of_class.iloc[0]
        row: dict[str, Any] = {
            translate("history.matrix.from_class", lang): code_label(
                "class", first["from_class"], lang
            ),
            whole_header: _count_or_amount(first["whole"], basis),
        }
        by_state = dict(zip(of_class["to_state"], of_class["share"], strict=True))
        for state in states:
            row[code_label("migration_state", state, lang)] = by_state.get(state, "")
        rows.append(row)
    return pd.DataFrame(rows)


def rates_frames(rates: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The rates of one horizon: long (one row per period and rate, exact text and float) and
    wide (one row per period, one text column per rate) for the table beside the chart."""
    long = rates.copy().reset_index(drop=True)
    values = [
        percent(m, None if formatting.is_missing(s) else s - r)
        for m, s, r in zip(
            rates["migrated_balance"], rates["start_balance"], rates["reduced_balance"], strict=True
        )
    ]
    long["migration_rate"] = [formatting.format_percent(v) for v in values]
    long["migration_rate_value"] = [chart_value(v) for v in values]
    wide_rows = []
    for (start, end), period in long.groupby(["from_as_of_date", "to_as_of_date"], sort=True):
        row: dict[str, Any] = {"from_as_of_date": start, "to_as_of_date": end}
        texts = dict(zip(period["rate_code"], period["migration_rate"], strict=True))
        for code in RATE_CODES:
            row[f"migration_rate_{code}"] = texts.get(code, formatting.MISSING)
        wide_rows.append(row)
    wide = pd.DataFrame(
        wide_rows,
        columns=["from_as_of_date", "to_as_of_date", *(f"migration_rate_{c}" for c in RATE_CODES)],
    )
    return long, wide


def roll_frame(rolls: pd.DataFrame) -> pd.DataFrame:
    """Roll, cure and flow rows with their count and balance rates as exact text (and floats)."""
    frame = rolls.copy().reset_index(drop=True)
    counts = [
        percent(n, d)
        for n, d in zip(frame["numerator_loans"], frame["denominator_loans"], strict=True)
    ]
    balances = [
        percent(n, d)
        for n, d in zip(frame["numerator_balance"], frame["denominator_balance"], strict=True)
    ]
    frame["count_rate"] = [formatting.format_percent(v) for v in counts]
    frame["balance_rate"] = [formatting.format_percent(v) for v in balances]
    frame["count_rate_value"] = [chart_value(v) for v in counts]
    frame["balance_rate_value"] = [chart_value(v) for v in balances]
    return frame


def default_roll_month(rolls: pd.DataFrame, as_of: dt.date) -> dt.date | None:
    """The start month-end of the latest month that ends on or before ``as_of`` (else the
    earliest month)."""
    if rolls.empty:
        return None
    pairs = rolls.drop_duplicates("from_as_of_date")
    ended = pairs[pairs["to_as_of_date"] <= as_of]
    if ended.empty:
        return min(pairs["from_as_of_date"])
    return max(ended["from_as_of_date"])


def cohort_label(cohort: dt.date, granularity: str) -> str:
    """``2024Q1`` for a quarter cohort, ``2024-01`` for a month cohort."""
    if granularity == "quarter":
        return f"{cohort.year}Q{(cohort.month - 1) // 3 + 1}"
    return f"{cohort.year}-{cohort.month:02d}"


def vintage_frame(curves: pd.DataFrame, basis: str, granularity: str) -> pd.DataFrame:
    """The curves with the cohort label and, on ``basis``, the exact rate as text and float.
    Cells not yet observed have no rate (blank text, no float): they are not zero."""
    part, whole = VINTAGE_BASIS[basis]
    frame = curves.copy().reset_index(drop=True)
    rates = [
        percent(p, w) if bool(o) else None
        for p, w, o in zip(frame[part], frame[whole], frame["is_observed"], strict=True)
    ]
    frame["cohort_label"] = [cohort_label(c, granularity) for c in frame["cohort"]]
    frame["rate"] = [
        formatting.format_percent(r) if bool(o) else ""
        for r, o in zip(rates, frame["is_observed"], strict=True)
    ]
    frame["rate_value"] = [chart_value(r) for r in rates]
    return frame


def vintage_table(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The vintage triangle: one row per cohort (its loans and principal), one column per months
    on book that any of the cohorts has reached; unobserved cells are blank."""
    mobs = sorted(
        {int(m) for m, o in zip(frame["months_on_book"], frame["is_observed"], strict=True) if o}
    )
    rows = []
    for _, cohort in frame.groupby("cohort", sort=True):
        first = cohort.iloc[0]
        row: dict[str, Any] = {
            translate("history.vintage.cohort", lang): first["cohort_label"],
            translate("history.vintage.cohort_loans", lang): formatting.format_count(
                int(first["cohort_loans"])
            ),
            translate("history.vintage.cohort_principal", lang): formatting.format_amount(
                first["cohort_principal"]
            ),
        }
        by_mob = {int(m): r for m, r in zip(cohort["months_on_book"], cohort["rate"], strict=True)}
        for mob in mobs:
            row[translate("history.vintage.mob_column", lang, mob=mob)] = by_mob.get(mob, "")
        rows.append(row)
    return pd.DataFrame(rows)


def metric_label(metric: str, threshold: Any, lang: str) -> str:
    if metric == "default":
        return translate("history.vintage.metric.default", lang)
    if not formatting.is_missing(threshold):
        return translate("history.vintage.metric.ever", lang, days=int(threshold))
    return metric


# --- rendering ---------------------------------------------------------------------------------


def _labels(prefix: str, codes: Sequence[str]) -> dict[str, str]:
    """``code -> label`` in the run's language, for a widget's ``format_func`` (a lookup made
    now, not a call of ``t`` later, outside the run)."""
    return {code: t(f"{prefix}.{code}") for code in codes}


def _keep(key: str, options: Sequence[Any], default: Any) -> None:
    """Keep a widget's value while it is still an option; else reset it to ``default``."""
    if st.session_state.get(key) not in options:
        st.session_state[key] = default


def _line_chart(
    long: pd.DataFrame, series_title: str, value_title: str, as_of: dt.date
) -> alt.LayerChart:
    """Lines over the history dates, with a rule at the chosen as-of date; ``long`` has
    as_of_date, series, value (float) and text."""
    chart_data = long.assign(as_of_date=pd.to_datetime(long["as_of_date"]))
    rule = (
        alt.Chart(pd.DataFrame({"as_of_date": [pd.Timestamp(as_of)]}))
        .mark_rule(color="#888888", strokeDash=[4, 4])
        .encode(x="as_of_date:T")
    )
    lines = (
        alt.Chart(chart_data)
        .mark_line(point=True)
        .encode(
            x=alt.X("as_of_date:T", title=t("chart.as_of")),
            y=alt.Y("value:Q", title=value_title),
            color=alt.Color("series:N", title=series_title, sort=None),
            tooltip=[
                alt.Tooltip("as_of_date:T", title=t("chart.as_of"), format="%Y-%m-%d"),
                alt.Tooltip("series:N", title=series_title),
                alt.Tooltip("text:N", title=value_title),
            ],
        )
    )
    return lines + rule


def _long(frame: pd.DataFrame, names: Sequence[str], labels: Sequence[str]) -> pd.DataFrame:
    parts = [
        pd.DataFrame(
            {
                "as_of_date": frame["as_of_date"],
                "series": label,
                "value": frame[f"{name}_value"],
                "text": frame[name],
            }
        )
        for name, label in zip(names, labels, strict=True)
    ]
    long = pd.concat(parts, ignore_index=True)
    return long[long["value"].notna()]


def render_trends(context, trends: pd.DataFrame) -> None:
    st.subheader(t("history.trends"))
    st.caption(t("history.trends_caption"))
    frame = quality_frame(trends)
    names = [name for name, _, _ in QUALITY_RATIOS]
    labels = [t(f"col.{name}") for name in names]
    chart = _line_chart(
        _long(frame, names, labels), t("history.series"), t("history.ratio_pct"), context.as_of
    )
    tables.chart_beside(chart, frame, QUALITY_TABLE, context.lang)

    st.markdown(f"**{t('history.coverage')}**")
    chart = _line_chart(
        _long(frame, ["coverage_ratio"], [t("col.coverage_ratio")]),
        t("history.series"),
        t("history.ratio_pct"),
        context.as_of,
    )
    tables.chart_beside(chart, frame, COVERAGE_TABLE, context.lang)

    st.markdown(f"**{t('history.default_rate')}**")
    st.caption(t("history.default_rate_caption"))
    chart = _line_chart(
        _long(frame, ["default_rate_12m"], [t("col.default_rate_12m")]),
        t("history.series"),
        t("history.ratio_pct"),
        context.as_of,
    )
    tables.chart_beside(chart, frame, DEFAULT_TABLE, context.lang)


def _heatmap(long: pd.DataFrame, lang: str, basis: str, currency: str) -> alt.LayerChart:
    class_labels = [code_label("class", c, lang) for c in CLASSES]
    states = long.drop_duplicates("to_state").sort_values("to_state_order")["to_state"]
    state_labels = [code_label("migration_state", s, lang) for s in states]
    chart_data = pd.DataFrame(
        {
            "from_label": [code_label("class", c, lang) for c in long["from_class"]],
            "to_label": [code_label("migration_state", s, lang) for s in long["to_state"]],
            "share": long["share"],
            "share_value": long["share_value"],
            "part_text": [_count_or_amount(v, basis) for v in long["part"]],
        }
    )
    part_title = (
        t("history.matrix.part.count")
        if basis == "count"
        else t("history.matrix.part.balance", currency=currency)
    )
    base = alt.Chart(chart_data).encode(
        x=alt.X("to_label:N", sort=state_labels, title=t("history.matrix.to_state")),
        y=alt.Y("from_label:N", sort=class_labels, title=t("history.matrix.from_class")),
    )
    cells = base.mark_rect().encode(
        color=alt.Color(
            "share_value:Q",
            title=t("history.matrix.share"),
            scale=alt.Scale(domain=[0, 100], scheme="orangered"),
        ),
        tooltip=[
            alt.Tooltip("from_label:N", title=t("history.matrix.from_class")),
            alt.Tooltip("to_label:N", title=t("history.matrix.to_state")),
            alt.Tooltip("share:N", title=t("history.matrix.share")),
            alt.Tooltip("part_text:N", title=part_title),
        ],
    )
    labels = base.mark_text(fontSize=12).encode(
        text=alt.Text("share:N"),
        color=alt.condition("datum.share_value > 55", alt.value("white"), alt.value("black")),
    )
    return cells + labels


def render_migration(context, dates: list[dt.date], prefix: str, currency: str) -> None:
    st.subheader(t("history.migration"))
    st.caption(t("history.migration_caption"))
    defaults = default_dates(dates, context.as_of)
    if defaults is None:
        st.info(t("history.migration_too_few"))
        return
    options = [d.isoformat() for d in dates]
    from_key, to_key, basis_key = f"{prefix}:from", f"{prefix}:to", f"{prefix}:basis"
    _keep(from_key, options, defaults[0].isoformat())
    _keep(to_key, options, defaults[1].isoformat())
    _keep(basis_key, BASES, "balance")
    left, middle, right = st.columns([2, 2, 3])
    with left:
        start_text = st.selectbox(t("history.matrix.from_date"), options, key=from_key)
    with middle:
        end_text = st.selectbox(t("history.matrix.to_date"), options, key=to_key)
    with right:
        basis = st.radio(
            t("history.basis"),
            BASES,
            key=basis_key,
            horizontal=True,
            format_func=_labels("history.basis", BASES).get,
        )
    start, end = dt.date.fromisoformat(start_text), dt.date.fromisoformat(end_text)
    if start >= end:
        st.warning(t("history.matrix.order"))
        return
    cells = migration_between(context.snapshot, context.portfolio_id, start, end)
    long = matrix_cells(cells, basis)
    cohort_loans = sum(
        int(w)
        for w in cells.drop_duplicates("from_class")["row_loan_count"]
        if not formatting.is_missing(w)
    )
    st.caption(
        t(
            "history.matrix.cohort",
            start=start.isoformat(),
            end=end.isoformat(),
            loans=formatting.format_count(cohort_loans),
        )
    )
    st.altair_chart(_heatmap(long, context.lang, basis, currency), width="stretch")
    st.dataframe(matrix_table(long, basis, context.lang), hide_index=True, width="stretch")


def render_rates(context, prefix: str) -> None:
    st.subheader(t("history.rates"))
    st.caption(t("history.rates_caption"))
    key = f"{prefix}:horizon"
    _keep(key, HORIZONS, "quarter")
    horizon = st.radio(
        t("history.horizon"),
        HORIZONS,
        key=key,
        horizontal=True,
        format_func=_labels("history.horizon", HORIZONS).get,
    )
    rates = migration_rates(context.snapshot, context.portfolio_id, horizon)
    if rates.empty:
        st.info(t("history.rates_none"))
        return
    long, wide = rates_frames(rates)
    chart_long = pd.DataFrame(
        {
            "as_of_date": long["from_as_of_date"],
            "series": [code_label("migration_rate", c, context.lang) for c in long["rate_code"]],
            "value": long["migration_rate_value"],
            "text": long["migration_rate"],
        }
    )
    chart = _line_chart(
        chart_long[chart_long["value"].notna()],
        t("history.rate"),
        t("history.ratio_pct"),
        context.as_of,
    )
    tables.chart_beside(chart, wide, RATES_TABLE, context.lang)
    with st.expander(t("history.rates_detail")):
        tables.show(long, RATES_DETAIL_TABLE, context.lang)


def render_rolls(context, prefix: str) -> None:
    st.subheader(t("history.rolls"))
    st.caption(t("history.rolls_caption"))
    rolls = roll_rates(context.snapshot, context.portfolio_id)
    if rolls.empty:
        st.info(t("history.rolls_none"))
        return
    frame = roll_frame(rolls)
    months = sorted(set(frame["from_as_of_date"]), reverse=True)
    ends = dict(zip(frame["from_as_of_date"], frame["to_as_of_date"], strict=True))
    options = [m.isoformat() for m in months]
    month_labels = {
        m.isoformat(): t("history.roll_month_option", start=m.isoformat(), end=ends[m].isoformat())
        for m in months
    }
    key = f"{prefix}:roll_month"
    default = default_roll_month(frame, context.as_of)
    _keep(key, options, default.isoformat() if default else options[0])
    chosen = st.selectbox(
        t("history.roll_month"),
        options,
        key=key,
        format_func=month_labels.get,
    )
    month = frame[frame["from_as_of_date"] == dt.date.fromisoformat(chosen)]
    tables.show(month, ROLL_TABLE, context.lang, width="stretch")

    st.markdown(f"**{t('history.roll_trend', start=ROLL_FROM, end=ROLL_TO)}**")
    trend = frame[
        (frame["rate_kind"] == "roll")
        & (frame["from_bucket"] == ROLL_FROM)
        & (frame["to_bucket"] == ROLL_TO)
    ].reset_index(drop=True)
    if trend.empty:
        st.info(t("history.roll_trend_none", start=ROLL_FROM))
        return
    trend = trend.assign(as_of_date=trend["from_as_of_date"])
    chart = _line_chart(
        _long(trend, ["count_rate", "balance_rate"], [t("col.count_rate"), t("col.balance_rate")]),
        t("history.basis"),
        t("history.ratio_pct"),
        context.as_of,
    )
    tables.chart_beside(chart, trend, ROLL_TREND_TABLE, context.lang)


def render_vintages(context, prefix: str) -> None:
    st.subheader(t("history.vintage"))
    st.caption(t("history.vintage_caption"))
    metrics = vintage_metrics(context.snapshot, context.portfolio_id)
    if metrics.empty:
        st.info(t("history.vintage_none"))
        return
    labels = {
        str(m): metric_label(str(m), th, context.lang)
        for m, th in zip(metrics["metric"], metrics["dpd_threshold"], strict=True)
    }
    metric_options = list(labels)
    granularity_key, metric_key = f"{prefix}:granularity", f"{prefix}:metric"
    basis_key = f"{prefix}:vintage_basis"
    _keep(granularity_key, GRANULARITIES, "quarter")
    _keep(metric_key, metric_options, metric_options[0])
    _keep(basis_key, VINTAGE_BASES, "count")
    left, middle, right = st.columns(3)
    with left:
        granularity = st.radio(
            t("history.vintage.granularity"),
            GRANULARITIES,
            key=granularity_key,
            horizontal=True,
            format_func=_labels("history.vintage.granularity", GRANULARITIES).get,
        )
    with middle:
        metric = st.selectbox(
            t("history.vintage.metric"), metric_options, key=metric_key, format_func=labels.get
        )
    with right:
        basis = st.radio(
            t("history.basis"),
            VINTAGE_BASES,
            key=basis_key,
            horizontal=True,
            format_func=_labels("history.basis", VINTAGE_BASES).get,
        )
    curves = vintage_curves(context.snapshot, context.portfolio_id, granularity, metric)
    if curves.empty:
        st.info(t("history.vintage_none"))
        return
    frame = vintage_frame(curves, basis, granularity)
    cohorts = sorted(set(frame["cohort"]))
    cohort_options = [c.isoformat() for c in cohorts]
    cohorts_key = f"{prefix}:cohorts:{granularity}"
    chosen = st.session_state.get(cohorts_key)
    if not isinstance(chosen, list) or not set(chosen) <= set(cohort_options):
        st.session_state[cohorts_key] = cohort_options[-DEFAULT_COHORTS:]
    picked = st.multiselect(
        t("history.vintage.cohorts"),
        cohort_options,
        key=cohorts_key,
        format_func={
            c: cohort_label(dt.date.fromisoformat(c), granularity) for c in cohort_options
        }.get,
        help=t("history.vintage.cohorts_help", count=DEFAULT_COHORTS),
    )
    shown = frame[frame["cohort"].isin([dt.date.fromisoformat(c) for c in picked])]
    if shown.empty:
        st.info(t("history.vintage.no_cohort"))
        return
    drawn = shown.loc[
        shown["rate_value"].notna(), ["cohort_label", "months_on_book", "rate", "rate_value"]
    ]
    rate_title = t("history.vintage.rate_pct", metric=labels[metric])
    chart = (
        alt.Chart(drawn)
        .mark_line(point=True)
        .encode(
            x=alt.X("months_on_book:Q", title=t("history.vintage.mob")),
            y=alt.Y("rate_value:Q", title=rate_title),
            color=alt.Color("cohort_label:N", title=t("history.vintage.cohort")),
            tooltip=[
                alt.Tooltip("cohort_label:N", title=t("history.vintage.cohort")),
                alt.Tooltip("months_on_book:Q", title=t("history.vintage.mob")),
                alt.Tooltip("rate:N", title=rate_title),
            ],
        )
    )
    st.altair_chart(chart, width="stretch")
    st.dataframe(vintage_table(shown, context.lang), hide_index=True, width="stretch")


def render() -> None:
    context = current_context()
    st.header(t("history.title"))
    if context.portfolio_id is None:
        st.info(t("sidebar.no_portfolios"))
        return
    summary = context.summary_row()
    trends = quality_trends(context.snapshot, context.portfolio_id)
    if summary is None or trends.empty:
        st.info(t("history.no_data"))
        return
    currency = summary["currency"]
    dates = sorted(set(trends["as_of_date"]))
    st.caption(
        t(
            "history.subtitle",
            name=summary["portfolio_name"],
            id=context.portfolio_id,
            currency=currency,
            first=dates[0].isoformat(),
            last=dates[-1].isoformat(),
            count=formatting.format_count(len(dates)),
        )
    )
    provenance = summary["provenance"]
    if provenance in ("derived", "synthetic"):
        st.warning(t(f"overview.provenance.{provenance}"), icon=":material/science:")
    prefix = f"history:{context.portfolio_id}:{context.as_of.isoformat()}"
    render_trends(context, trends)
    render_migration(context, dates, prefix, currency)
    render_rates(context, prefix)
    render_rolls(context, prefix)
    render_vintages(context, prefix)


# Streamlit runs a page as ``__main__``; importing the module (tests) only defines the functions.
if __name__ == "__main__":
    render()
