"""Concentration of the chosen portfolio and as-of date: the regulatory ratios against their limits
(traffic lights), the large exposures against net tier-1 capital, the loans of a customer or group
chosen from either table, and, for a chosen dimension and level, the concentration indices, the
Lorenz curve and the trend of HHI and top-10 share over the portfolio's as-of dates.

Ratio values are computed here from the exact Decimal numerator and denominator (the stored
6-place fraction only when one is missing); limits, headroom and exposures stay Decimal. The
indices are doubles in the warehouse; they are shown as rounded text and charted as floats.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from dashboard import data, formatting, tables
from dashboard.i18n import code_label, t, translate
from dashboard.shell import current_context
from dashboard.tables import AMOUNT, CODE, Col

LIGHTS = {
    "within": "🟢",
    "warning": "🟠",
    "breach": "🔴",
    "reported": "⚪",
    "no_denominator": "⚪",
}
# The ratios whose counterparty is a customer (borrower_id) or a connected group (group key).
RATIO_COUNTERPARTY = {
    "single_customer_loans": "customer",
    "single_related_party_credit": "customer",
    "large_exposure_single": "customer",
    "single_group_credit": "group",
    "large_exposure_group": "group",
    "related_group_credit": "group",
    "large_exposure_interbank": "customer",
}
DIMENSIONS = ("obligor", "group", "region", "product", "branch", "industry")
# (index, places; None for a share shown as a percentage)
INDEX_ROWS: tuple[tuple[str, int | None], ...] = (
    ("hhi", 4),
    ("hhi_normalised", 4),
    ("effective_names", 2),
    ("gini", 4),
    ("gini_small_sample", 4),
    ("entropy", 4),
    ("entropy_normalised", 4),
    ("top_1_share", None),
    ("top_5_share", None),
    ("top_10_share", None),
    ("top_20_share", None),
)

RATIO_TABLE = (
    Col("light"),
    Col("ratio", CODE, "ratio"),
    Col("basis"),
    Col("counterparty"),
    Col("numerator", AMOUNT),
    Col("denominator", AMOUNT),
    Col("ratio_value"),
    Col("limit_share"),
    Col("headroom", AMOUNT),
    Col("status", CODE, "concentration_status"),
)
LARGE_TABLE = (
    Col("light"),
    Col("counterparty_type", CODE),
    Col("counterparty_id"),
    Col("exposure", AMOUNT),
    Col("share_of_net_tier1_capital"),
    Col("limit_share"),
    Col("status", CODE, "concentration_status"),
)
LOANS_TABLE = (
    Col("loan_id"),
    Col("borrower_id"),
    Col("group_id"),
    Col("product"),
    Col("branch"),
    Col("outstanding_principal", AMOUNT),
    Col("dpd"),
    Col("dpd_bucket", CODE, "bucket"),
    Col("loan_status", CODE),
)
LORENZ_TABLE = (
    Col("point"),
    Col("item"),
    Col("exposure", AMOUNT),
    Col("cumulative_name_share"),
    Col("cumulative_exposure_share"),
)
TREND_TABLE = (Col("as_of_date"), Col("names"), Col("hhi"), Col("top_10_share"))


# --- figures (no Streamlit) -------------------------------------------------------------------


def fraction_percent(value: Any) -> Decimal | None:
    """A stored Decimal fraction (0.15) as a percentage (15), exactly; None when missing."""
    if formatting.is_missing(value):
        return None
    return formatting.to_decimal(value) * formatting.HUNDRED


def ratio_percent(numerator: Any, denominator: Any, value: Any) -> Decimal | None:
    """numerator / denominator in percent from the exact amounts; the stored fraction if either
    is missing."""
    exact = formatting.share_percent(numerator, denominator)
    return exact if exact is not None else fraction_percent(value)


def double_text(value: Any, places: int) -> str:
    """A double of the warehouse as text with ``places`` decimals (rounded half up from its
    shortest decimal representation)."""
    if formatting.is_missing(value):
        return formatting.MISSING
    number = Decimal(repr(float(value)))
    return f"{number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP):,.{places}f}"


def double_percent(value: Any) -> str:
    """A share stored as a double (0.5) as a percentage (``50.00%``)."""
    if formatting.is_missing(value):
        return formatting.MISSING
    return formatting.format_percent(Decimal(repr(float(value))) * formatting.HUNDRED)


def counterparty_key(kind: str, counterparty_id: str) -> str:
    return f"{kind}:{counterparty_id}"


def split_key(key: str) -> tuple[str, str]:
    kind, _, counterparty_id = key.partition(":")
    return kind, counterparty_id


def ratio_frame(ratios: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The ratios with their light, basis, exact value and limit text and drill-down key."""
    frame = ratios.copy()
    frame["light"] = [LIGHTS.get(s, "⚪") for s in frame["status"]]
    frame["basis"] = [
        translate(
            "basis.ratio",
            lang,
            numerator=code_label("basis", n, lang),
            denominator=code_label("basis", d, lang),
        )
        for n, d in zip(frame["numerator_basis"], frame["denominator_basis"], strict=True)
    ]
    frame["ratio_value"] = [
        formatting.format_percent(ratio_percent(n, d, v))
        for n, d, v in zip(frame["numerator"], frame["denominator"], frame["value"], strict=True)
    ]
    frame["limit_share"] = [
        formatting.format_percent(fraction_percent(v)) for v in frame["limit_share"]
    ]
    frame["counterparty"] = [
        "" if formatting.is_missing(c) else str(c) for c in frame["counterparty"]
    ]
    frame["key"] = [
        counterparty_key(RATIO_COUNTERPARTY[r], c) if r in RATIO_COUNTERPARTY and c else None
        for r, c in zip(frame["ratio"], frame["counterparty"], strict=True)
    ]
    return frame.reset_index(drop=True)


