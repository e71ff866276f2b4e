"""One loan: its terms, repayment schedule (settled / overdue / not yet due at the as-of date),
payments, events, its five-level class with the rules that fired, and its DPD and class across
the portfolio's as-of dates.

The loan is chosen from the current portfolio and as-of date, or named by the ``loan_id`` query
parameter so other pages can link to it (``st.page_link("pages_/loan.py",
query_params={"loan_id": ...})``); the picker keeps the parameter in step, so the address always
names the loan shown. Schedule, payments and events are read from the batch the as-of date
publishes (``reporting.loans.batch_id``), never from a superseded delivery.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from dashboard import data, formatting, shell, tables
from dashboard.i18n import code_label, t, translate
from dashboard.pages_.classification import (
    RULES_TABLE,
    rule_book,
    rules_table,
)
from dashboard.shell import current_context, plain
from dashboard.tables import AMOUNT, BOOL, CODE, DATE, TEXT, Col

LOAN_KEY = "loan_page_loan"
FIND_KEY = "loan_page_find"
# Loans listed in the picker (a book of a million loans is reached by typing the id).
PICKER_LIMIT = 1_000
PARAM = "loan_id"
CLASSIFICATION_PAGE = "pages_/classification.py"

SCHEDULE_TABLE = (
    Col("installment_no"),
    Col("due_date", DATE),
    Col("principal_due", AMOUNT),
    Col("interest_due", AMOUNT),
    Col("installment_status", CODE),
    Col("settled_on", DATE),
    Col("days_late"),
    Col("days_overdue"),
)

PAYMENTS_TABLE = (
    Col("payment_id"),
    Col("payment_date", DATE),
    Col("principal_paid", AMOUNT),
    Col("interest_paid", AMOUNT),
    Col("penalty_paid", AMOUNT),
)

EVENTS_TABLE = (
    Col("event_id"),
    Col("event_date", DATE),
    Col("event_type", CODE),
    Col("amount", AMOUNT),
    Col("new_maturity_date", DATE),
    Col("note"),
)

BORROWER_FIELDS = (
    ("borrower_id", None),
    ("borrower_name", None),
    ("id_number", None),
    ("borrower_type", "borrower_type"),
    ("group_id", None),
    ("industry_scheme", None),
    ("industry_code", None),
    ("region", None),
    ("internal_rating", None),
    ("is_related_party", "bool"),
)

COLLATERAL_TABLE = (
    Col("collateral_id"),
    Col("collateral_type", CODE),
    Col("appraised_value", AMOUNT),
    Col("appraisal_date", DATE),
    Col("provenance", CODE),
)

GUARANTEE_TABLE = (
    Col("guarantee_id"),
    Col("guarantor_id"),
    Col("guarantor_name"),
    Col("guaranteed_amount", AMOUNT),
    Col("guarantee_period_end", DATE),
    Col("provenance", CODE),
)

HISTORY_TABLE = (
    Col("as_of_date", DATE),
    Col("loan_status", CODE),
    Col("outstanding_principal", AMOUNT),
    Col("dpd"),
    Col("dpd_bucket", CODE, "bucket"),
    Col("principal_dpd"),
    Col("interest_dpd"),
    Col("judgmental_class", CODE, "class"),
    Col("final_class", CODE, "class"),
    Col("ifrs9_stage", CODE),
    Col("rules_fired"),
)


# --- formatting helpers (no Streamlit) ----------------------------------------------------------


def rate_text(value: Any) -> str:
    """An interest rate given in percent per year: ``Decimal("4.350000")`` -> ``"4.35%"``; places
    beyond the second are kept when they are not zero (``3.875%``)."""
    if formatting.is_missing(value):
        return formatting.MISSING
    number = formatting.to_decimal(value).normalize()
    if number.as_tuple().exponent > -2:
        number = number.quantize(formatting.CENT)
    return f"{number:f}%"


def installment_status(settled_on: Any, due_date: Any, as_of: dt.date) -> str:
    """``settled`` when paid off, else ``overdue`` when it fell due before the as-of date (the
    DPD rule: strictly before), else ``not_due``."""
    if not formatting.is_missing(settled_on):
        return "settled"
    if not formatting.is_missing(due_date) and due_date < as_of:
        return "overdue"
    return "not_due"


def schedule_frame(schedule: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """The schedule with each installment's status at ``as_of`` and how late it is (or was)."""
    frame = schedule.copy()
    known = bool(frame["settlement_known"].all()) if len(frame) else True
    if known:
        frame["installment_status"] = [
            installment_status(s, d, as_of)
            for s, d in zip(frame["settled_on"], frame["due_date"], strict=True)
        ]
    else:
        frame["installment_status"] = None
    frame["days_late"] = frame["days_late_when_settled"]
    frame["days_overdue"] = pd.array(
        [
            (as_of - d).days if status == "overdue" else None
            for status, d in zip(frame["installment_status"], frame["due_date"], strict=True)
        ],
        dtype="Int64",
    )
    return frame


