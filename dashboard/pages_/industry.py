"""Industry limits and industry risk of the chosen portfolio and as-of date (rules I1-I4, J16).

Sections: utilisation of every limit in force with its band (I3) and the trend's projected month,
utilisation over the history dates (month-ends and delivered as-of dates; breaches and reviews are
those of the delivered date), the breaches with the loans and borrowers that drive them, the
committee's review list with its evidence and suggested action, default rates by industry and
year, the risk indicators of each industry, and a drill-down industry -> borrowers -> loans.

Amounts stay Decimal and are shown with ``formatting``; percentages are computed from the exact
Decimal amounts where both are at hand (utilisation = exposure / limit), otherwise from the
stored 6-place fractions. Charts get floats; tables hold the exact text.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from dashboard import formatting, industry_data, tables
from dashboard.i18n import t, translate
from dashboard.shell import current_context
from dashboard.tables import AMOUNT, BOOL, CODE, DATE, Col

LIGHTS = {"green": "🟢", "amber": "🟡", "red": "🔴", "breach": "⛔"}
TREND_MONTHS = 6  # dbt var industry_trend_months (default), for the caption

UTILISATION_TABLE = (
    Col("light"),
    Col("industry_code"),
    Col("industry_name"),
    Col("industry_level"),
    Col("limit_amount", AMOUNT),
    Col("limit_effective_from", DATE),
    Col("exposure", AMOUNT),
    Col("utilisation_text"),
    Col("headroom", AMOUNT),
    Col("band", CODE, "band"),
    Col("borrowers"),
    Col("trend_status", CODE, "trend"),
    Col("projected_limit_month", DATE),
)
HISTORY_TABLE = (Col("as_of_date", DATE), Col("is_delivered_as_of", BOOL), Col("industry_code"),
                 Col("utilisation_text"), Col("band", CODE, "band"))
BREACH_TABLE = (
    Col("industry_code"),
    Col("excess", AMOUNT),
    Col("rank_in_industry"),
    Col("loan_id"),
    Col("borrower_id"),
    Col("borrower_name"),
    Col("borrower_type", CODE),
    Col("exposure", AMOUNT),
    Col("share_text"),
    Col("five_class", CODE, "class"),
    Col("dpd"),
)
REVIEW_TABLE = (
    Col("industry_code"),
    Col("industry_name"),
    Col("trigger_id", CODE, "trigger"),
    Col("evidence_text"),
    Col("suggested_action", CODE, "action"),
    Col("rule"),
)
DEFAULTS_TABLE = (
    Col("year"),
    Col("industry_code"),
    Col("industry_name"),
    Col("performing_obligors"),
    Col("defaulted_obligors"),
    Col("default_rate_text"),
    Col("bank_default_rate_text"),
)
EXPOSURE_TABLE = (
    Col("industry_code"),
    Col("industry_name"),
    Col("limit_exposure", AMOUNT),
    Col("individual_exposure", AMOUNT),
    Col("borrowers"),
    Col("npl_ratio_text"),
    Col("npl_ratio_to_bank_text"),
    Col("special_mention_text"),
    Col("share_of_book_text"),
    Col("exposure_growth_text"),
    Col("migration_text"),
    Col("mapping", CODE, "mapping"),
)
BORROWER_TABLE = (
    Col("borrower_id"),
    Col("borrower_name"),
    Col("borrower_type", CODE),
    Col("borrower_industry_code"),
    Col("loans"),
    Col("exposure", AMOUNT),
)
LOAN_TABLE = (
    Col("loan_id"),
    Col("outstanding_principal", AMOUNT),
    Col("exposure", AMOUNT),
    Col("dpd"),
    Col("five_class", CODE, "class"),
)


# --- figures (no Streamlit) -------------------------------------------------------------------


def percent_of(part: Any, whole: Any, stored: Any = None) -> str:
    """part / whole as a percentage from the exact amounts; the stored fraction if one is
    missing or the whole is zero."""
    exact = formatting.share_percent(part, whole)
    if exact is None and not formatting.is_missing(stored):
        exact = formatting.to_decimal(stored) * formatting.HUNDRED
    return formatting.format_percent(exact)


def fraction_text(value: Any) -> str:
    """A stored fraction (0.042) as a percentage (``4.20%``)."""
    if formatting.is_missing(value):
        return formatting.MISSING
    return formatting.format_percent(formatting.to_decimal(value) * formatting.HUNDRED)


def times_text(value: Any) -> str:
    """A stored ratio (2.8) as ``2.80``."""
    if formatting.is_missing(value):
        return formatting.MISSING
    return f"{formatting.to_decimal(value).quantize(Decimal('0.01')):,.2f}"


def utilisation_frame(rows: pd.DataFrame) -> pd.DataFrame:
    frame = rows.reset_index(drop=True).copy()
    frame["light"] = [LIGHTS.get(b, "⚪") for b in frame["band"]]
    frame["industry_level"] = [int(v) for v in frame["level"]]
    frame["utilisation_text"] = [
        percent_of(e, lim, u)
        for e, lim, u in zip(frame["exposure"], frame["limit_amount"], frame["utilisation"],
                             strict=True)
    ]
    frame["chart_value"] = [
        None if formatting.is_missing(u) else float(u) * 100 for u in frame["utilisation"]
    ]
    return frame


def evidence_text(row: pd.Series, lang: str) -> str:
    """A review's evidence in words, from its figures (the stored English text is for
    analysts)."""
    metric = row["metric"]
    if metric == "utilisation":
        industry = formatting.format_amount(row["industry_value"])
        bank = formatting.format_amount(row["comparison_value"])
        ratio = percent_of(row["industry_value"], row["comparison_value"], row["observed_value"])
        threshold = fraction_text(row["threshold"])
    elif metric == "indicator_yoy_change":
        industry = f"{formatting.to_decimal(row['industry_value']).normalize():,f}"
        bank = f"{formatting.to_decimal(row['comparison_value']).normalize():,f}"
        ratio = fraction_text(row["observed_value"])
        threshold = fraction_text(row["threshold"])
    else:
        industry = fraction_text(row["industry_value"])
        bank = fraction_text(row["comparison_value"])
        ratio = times_text(row["observed_value"])
        threshold = times_text(row["threshold"])
    return translate(
        f"industry.evidence.{metric}",
        lang,
        industry=industry,
        bank=bank,
        ratio=ratio,
        threshold=threshold,
        obligors=formatting.format_count(row["obligors"]),
        period=row["evidence_period"],
    )


def defaults_frame(rates: pd.DataFrame) -> pd.DataFrame:
    frame = rates.reset_index(drop=True).copy()
    frame["default_rate_text"] = [
        percent_of(d, p, r)
        for d, p, r in zip(frame["defaulted_obligors"], frame["performing_obligors"],
                           frame["default_rate"], strict=True)
    ]
    frame["bank_default_rate_text"] = [fraction_text(v) for v in frame["bank_default_rate"]]
    return frame


def defaults_chart_data(frame: pd.DataFrame, bank_label: str) -> pd.DataFrame:
    """One line per industry plus the whole book, in percent (floats, chart only)."""
    rows = [
        {"year": int(y), "series": f"{c} {n}", "value": float(r) * 100}
        for y, c, n, r in zip(frame["year"], frame["industry_code"], frame["industry_name"],
                              frame["default_rate"], strict=True)
        if not formatting.is_missing(r)
    ]
    bank = frame.drop_duplicates("year")
    rows += [
        {"year": int(y), "series": bank_label, "value": float(r) * 100}
        for y, r in zip(bank["year"], bank["bank_default_rate"], strict=True)
        if not formatting.is_missing(r)
    ]
    return pd.DataFrame(rows, columns=["year", "series", "value"])


def exposure_frame(rows: pd.DataFrame, risk: pd.DataFrame) -> pd.DataFrame:
    """The nodes' figures on the date, with growth and downward migration since the previous
    stock date (``risk``, from reporting.industry_risk) where there is one."""
    frame = rows.reset_index(drop=True).merge(
        risk[["level", "industry_code", "exposure_growth", "downward_migration_rate"]],
        on=["level", "industry_code"], how="left")
    frame["exposure_growth_text"] = [fraction_text(v) for v in frame["exposure_growth"]]
    frame["migration_text"] = [fraction_text(v) for v in frame["downward_migration_rate"]]
    frame["borrowers"] = [int(v) for v in frame["business_borrowers"]]
    frame["npl_ratio_text"] = [fraction_text(v) for v in frame["npl_ratio"]]
    frame["npl_ratio_to_bank_text"] = [times_text(v) for v in frame["npl_ratio_to_bank"]]
    frame["special_mention_text"] = [fraction_text(v) for v in frame["special_mention_share"]]
    frame["share_of_book_text"] = [fraction_text(v) for v in frame["share_of_book"]]
    return frame


# --- rendering ---------------------------------------------------------------------------------


def render_utilisation(context, scheme: str, rows: pd.DataFrame) -> None:
    st.subheader(t("industry.utilisation"))
    now = rows[(rows["as_of_date"] == context.as_of) & (rows["scheme"] == scheme)]
    if now.empty:
        st.info(t("industry.no_limits"))
        return
    # The band edges the build used (dbt vars industry_band_*), as stored with the figures.
    edges = {band: fraction_text(now[f"band_{band}_from"].iloc[0]).replace(".00%", "%")
             for band in ("amber", "red", "breach")}
    st.caption(t("industry.utilisation_caption", **edges))
    frame = utilisation_frame(now)
    separator = t("industry.list_separator")
    for band, key, show in (("breach", "industry.breaches", st.error),
                            ("red", "industry.reds", st.warning)):
        hits = frame[frame["band"] == band]
        if not hits.empty:
            names = separator.join(
                f"{c} {n} {u}" for c, n, u in zip(hits["industry_code"], hits["industry_name"],
                                                  hits["utilisation_text"], strict=True))
            show(t(key, count=formatting.format_count(len(hits)), names=names))
    chart = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("chart_value:Q", title=t("chart.utilisation")),
            y=alt.Y("industry_code:N", title=t("chart.industry"), sort=None),
            color=alt.Color(
                "band:N",
                scale=alt.Scale(domain=["green", "amber", "red", "breach"],
                                range=["#2e7d32", "#f9a825", "#c62828", "#6a1b9a"]),
                legend=None,
            ),
            tooltip=[alt.Tooltip("industry_name:N", title=t("col.industry_name")),
                     alt.Tooltip("utilisation_text:N", title=t("col.utilisation"))],
        )
    )
    edge_values = [float(now[f"band_{b}_from"].iloc[0]) * 100 for b in ("amber", "red", "breach")]
    rules = alt.Chart(pd.DataFrame({"x": edge_values})).mark_rule(
        strokeDash=[4, 4], color="#555555").encode(x="x:Q")
    st.altair_chart(chart + rules, width="stretch")
    tables.show(frame, UTILISATION_TABLE, context.lang)


def render_history(context, scheme: str, rows: pd.DataFrame) -> None:
    st.subheader(t("industry.history"))
    st.caption(t("industry.history_caption", months=TREND_MONTHS))
    history = rows[(rows["scheme"] == scheme) & (rows["as_of_date"] <= context.as_of)]
    if history.empty:
        return
    frame = utilisation_frame(history)
    frame["date_text"] = [d.isoformat() for d in frame["as_of_date"]]
    frame["delivered_text"] = [t("bool.true") if v else t("bool.false")
                               for v in frame["is_delivered_as_of"]]
    chart = (
        alt.Chart(frame)
        .mark_line(point=True)
        .encode(
            x=alt.X("date_text:O", title=t("chart.as_of")),
            y=alt.Y("chart_value:Q", title=t("chart.utilisation")),
            color=alt.Color("industry_code:N", title=t("chart.industry")),
            tooltip=[alt.Tooltip("industry_code:N", title=t("col.industry_code")),
                     alt.Tooltip("utilisation_text:N", title=t("col.utilisation")),
                     alt.Tooltip("delivered_text:N", title=t("col.is_delivered_as_of"))],
        )
    )
    tables.chart_beside(chart, frame, HISTORY_TABLE, context.lang)


def render_breaches(context, scheme: str) -> None:
    st.subheader(t("industry.breach_list"))
    rows = industry_data.breaches(context.snapshot, context.portfolio_id, context.as_of)
    rows = rows[rows["scheme"] == scheme]
    if rows.empty:
        st.info(t("industry.no_breaches"))
        return
    frame = rows.reset_index(drop=True).copy()
    frame["share_text"] = [
        percent_of(e, i, s) for e, i, s in zip(frame["exposure"], frame["industry_exposure"],
                                              frame["share_of_industry_exposure"], strict=True)
    ]
    tables.show(frame, BREACH_TABLE, context.lang)


def render_reviews(context) -> None:
    st.subheader(t("industry.reviews"))
    st.caption(t("industry.reviews_caption"))
    rows = industry_data.reviews(context.snapshot, context.portfolio_id, context.as_of)
    if rows.empty:
        st.info(t("industry.no_reviews"))
        return
    frame = rows.reset_index(drop=True).copy()
    frame["evidence_text"] = [evidence_text(row, context.lang) for _, row in frame.iterrows()]
    tables.show(frame, REVIEW_TABLE, context.lang)


def _level_picker(context, prefix: str, levels: list[int], label: str) -> int:
    key = f"{prefix}:{label}"
    if st.session_state.get(key) not in levels:
        st.session_state[key] = levels[0]
    return st.selectbox(
        t("industry.level"), levels, key=key,
        format_func=lambda v: t("industry.level_option", level=v),
    )


def render_defaults(context, prefix: str, scheme: str, levels: list[int]) -> None:
    st.subheader(t("industry.defaults"))
    st.caption(t("industry.defaults_caption"))
    level = _level_picker(context, prefix, levels, "default_level")
    rates = industry_data.default_rates(context.snapshot, context.portfolio_id, scheme, level)
    if rates.empty:
        st.info(t("industry.no_defaults"))
        return
    frame = defaults_frame(rates)
    chart = (
        alt.Chart(defaults_chart_data(frame, t("industry.bank")))
        .mark_line(point=True)
        .encode(
            x=alt.X("year:O", title=t("chart.year")),
            y=alt.Y("value:Q", title=t("chart.default_rate")),
            color=alt.Color("series:N", title=t("chart.industry")),
        )
    )
    latest_first = frame.sort_values(["year", "industry_code"], ascending=[False, True])
    tables.chart_beside(chart, latest_first, DEFAULTS_TABLE, context.lang)


def render_drill(context, prefix: str, scheme: str, levels: list[int], currency: str) -> None:
    st.subheader(t("industry.risk_now"))
    level = _level_picker(context, prefix, levels, "exposure_level")
    rows = industry_data.exposure(context.snapshot, context.portfolio_id, context.as_of, scheme)
    risk = industry_data.risk_on_stock_date(
        context.snapshot, context.portfolio_id, context.as_of, scheme)
    frame = exposure_frame(rows[rows["level"] == level], risk)
    previous = risk["previous_stock_date"].dropna()
    if not previous.empty:
        st.caption(t("industry.growth_caption", previous=formatting.format_date(previous.iloc[0])))
    tables.show(frame, EXPOSURE_TABLE, context.lang)

    st.subheader(t("industry.drill"))
    names = dict(zip(frame["industry_code"], frame["industry_name"], strict=True))
    industry_key = f"{prefix}:{scheme}:{level}:industry"
    if st.session_state.get(industry_key) not in names:
        st.session_state[industry_key] = None
    code = st.selectbox(
        t("industry.choose_industry"), list(names), index=None, key=industry_key,
        format_func=lambda c: t("industry.industry_option", code=c, name=names[c] or ""),
    )
    if code is None:
        return
    borrowers = industry_data.industry_borrowers(
        context.snapshot, context.portfolio_id, context.as_of, scheme, code)
    total = sum((v for v in borrowers["exposure"] if not formatting.is_missing(v)), Decimal(0))
    st.caption(t("industry.drill_count", count=formatting.format_count(len(borrowers)),
                 total=formatting.format_amount(total), currency=currency))
    tables.show(borrowers, BORROWER_TABLE, context.lang)
    labels = dict(zip(borrowers["borrower_id"], borrowers["borrower_name"], strict=True))
    borrower_key = f"{industry_key}:{code}:borrower"
    if st.session_state.get(borrower_key) not in labels:
        st.session_state[borrower_key] = None
    borrower = st.selectbox(
        t("industry.choose_borrower"), list(labels), index=None, key=borrower_key,
        format_func=lambda b: t("industry.borrower_option", id=b, name=labels[b] or ""),
    )
    if borrower is None:
        return
    loans = industry_data.borrower_loans(
        context.snapshot, context.portfolio_id, context.as_of, borrower)
    total = sum((v for v in loans["exposure"] if not formatting.is_missing(v)), Decimal(0))
    st.caption(t("industry.loans_count", count=formatting.format_count(len(loans)),
                 total=formatting.format_amount(total), currency=currency))
    tables.show(loans, LOAN_TABLE, context.lang)


def render() -> None:
    context = current_context()
    st.header(t("industry.title"))
    if context.portfolio_id is None:
        st.info(t("sidebar.no_portfolios"))
        return
    summary = context.summary_row()
    schemes = industry_data.schemes(context.snapshot, context.portfolio_id, context.as_of)
    if summary is None or not schemes:
        st.info(t("industry.no_data"))
        return
    currency = summary["currency"]
    st.caption(t("industry.subtitle", name=summary["portfolio_name"], id=context.portfolio_id,
                 currency=currency, as_of=context.as_of.isoformat()))
    prefix = f"industry:{context.portfolio_id}:{context.as_of.isoformat()}"
    scheme_key = f"{prefix}:scheme"
    if st.session_state.get(scheme_key) not in schemes:
        st.session_state[scheme_key] = schemes[0]
    scheme = st.selectbox(t("industry.scheme"), schemes, key=scheme_key)
    rows = industry_data.utilisation(context.snapshot, context.portfolio_id)
    if (rows["provenance"] == "synthetic").any():
        st.warning(t("industry.synthetic_limits"), icon=":material/science:")
    render_utilisation(context, scheme, rows)
    render_breaches(context, scheme)
    render_reviews(context)
    render_history(context, scheme, rows)
    levels = sorted(
        {int(v) for v in industry_data.exposure(
            context.snapshot, context.portfolio_id, context.as_of, scheme)["level"]})
    render_defaults(context, prefix, scheme, levels)
    render_drill(context, prefix, scheme, levels, currency)


# Streamlit runs a page as ``__main__``; importing the module (tests) only defines the functions.
if __name__ == "__main__":
    render()