def large_frame(large: pd.DataFrame) -> pd.DataFrame:
    frame = large.copy()
    frame["light"] = [LIGHTS.get(s, "⚪") for s in frame["status"]]
    frame["share_of_net_tier1_capital"] = [
        formatting.format_percent(fraction_percent(v)) for v in frame["share_of_net_tier1_capital"]
    ]
    frame["limit_share"] = [
        formatting.format_percent(fraction_percent(v)) for v in frame["limit_share"]
    ]
    frame["key"] = [
        counterparty_key(k, str(c))
        for k, c in zip(frame["counterparty_type"], frame["counterparty_id"], strict=True)
    ]
    return frame.reset_index(drop=True)


def index_table(row: pd.Series, currency: str, lang: str) -> pd.DataFrame:
    """One dimension and level's indices as (index, value) text rows."""
    rows = [
        (translate("concentration.index.names", lang), formatting.format_count(int(row["names"]))),
        (
            translate("concentration.index.total_exposure", lang, currency=currency),
            formatting.format_amount(row["total_exposure"]),
        ),
    ]
    for name, places in INDEX_ROWS:
        value = row[name]
        text = double_percent(value) if places is None else double_text(value, places)
        rows.append((translate(f"concentration.index.{name}", lang), text))
    return pd.DataFrame(
        rows, columns=[translate("col.index_name", lang), translate("col.index_value", lang)]
    )

# Points of a Lorenz curve drawn and listed (reporting.concentration_lorenz holds them all).
LORENZ_POINTS = 200


def sample_positions(count: int, max_points: int | None) -> list[int]:
    """At most ``max_points`` positions of ``count`` evenly spread, the last always among them
    (every position when ``max_points`` is None or not smaller than ``count``)."""
    if max_points is None or count <= max_points:
        return list(range(count))
    step = count / max_points
    return sorted({min(count - 1, int((i + 1) * step) - 1) for i in range(max_points)})