def _is_true(value: Any) -> bool:
    return not formatting.is_missing(value) and bool(value)


def _sum(values: pd.Series) -> Decimal:
    return sum((v for v in values if not formatting.is_missing(v)), Decimal(0))


def terms_frame(loan: pd.Series, terms: pd.Series | None, lang: str) -> pd.DataFrame:
    """The loan's terms as two text columns (term, value), in the order a credit file lists them."""

    def term(name: str) -> Any:
        if terms is not None and name in terms.index:
            return terms[name]
        return loan.get(name)

    def text(value: Any) -> str:
        return formatting.MISSING if formatting.is_missing(value) else str(value)

    def code(kind: str, value: Any) -> str:
        return formatting.MISSING if formatting.is_missing(value) else code_label(kind, value, lang)

    def flag(value: Any) -> str:
        if formatting.is_missing(value):
            return formatting.MISSING
        return translate("bool.true" if bool(value) else "bool.false", lang)

    items = [
        ("borrower_id", text(loan.get("borrower_id"))),
        ("borrower_type", code("borrower_type", loan.get("borrower_type"))),
        ("product", text(term("product"))),
        ("currency", text(loan.get("currency"))),
        ("contract_amount", formatting.format_amount(term("contract_amount"))),
        ("credit_limit", formatting.format_amount(term("credit_limit"))),
        ("undrawn_amount", formatting.format_amount(term("undrawn_amount"))),
        ("disbursement_date", formatting.format_date(term("disbursement_date"))),
        ("maturity_date", formatting.format_date(term("maturity_date"))),
        ("original_maturity_date", formatting.format_date(term("original_maturity_date"))),
        ("interest_rate", rate_text(term("interest_rate"))),
        ("repayment_method", code("repayment_method", term("repayment_method"))),
        ("guarantee_type", code("guarantee_type", term("guarantee_type"))),
        ("purpose", text(term("purpose"))),
        ("branch", text(term("branch"))),
        ("officer", text(term("officer"))),
        ("loan_status", code("loan_status", loan.get("loan_status"))),
        ("outstanding_principal", formatting.format_amount(loan.get("outstanding_principal"))),
        ("is_credit_impaired", flag(term("is_credit_impaired"))),
        ("ecl_amount", formatting.format_amount(term("ecl_amount"))),
        ("provenance", code("provenance", loan.get("provenance"))),
    ]
    return pd.DataFrame(
        {
            translate("col.term", lang): [translate(f"col.{name}", lang) for name, _ in items],
            translate("col.term_value", lang): [value for _, value in items],
        }
    )


# --- choosing the loan --------------------------------------------------------------------------


def _requested() -> str | None:
    value = st.query_params.get(PARAM)
    return value or None


def _follow_picker() -> None:
    # The address names the loan shown, so it can be copied or bookmarked.
    st.query_params[PARAM] = st.session_state[LOAN_KEY]


def _switch_to(portfolio_id: str, as_of: dt.date) -> None:
    st.session_state[shell.PORTFOLIO_KEY] = portfolio_id
    st.session_state[shell.AS_OF_KEY] = as_of.isoformat()


def render_elsewhere(context, loan_id: str) -> None:
    """The linked loan is not in the chosen portfolio and as-of date: say where it is."""
    locations = data.loan_locations(context.snapshot, loan_id)
    if locations.empty:
        st.warning(t("loan.not_found", loan_id=plain(loan_id)), icon=":material/search_off:")
        return
    st.info(
        t(
            "loan.not_here",
            loan_id=plain(loan_id),
            portfolio=plain(context.portfolio_id),
            as_of=context.as_of.isoformat(),
        ),
        icon=":material/info:",
    )
    for i, row in enumerate(locations.head(6).itertuples(index=False)):
        st.button(
            t("loan.switch_to", portfolio=row.portfolio_id, as_of=row.as_of_date.isoformat()),
            key=f"loan_switch:{i}",
            on_click=_switch_to,
            args=(row.portfolio_id, row.as_of_date),
        )