def lorenz_frame(points: pd.DataFrame, max_points: int | None = None) -> pd.DataFrame:
    """The Lorenz points with exact cumulative shares as text (from the Decimal exposures) and,
    for the chart, the stored shares in percent as floats. With ``max_points`` only that many
    points, evenly spread along the curve, are kept (the running totals still add up every
    exposure): a book of a million obligors is drawn, not listed."""
    frame = points.reset_index(drop=True)
    total = sum((v for v in frame["exposure"] if not formatting.is_missing(v)), Decimal(0))
    count = len(frame)
    keep = sample_positions(count, max_points)
    wanted = set(keep)
    running = Decimal(0)
    cumulative = []
    for position, value in enumerate(frame["exposure"]):
        running += Decimal(0) if formatting.is_missing(value) else value
        if position in wanted:
            cumulative.append(running)
    stored = frame.iloc[keep]
    out = stored.copy()
    out["cumulative_exposure_share"] = [
        formatting.format_percent(formatting.share_percent(r, total)) for r in cumulative
    ]
    out["cumulative_name_share"] = [
        formatting.format_percent(formatting.share_percent(int(p), count)) for p in out["point"]
    ]
    out["x"] = [float(v) * 100 for v in stored["cumulative_name_share"]]  # chart only
    out["y"] = [float(v) * 100 for v in stored["cumulative_exposure_share"]]  # chart only
    return out.reset_index(drop=True)


@st.cache_data(show_spinner=False, max_entries=64)
def lorenz_points(
    snapshot: data.Snapshot, portfolio_id: str, as_of: dt.date, dimension: str, level: int
) -> tuple[pd.DataFrame, int]:
    """The curve as drawn (at most LORENZ_POINTS points) and how many points it has, cached per
    build and reader, portfolio, date, dimension and level."""
    points = data.concentration_lorenz(snapshot, portfolio_id, as_of, dimension, level)
    return lorenz_frame(points, LORENZ_POINTS), len(points)


def lorenz_chart_data(frame: pd.DataFrame) -> pd.DataFrame:
    """The curve's points for the chart, starting at (0, 0)."""
    start = pd.DataFrame({"x": [0.0], "y": [0.0], "item": [""]})
    return pd.concat([start, frame[["x", "y", "item"]]], ignore_index=True)


def trend_frame(indices: pd.DataFrame, dimension: str, level: int) -> pd.DataFrame:
    rows = indices[(indices["dimension"] == dimension) & (indices["level"] == level)]
    rows = rows.sort_values("as_of_date")
    return pd.DataFrame(
        {
            "as_of_date": [d.isoformat() for d in rows["as_of_date"]],
            "names": [int(n) for n in rows["names"]],
            "hhi": [double_text(v, 4) for v in rows["hhi"]],
            "top_10_share": [double_percent(v) for v in rows["top_10_share"]],
            "hhi_value": [float(v) for v in rows["hhi"]],  # chart only
            "top_10_value": [float(v) for v in rows["top_10_share"]],  # chart only
        }
    )


def dimension_label(option: str, lang: str) -> str:
    dimension, _, level = option.partition(":")
    name = code_label("dimension", dimension, lang)
    if dimension != "industry":
        return name
    return translate("concentration.dimension_level", lang, dimension=name, level=level)


def dimension_options(indices_now: pd.DataFrame) -> list[str]:
    order = {d: i for i, d in enumerate(DIMENSIONS)}
    pairs = {
        (str(d), int(lv))
        for d, lv in zip(indices_now["dimension"], indices_now["level"], strict=True)
    }
    return [f"{d}:{lv}" for d, lv in sorted(pairs, key=lambda p: (order.get(p[0], 99), p))]


# --- rendering ---------------------------------------------------------------------------------


def _selectable(table: pd.DataFrame, config: dict[str, Any], keys: list[Any], key: str) -> Any:
    """The table with selectable rows; the drill-down key of a newly selected row, else None."""
    event = st.dataframe(
        table,
        hide_index=True,
        column_config=config,
        key=f"{key}:table",
        on_select="rerun",
        selection_mode="single-row",
    )
    rows = [r for r in event.selection.rows if r < len(keys)]
    seen_key = f"{key}:selected"
    picked = None
    if rows and rows != st.session_state.get(seen_key) and keys[rows[0]]:
        picked = keys[rows[0]]
    st.session_state[seen_key] = rows
    return picked