def _find() -> None:
    typed = (st.session_state.get(FIND_KEY) or "").strip()
    if typed:
        st.query_params[PARAM] = typed


def choose_loan(context, picker: pd.DataFrame, count: int) -> str | None:
    """The picker lists the first PICKER_LIMIT loans, most overdue and largest first; any other
    loan is reached by its id (typed here, or a link's ``loan_id``), which joins the list."""
    options = [str(v) for v in picker["loan_id"]]
    status = dict(zip(options, picker["loan_status"], strict=True))
    for wanted in (_requested(), st.session_state.get(LOAN_KEY)):
        if wanted is None or wanted in options:
            continue
        found = data.loan_row(context.snapshot, context.portfolio_id, context.as_of, wanted)
        if not found.empty:
            options.insert(0, wanted)
            status[wanted] = found["loan_status"].iloc[0]
    requested = _requested()
    if requested is not None and requested in options:
        st.session_state[LOAN_KEY] = requested
    elif requested is not None:
        render_elsewhere(context, requested)
    if st.session_state.get(LOAN_KEY) not in options:
        st.session_state[LOAN_KEY] = options[0]
    if count > len(picker):
        st.text_input(t("loan.find"), key=FIND_KEY, on_change=_find,
                      help=t("loan.find_help", shown=formatting.format_count(len(picker)),
                             count=formatting.format_count(count)))
    return st.selectbox(
        t("loan.choose"),
        options,
        key=LOAN_KEY,
        on_change=_follow_picker,
        format_func=lambda loan_id: t(
            "loan.option",
            loan_id=loan_id,
            status=code_label("loan_status", status.get(loan_id), context.lang),
        ),
    )


# --- the sections -------------------------------------------------------------------------------


def render_header(context, loan: pd.Series, classified: pd.Series | None) -> None:
    currency = loan["currency"]
    st.subheader(t("loan.heading", loan_id=plain(loan["loan_id"])))
    st.caption(
        t(
            "loan.subtitle",
            portfolio=plain(context.portfolio_id),
            currency=currency,
            as_of=context.as_of.isoformat(),
            batch_id=plain(loan["batch_id"]),
        )
    )
    columns = st.columns(4)
    final = None if classified is None else classified["final_class"]
    stage = None if classified is None else classified["ifrs9_stage"]
    with columns[0]:
        st.metric(
            t("kpi.outstanding_principal", currency=currency),
            formatting.format_amount(loan["outstanding_principal"]),
            border=True,
        )
    with columns[1]:
        dpd = loan["dpd"]
        st.metric(
            t("col.dpd"),
            formatting.MISSING if formatting.is_missing(dpd) else str(int(dpd)),
            border=True,
        )
    with columns[2]:
        st.metric(
            t("col.final_class"),
            formatting.MISSING if final is None else code_label("class", final, context.lang),
            border=True,
        )
    with columns[3]:
        st.metric(
            t("col.ifrs9_stage"),
            formatting.MISSING
            if stage is None or formatting.is_missing(stage)
            else code_label("ifrs9_stage", stage, context.lang),
            border=True,
        )


def render_terms(context, loan: pd.Series) -> None:
    st.subheader(t("loan.terms"))
    terms = data.loan_terms(context.snapshot, loan["batch_id"], loan["loan_id"])
    if terms.empty:
        st.caption(t("loan.terms_missing"))
    row = None if terms.empty else terms.iloc[0]
    terms = terms_frame(loan, row, context.lang)
    st.dataframe(terms, hide_index=True)
    tables.export_plain(terms, "loan_terms", t("loan.terms"))


def render_classification(context, classified: pd.Series | None) -> None:
    st.subheader(t("loan.classification"))
    if classified is None:
        st.info(t("loan.not_classified"))
        return
    lang = context.lang
    judgmental = classified["judgmental_class"]
    lines = [
        f"**{t('col.final_class')}**: {code_label('class', classified['final_class'], lang)}",
        f"**{t('col.judgmental_class')}**: "
        + (
            t("classification.not_given")
            if formatting.is_missing(judgmental)
            else code_label("class", judgmental, lang)
        ),
    ]
    us = classified["us_retail_class"]
    lines.append(
        f"**{t('col.us_retail_class')}**: "
        + (
            t("classification.not_applicable")
            if formatting.is_missing(us)
            else code_label("class", us, lang)
        )
    )
    st.markdown("  \n".join(lines))
    if not formatting.is_missing(classified["override_class"]):
        st.info(
            t(
                "loan.override",
                override=code_label("class", classified["override_class"], lang),
                date=formatting.format_date(classified["override_approved_on"]),
                approver=plain(
                    formatting.MISSING
                    if formatting.is_missing(classified["override_approver"])
                    else classified["override_approver"]
                ),
            ),
            icon=":material/edit_note:",
        )
    if _is_true(classified["override_below_floor"]):
        st.warning(t("loan.override_below_floor"), icon=":material/gavel:")
    if _is_true(classified["technical_delay_exempt"]):
        st.caption(t("loan.technical_delay"))
    if _is_true(classified["in_restructuring_observation"]):
        st.caption(
            t(
                "loan.restructuring",
                date=formatting.format_date(classified["restructuring_observation_end"]),
            )
        )
    book = rule_book(
        data.classification_rules(context.snapshot),
        data.classification_dpd_floors(context.snapshot),
        classified["rule_set"],
        classified["rule_set_version"],
        lang,
    )
    fired = rules_table(pd.DataFrame([classified]), book, lang)
    if fired.empty:
        st.caption(t("loan.no_rules"))
    else:
        tables.show(fired, RULES_TABLE[:-1], lang)  # without the number of loans


def render_schedule(context, loan: pd.Series) -> None:
    st.subheader(t("loan.schedule"))
    schedule = data.loan_schedule(context.snapshot, loan["batch_id"], loan["loan_id"])
    if schedule.empty:
        st.caption(t("loan.empty"))
        return
    frame = schedule_frame(schedule, context.as_of)
    if frame["installment_status"].isna().all():
        st.caption(t("loan.schedule_unknown"))
    else:
        counts = frame["installment_status"].value_counts()
        st.caption(
            t(
                "loan.schedule_caption",
                as_of=context.as_of.isoformat(),
                settled=int(counts.get("settled", 0)),
                overdue=int(counts.get("overdue", 0)),
                not_due=int(counts.get("not_due", 0)),
            )
        )
    tables.show(frame, SCHEDULE_TABLE, context.lang)


def render_payments(context, loan: pd.Series) -> None:
    st.subheader(t("loan.payments"))
    payments = data.loan_payments(context.snapshot, loan["batch_id"], loan["loan_id"])
    if payments.empty:
        st.caption(t("loan.empty"))
        return
    st.caption(
        t(
            "loan.payments_total",
            count=formatting.format_count(len(payments)),
            principal=formatting.format_amount(_sum(payments["principal_paid"])),
            interest=formatting.format_amount(_sum(payments["interest_paid"])),
            currency=loan["currency"],
        )
    )
    tables.show(payments, PAYMENTS_TABLE, context.lang)


def borrower_frame(borrower: pd.Series, lang: str) -> pd.DataFrame:
    """The borrower as two text columns (field, value)."""
    values = []
    for name, kind in BORROWER_FIELDS:
        value = borrower.get(name)
        if formatting.is_missing(value):
            values.append(formatting.MISSING)
        elif kind == "bool":
            values.append(translate("bool.true" if bool(value) else "bool.false", lang))
        elif kind is not None:
            values.append(code_label(kind, value, lang))
        else:
            values.append(str(value))
    return pd.DataFrame(
        {
            translate("col.term", lang): [translate(f"col.{n}", lang) for n, _ in BORROWER_FIELDS],
            translate("col.term_value", lang): values,
        }
    )


def render_borrower(context, loan: pd.Series) -> None:
    st.subheader(t("loan.borrower"))
    borrower = data.loan_borrower(context.snapshot, loan["batch_id"], loan["borrower_id"])
    if borrower.empty:
        st.caption(t("loan.empty"))
        return
    if context.snapshot.masked:
        st.caption(t("loan.borrower_masked"))
    else:
        st.caption(t("loan.borrower_logged"))
    frame = borrower_frame(borrower.iloc[0], context.lang)
    st.dataframe(frame, hide_index=True)
    # Exported from the query result, so an export of names is logged like the view.
    fields = [n for n, _ in BORROWER_FIELDS]
    tables.export_buttons(
        borrower, [Col(n, BOOL if n == "is_related_party" else TEXT) for n in fields],
        context.lang, name="borrower",
    )