def render_ratios(context, prefix: str) -> list[Any]:
    st.subheader(t("concentration.ratios"))
    st.caption(t("concentration.ratios_caption"))
    ratios = data.regulatory_ratios(context.snapshot, context.portfolio_id, context.as_of)
    if ratios.empty:
        st.info(t("concentration.ratios_none"))
        return []
    frame = ratio_frame(ratios, context.lang)
    separator = t("concentration.list_separator")
    for status, key, show in (
        ("breach", "concentration.breaches", st.error),
        ("warning", "concentration.warnings", st.warning),
    ):
        hits = frame[frame["status"] == status]
        if not hits.empty:
            names = separator.join(
                f"{code_label('ratio', r, context.lang)} {v}"
                for r, v in zip(hits["ratio"], hits["ratio_value"], strict=True)
            )
            show(t(key, count=formatting.format_count(len(hits)), names=names))
    limited = frame[frame["status"].isin(["within", "warning", "breach"])]
    if not limited.empty and (limited["status"] == "within").all():
        st.success(t("concentration.all_within"))
    table, config = tables.display_frame(frame, RATIO_TABLE, context.lang)
    picked = _selectable(table, config, list(frame["key"]), f"{prefix}:ratios")
    tables.export_buttons(frame, RATIO_TABLE, context.lang, name="concentration_ratios")
    return [picked, *[k for k in frame["key"] if k]]


def render_large(context, prefix: str) -> list[Any]:
    st.subheader(t("concentration.large"))
    st.caption(t("concentration.large_caption"))
    large = data.large_exposures(context.snapshot, context.portfolio_id, context.as_of)
    if large.empty:
        st.info(t("concentration.large_none"))
        return []
    frame = large_frame(large)
    table, config = tables.display_frame(frame, LARGE_TABLE, context.lang)
    picked = _selectable(table, config, list(frame["key"]), f"{prefix}:large")
    tables.export_buttons(frame, LARGE_TABLE, context.lang, name="large_exposures")
    return [picked, *frame["key"]]


def render_drill(
    context, prefix: str, picked: list[Any], options: list[str], currency: str
) -> None:
    st.subheader(t("concentration.drill"))
    options = list(dict.fromkeys(options))
    if not options:
        return
    picker_key = f"{prefix}:counterparty"
    newly = next((p for p in picked if p), None)
    if newly is not None:
        st.session_state[picker_key] = newly
    if st.session_state.get(picker_key) not in options:
        st.session_state[picker_key] = None

    def label(key: str) -> str:
        kind, counterparty_id = split_key(key)
        return t(
            "concentration.counterparty_option",
            kind=code_label("counterparty_type", kind, context.lang),
            id=counterparty_id,
        )

    chosen = st.selectbox(
        t("concentration.choose_counterparty"),
        options,
        index=None,
        key=picker_key,
        format_func=label,
        help=t("concentration.choose_help"),
        placeholder=t("concentration.choose_placeholder"),
    )
    if chosen is None:
        return
    kind, counterparty_id = split_key(chosen)
    loans = data.counterparty_loans(
        context.snapshot, context.portfolio_id, context.as_of, kind, counterparty_id
    )
    if loans.empty:
        st.info(t("concentration.drill_none"))
        return
    total = sum(
        (v for v in loans["outstanding_principal"] if not formatting.is_missing(v)), Decimal(0)
    )
    st.caption(
        t(
            "concentration.drill_count",
            count=formatting.format_count(len(loans)),
            total=formatting.format_amount(total),
            currency=currency,
        )
    )
    tables.show(loans, LOANS_TABLE, context.lang)


def render_indices(context, prefix: str, currency: str) -> None:
    st.subheader(t("concentration.indices"))
    indices = data.concentration_indices(context.snapshot, context.portfolio_id)
    now = indices[indices["as_of_date"] == context.as_of]
    if now.empty:
        st.info(t("concentration.indices_none"))
        return
    options = dimension_options(now)
    key = f"{prefix}:dimension"
    if st.session_state.get(key) not in options:
        st.session_state[key] = options[0]
    chosen = st.selectbox(
        t("concentration.dimension"),
        options,
        key=key,
        format_func=lambda o: dimension_label(o, context.lang),
    )
    dimension, _, level_text = chosen.partition(":")
    level = int(level_text)
    row = now[(now["dimension"] == dimension) & (now["level"] == level)].iloc[0]

    left, right = st.columns([2, 3])
    with left:
        indices_table = index_table(row, currency, context.lang)
        st.dataframe(indices_table, hide_index=True)
        tables.export_plain(indices_table, f"concentration_indices_{dimension}_{level}", dimension)
    with right:
        render_lorenz(context, dimension, level)
    render_trend(context, indices, dimension, level)