def render_collateral(context, loan: pd.Series) -> None:
    st.subheader(t("loan.collateral"))
    collateral = data.loan_collateral(context.snapshot, loan["batch_id"], loan["loan_id"])
    if collateral.empty:
        st.caption(t("loan.empty"))
        return
    latest = collateral.drop_duplicates("collateral_id")  # latest appraisal first
    st.caption(
        t(
            "loan.collateral_total",
            count=formatting.format_count(len(latest)),
            total=context.money(_sum(latest["appraised_value"])),
            currency=context.unit_label(),
        )
    )
    tables.show(collateral, COLLATERAL_TABLE, context.lang, name="collateral")


def render_guarantees(context, loan: pd.Series) -> None:
    st.subheader(t("loan.guarantees"))
    guarantees = data.loan_guarantees(context.snapshot, loan["batch_id"], loan["loan_id"])
    if guarantees.empty:
        st.caption(t("loan.empty"))
        return
    tables.show(guarantees, GUARANTEE_TABLE, context.lang, name="guarantees")


def render_events(context, loan: pd.Series) -> None:
    st.subheader(t("loan.events"))
    events = data.loan_events(context.snapshot, loan["batch_id"], loan["loan_id"])
    if events.empty:
        st.caption(t("loan.empty"))
        return
    tables.show(events, EVENTS_TABLE, context.lang)


def render_history(context, loan_id: str) -> None:
    st.subheader(t("loan.history"))
    history = data.loan_history(context.snapshot, context.portfolio_id, loan_id)
    if history.empty:
        st.caption(t("loan.empty"))
        return
    lang = context.lang
    chart_data = pd.DataFrame(
        {
            "as_of": [d.isoformat() for d in history["as_of_date"]],
            "dpd": [None if formatting.is_missing(v) else int(v) for v in history["dpd"]],
            "final_class": [
                "" if formatting.is_missing(c) else code_label("class", c, lang)
                for c in history["final_class"]
            ],
            "current": [d == context.as_of for d in history["as_of_date"]],
        }
    )
    base = alt.Chart(chart_data).encode(
        x=alt.X("as_of:O", title=t("chart.as_of")),
        y=alt.Y("dpd:Q", title=t("chart.dpd")),
        tooltip=[
            alt.Tooltip("as_of:O", title=t("chart.as_of")),
            alt.Tooltip("dpd:Q", title=t("chart.dpd")),
            alt.Tooltip("final_class:N", title=t("col.final_class")),
        ],
    )
    chart = base.mark_line(color="#4c78a8") + base.mark_point(filled=True, size=70).encode(
        color=alt.condition("datum.current", alt.value("#c0392b"), alt.value("#4c78a8"))
    )
    st.altair_chart(chart, width="stretch")
    tables.show(history, HISTORY_TABLE, lang)


def render() -> None:
    context = current_context()
    st.header(t("loan.title"))
    if context.portfolio_id is None:
        st.info(t("sidebar.no_portfolios"))
        return
    picker, count = data.loan_picker(
        context.snapshot, context.portfolio_id, context.as_of, PICKER_LIMIT
    )
    if picker.empty:
        st.info(t("loan.none"))
        return
    loan_id = choose_loan(context, picker, count)
    loan = data.loan_row(context.snapshot, context.portfolio_id, context.as_of, loan_id).iloc[0]
    classified_rows = data.loan_classification_row(
        context.snapshot, context.portfolio_id, context.as_of, loan_id
    )
    classified = None if classified_rows.empty else classified_rows.iloc[0]

    render_header(context, loan, classified)
    render_terms(context, loan)
    render_classification(context, classified)
    render_schedule(context, loan)
    render_payments(context, loan)
    render_events(context, loan)
    render_borrower(context, loan)
    render_collateral(context, loan)
    render_guarantees(context, loan)
    render_history(context, loan_id)
    st.page_link(CLASSIFICATION_PAGE, label=t("loan.back"), icon=":material/arrow_back:")


# Streamlit runs a page as ``__main__``; importing the module (tests) only defines the functions.
if __name__ == "__main__":
    render()