def render_lorenz(context, dimension: str, level: int) -> None:
    st.markdown(f"**{t('concentration.lorenz')}**")
    frame, count = lorenz_points(
        context.snapshot, context.portfolio_id, context.as_of, dimension, level
    )
    if frame.empty:
        st.info(t("concentration.indices_none"))
        return
    x_title = t("chart.cumulative_names")
    y_title = t("chart.cumulative_exposure")
    curve = (
        alt.Chart(lorenz_chart_data(frame))
        .mark_line(point=True, color="#c0392b")
        .encode(
            x=alt.X("x:Q", title=x_title, scale=alt.Scale(domain=[0, 100])),
            y=alt.Y("y:Q", title=y_title, scale=alt.Scale(domain=[0, 100])),
            tooltip=[
                alt.Tooltip("item:N", title=t("col.item")),
                alt.Tooltip("x:Q", title=x_title, format=".2f"),
                alt.Tooltip("y:Q", title=y_title, format=".2f"),
            ],
        )
    )
    diagonal = (
        alt.Chart(pd.DataFrame({"x": [0.0, 100.0], "y": [0.0, 100.0]}))
        .mark_line(color="#888888", strokeDash=[4, 4])
        .encode(x="x:Q", y="y:Q")
    )
    st.altair_chart(diagonal + curve, width="stretch")
    st.caption(t("concentration.lorenz_caption"))
    if count > len(frame):
        st.caption(t("concentration.lorenz_sampled", shown=formatting.format_count(len(frame)),
                     count=formatting.format_count(count)))
    tables.show(frame, LORENZ_TABLE, context.lang)


def render_trend(context, indices: pd.DataFrame, dimension: str, level: int) -> None:
    st.subheader(t("concentration.trend"))
    frame = trend_frame(indices, dimension, level)
    hhi_label = t("concentration.index.hhi")
    top_label = t("concentration.index.top_10_share")
    long = pd.DataFrame(
        {
            "as_of_date": list(frame["as_of_date"]) * 2,
            "index": [hhi_label] * len(frame) + [top_label] * len(frame),
            "value": list(frame["hhi_value"]) + list(frame["top_10_value"]),
            "text": list(frame["hhi"]) + list(frame["top_10_share"]),
        }
    )
    chart = (
        alt.Chart(long)
        .mark_line(point=True)
        .encode(
            x=alt.X("as_of_date:O", title=t("chart.as_of")),
            y=alt.Y("value:Q", title=t("chart.index_value")),
            color=alt.Color("index:N", title=t("chart.index")),
            tooltip=[
                alt.Tooltip("as_of_date:O", title=t("chart.as_of")),
                alt.Tooltip("index:N", title=t("chart.index")),
                alt.Tooltip("text:N", title=t("chart.index_value")),
            ],
        )
    )
    tables.chart_beside(chart, frame, TREND_TABLE, context.lang)


def render() -> None:
    context = current_context()
    st.header(t("concentration.title"))
    if context.portfolio_id is None:
        st.info(t("sidebar.no_portfolios"))
        return
    summary = context.summary_row()
    if summary is None:
        st.info(t("concentration.no_data"))
        return
    currency = summary["currency"]
    st.caption(
        t(
            "concentration.subtitle",
            name=summary["portfolio_name"],
            id=context.portfolio_id,
            currency=currency,
            as_of=context.as_of.isoformat(),
        )
    )
    provenance = summary["provenance"]
    if provenance in ("derived", "synthetic"):
        st.warning(t(f"overview.provenance.{provenance}"), icon=":material/science:")
    prefix = f"concentration:{context.portfolio_id}:{context.as_of.isoformat()}"
    from_ratios = render_ratios(context, prefix)
    from_large = render_large(context, prefix)
    picked = [from_ratios[0] if from_ratios else None, from_large[0] if from_large else None]
    options = [k for k in from_ratios[1:] + from_large[1:] if k]
    render_drill(context, prefix, picked, options, currency)
    render_indices(context, prefix, currency)


# Streamlit runs a page as ``__main__``; importing the module (tests) only defines the functions.
if __name__ == "__main__":
    render()
