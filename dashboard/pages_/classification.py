"""Five-level classification of the chosen portfolio and as-of date: the book's ratios against
their requirements, the class distribution, the NPL ratio over the portfolio's as-of dates, the
loans whose final class differs from the judgmental one (with the rules that fired, in words), and
the final class next to the US retail class and the IFRS 9 stage.

Every ratio shown as text is computed here from the exact Decimal balances of
``reporting.portfolio_quality`` (the stored 6-place fractions are not used for display); only the
charts get floats. Loan ids in the tables open the loan page (``pages_/loan.py?loan_id=...``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from dashboard import data, formatting, tables
from dashboard.i18n import code_label, t, translate
from dashboard.shell import current_context, plain
from dashboard.tables import AMOUNT, BOOL, CODE, Col
from dashboard.units import Unit

LOAN_PAGE = "pages_/loan.py"
CLASSES = ("pass", "special_mention", "substandard", "doubtful", "loss")
CLASS_RANK = {c: i for i, c in enumerate(CLASSES, start=1)}
CLASS_COLORS = ("#4c78a8", "#f2b701", "#e67e22", "#c0392b", "#7b241c")
NPL_RANK = 3  # 次级 and worse
STAGE_OF_RANK = {1: 1, 2: 2, 3: 3, 4: 3, 5: 3}  # 正常 → 1, 关注 → 2, 不良 → 3

DISTRIBUTION_TABLE = (
    Col("five_class", CODE, "class"),
    Col("loan_count"),
    Col("outstanding_principal", AMOUNT),
    Col("balance_share"),
    Col("specific_provision", AMOUNT),
)

TREND_TABLE = (
    Col("as_of_date"),
    Col("total_balance", AMOUNT),
    Col("npl_balance", AMOUNT),
    Col("npl_ratio"),
)

DIFFERS_TABLE = (
    Col("loan_id"),
    Col("borrower_id"),
    Col("outstanding_principal", AMOUNT),
    Col("dpd"),
    Col("judgmental_class"),
    Col("override_class", CODE, "class"),
    Col("override_approval"),
    Col("final_class", CODE, "class"),
    Col("rules_explained"),
    Col("override_below_floor", BOOL),
)

CLASS_LOANS_TABLE = (
    Col("loan_id"),
    Col("borrower_id"),
    Col("product"),
    Col("outstanding_principal", AMOUNT),
    Col("dpd"),
    Col("judgmental_class", CODE, "class"),
    Col("final_class", CODE, "class"),
    Col("ifrs9_stage", CODE),
    Col("rules_fired"),
)

RULES_TABLE = (
    Col("rule_id"),
    Col("rule_text"),
    Col("floor_class", CODE, "class"),
    Col("source"),
    Col("loans_affected"),
)

COMPARE_TABLE = (
    Col("loan_id"),
    Col("outstanding_principal", AMOUNT),
    Col("dpd"),
    Col("final_class", CODE, "class"),
    Col("ifrs9_stage", CODE),
    Col("stage_agrees", BOOL),
    Col("us_retail_class"),
    Col("us_agrees", BOOL),
)


# --- the book's figures (no Streamlit) --------------------------------------------------------


@dataclass(frozen=True)
class BookFigures:
    """One portfolio at one as-of date, from ``reporting.portfolio_quality`` (exact amounts)."""

    total_balance: Decimal
    npl_balance: Decimal
    allowance: Decimal
    required_allowance: Decimal
    dpd_over_90_balance: Decimal
    coverage_requirement: Decimal  # a fraction: 1.5 = 150%
    loan_provision_requirement: Decimal

    @classmethod
    def from_quality(cls, rows: pd.DataFrame) -> BookFigures:
        """From the rows of one as-of date (the book's figures repeat on every class row)."""
        row = rows.iloc[0]

        def amount(name: str) -> Decimal:
            value = row[name]
            return Decimal(0) if formatting.is_missing(value) else formatting.to_decimal(value)

        return cls(
            total_balance=amount("total_balance"),
            npl_balance=amount("npl_balance"),
            allowance=amount("allowance"),
            required_allowance=amount("required_allowance"),
            dpd_over_90_balance=amount("dpd_over_90_balance"),
            coverage_requirement=amount("coverage_requirement"),
            loan_provision_requirement=amount("loan_provision_requirement"),
        )

    def in_unit(self, unit: Unit | None) -> BookFigures:
        """The same figures with the amounts in ``unit`` (exact; ratios do not change)."""
        if unit is None or not unit.exponent:
            return self
        return dataclasses.replace(
            self,
            **{
                name: unit.scale(getattr(self, name))
                for name in ("total_balance", "npl_balance", "allowance", "required_allowance",
                             "dpd_over_90_balance")
            },
        )

    @property
    def npl_ratio(self) -> Decimal | None:
        return formatting.share_percent(self.npl_balance, self.total_balance)

    @property
    def coverage_ratio(self) -> Decimal | None:
        return formatting.share_percent(self.allowance, self.npl_balance)

    @property
    def loan_provision_ratio(self) -> Decimal | None:
        return formatting.share_percent(self.allowance, self.total_balance)

    @property
    def dpd_over_90_to_npl(self) -> Decimal | None:
        return formatting.share_percent(self.dpd_over_90_balance, self.npl_balance)

    @property
    def coverage_requirement_percent(self) -> Decimal:
        return self.coverage_requirement * formatting.HUNDRED

    @property
    def loan_provision_requirement_percent(self) -> Decimal:
        return self.loan_provision_requirement * formatting.HUNDRED


@dataclass(frozen=True)
class Tile:
    label: str
    value: str
    delta: str | None
    delta_color: str
    help: str


def _gap_text(value: Decimal | None, requirement: Decimal, lang: str) -> str | None:
    if value is None:
        return None
    return translate(
        "classification.vs_requirement",
        lang,
        gap=formatting.format_points_delta(value - requirement, translate("unit.pp", lang)),
        requirement=formatting.format_percent(requirement),
    )


def book_tiles(
    now: BookFigures, before: BookFigures | None, currency: str, lang: str
) -> list[Tile]:
    """NPL ratio and balance (change since ``before``), coverage and loan-provision ratios and the
    allowance (against their requirements), and loans 90+ days past due over NPL."""
    pp = translate("unit.pp", lang)
    npl_delta = None
    balance_delta = None
    if before is not None:
        if now.npl_ratio is not None and before.npl_ratio is not None:
            npl_delta = formatting.format_points_delta(now.npl_ratio - before.npl_ratio, pp)
        balance_delta = formatting.format_amount_delta(now.npl_balance - before.npl_balance)
    allowance_gap = translate(
        "classification.vs_required",
        lang,
        gap=formatting.format_amount_delta(now.allowance - now.required_allowance),
        required=formatting.format_amount(now.required_allowance),
    )
    return [
        Tile(
            translate("kpi.npl_ratio", lang),
            formatting.format_percent(now.npl_ratio),
            npl_delta,
            "inverse",
            translate("kpi.help.npl_ratio", lang),
        ),
        Tile(
            translate("kpi.npl_balance", lang, currency=currency),
            formatting.format_amount(now.npl_balance),
            balance_delta,
            "inverse",
            translate("kpi.help.npl_balance", lang),
        ),
        Tile(
            translate("kpi.coverage_ratio", lang),
            formatting.format_percent(now.coverage_ratio),
            _gap_text(now.coverage_ratio, now.coverage_requirement_percent, lang),
            "normal",
            translate("kpi.help.coverage_ratio", lang),
        ),
        Tile(
            translate("kpi.loan_provision_ratio", lang),
            formatting.format_percent(now.loan_provision_ratio),
            _gap_text(now.loan_provision_ratio, now.loan_provision_requirement_percent, lang),
            "normal",
            translate("kpi.help.loan_provision_ratio", lang),
        ),
        Tile(
            translate("kpi.allowance", lang, currency=currency),
            formatting.format_amount(now.allowance),
            allowance_gap,
            "normal",
            translate("kpi.help.allowance", lang),
        ),
        Tile(
            translate("kpi.dpd90_to_npl", lang),
            formatting.format_percent(now.dpd_over_90_to_npl),
            None,
            "off",
            translate("kpi.help.dpd90_to_npl", lang),
        ),
    ]


# --- rules in words -----------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleInfo:
    text: str  # what the rule means, in the chosen language
    floor_class: str | None
    source: str


def _text(value: Any) -> str | None:
    return None if formatting.is_missing(value) or str(value) == "" else str(value)


def rule_book(
    rules: pd.DataFrame,
    floors: pd.DataFrame,
    rule_set: str | None,
    rule_set_version: str | None,
    lang: str,
) -> dict[str, RuleInfo]:
    """Every rule id the seeds know, explained in ``lang``. DPD floors are taken from the active
    rule set (and version, when it has that rule), other rules from ``classification_rules``."""
    book: dict[str, RuleInfo] = {}
    # Least specific first, so the active rule set and version overwrite other sets' rows.
    ranked = floors.assign(
        _rank=[
            (r.rule_set == rule_set) * 2 + (r.rule_set_version == rule_set_version)
            for r in floors.itertuples(index=False)
        ]
    ).sort_values("_rank", kind="stable")
    for r in ranked.itertuples(index=False):
        scope = _text(r.scope) or "all"
        key = f"rule.dpd_floor.{scope}" if scope in ("all", "credit_card") else None
        min_dpd = int(r.min_dpd)
        text = (
            translate(key, lang, min_dpd=min_dpd)
            if key
            else translate("rule.dpd_floor.other", lang, min_dpd=min_dpd, scope=scope)
        )
        book[str(r.rule_id)] = RuleInfo(text, _text(r.floor_class), _text(r.source) or "")
    for r in rules.itertuples(index=False):
        text = _text(getattr(r, f"description_{lang}", None)) or _text(r.description_en) or ""
        book[str(r.rule_id)] = RuleInfo(text, _text(r.floor_class), _text(r.source) or "")
    return book


def split_rules(rules_fired: Any) -> list[str]:
    """``"CN23_DPD_OVER_90, CN23_DPD_OVERDUE"`` -> the rule ids, in the order given."""
    text = _text(rules_fired)
    if text is None:
        return []
    return [part.strip() for part in text.split(",") if part.strip()]


def rule_sentence(rule_id: str, book: dict[str, RuleInfo], lang: str) -> str:
    """One rule in words with its class floor: ``逾期天数达到91天（至少次级）``."""
    info = book.get(rule_id)
    if info is None:
        return rule_id
    if info.floor_class is None:
        return info.text
    floor = code_label("class", info.floor_class, lang)
    return translate("rule.with_floor", lang, text=info.text, floor=floor)


def explain_rules(rules_fired: Any, book: dict[str, RuleInfo], lang: str) -> str:
    """Every rule id in ``rules_fired`` with its meaning, e.g.
    ``CN23_DPD_OVER_90：逾期天数达到91天（至少次级）；CN23_DPD_OVERDUE：...``."""
    return translate("rule.separator", lang).join(
        translate("rule.item", lang, rule_id=r, text=rule_sentence(r, book, lang))
        for r in split_rules(rules_fired)
    )


def rules_table(loans: pd.DataFrame, book: dict[str, RuleInfo], lang: str) -> pd.DataFrame:
    """The rules that fired on ``loans``: id, meaning, floor class, source and number of loans."""
    counts: dict[str, int] = {}
    for fired in loans["rules_fired"]:
        for rule_id in dict.fromkeys(split_rules(fired)):
            counts[rule_id] = counts.get(rule_id, 0) + 1
    rows = []
    for rule_id, count in counts.items():
        info = book.get(rule_id)
        rows.append(
            {
                "rule_id": rule_id,
                "rule_text": rule_id if info is None else info.text,
                "floor_class": None if info is None else info.floor_class,
                "source": "" if info is None else info.source,
                "loans_affected": count,
            }
        )
    frame = pd.DataFrame(
        rows, columns=["rule_id", "rule_text", "floor_class", "source", "loans_affected"]
    )
    rank = frame["floor_class"].map(lambda c: CLASS_RANK.get(c, 0) if isinstance(c, str) else 0)
    order = sorted(range(len(frame)), key=lambda i: (-rank.iloc[i], frame["rule_id"].iloc[i]))
    return frame.iloc[order].reset_index(drop=True)


# --- tables (no Streamlit but the column config) -----------------------------------------------


def distribution_frame(quality: pd.DataFrame) -> pd.DataFrame:
    """One row per class (rank order) with count, exact balance, share and specific provision."""
    total = Decimal(0)
    rows = []
    for row in quality.sort_values("class_rank").itertuples(index=False):
        balance = Decimal(0) if formatting.is_missing(row.balance) else row.balance
        total += balance
        rows.append(
            {
                "five_class": row.five_class,
                "loan_count": int(row.loan_count),
                "outstanding_principal": balance,
                "specific_provision": row.specific_provision,
            }
        )
    frame = pd.DataFrame(rows)
    frame["balance_share"] = [
        formatting.format_percent(formatting.share_percent(b, total))
        for b in frame["outstanding_principal"]
    ]
    return frame


def differing_loans(loans: pd.DataFrame) -> pd.DataFrame:
    """Loans whose final class is not the judgmental class (a missing one counts as pass), and
    loans whose override below a rule floor was overruled by the floor."""
    judgmental = loans["judgmental_class"].map(lambda c: _text(c) or "pass")
    below_floor = loans["override_below_floor"].map(lambda v: not formatting.is_missing(v) and v)
    return loans[(loans["final_class"] != judgmental) | below_floor.astype(bool)].reset_index(
        drop=True
    )


def differing_frame(loans: pd.DataFrame, book: dict[str, RuleInfo], lang: str) -> pd.DataFrame:
    """The columns of the differing-class table, ready for ``tables.display_frame``."""
    frame = differing_loans(loans)
    shown = frame[
        [
            "loan_id",
            "borrower_id",
            "outstanding_principal",
            "dpd",
            "override_class",
            "final_class",
            "override_below_floor",
        ]
    ].copy()
    shown["judgmental_class"] = [
        code_label("class", c, lang) if _text(c) else translate("classification.not_given", lang)
        for c in frame["judgmental_class"]
    ]
    shown["override_approval"] = [
        ""
        if _text(cls) is None
        else translate(
            "classification.override_approval",
            lang,
            date=formatting.format_date(day),
            approver=_text(who) or formatting.MISSING,
        )
        for cls, day, who in zip(
            frame["override_class"],
            frame["override_approved_on"],
            frame["override_approver"],
            strict=True,
        )
    ]
    shown["rules_explained"] = [explain_rules(r, book, lang) for r in frame["rules_fired"]]
    return shown


def _agreement(equal: pd.Series, applies: pd.Series) -> list[bool | None]:
    """Per row: True / False where the comparison applies, None where it does not."""
    return [bool(e) if a else None
            for e, a in zip(equal.to_numpy(), applies.to_numpy(), strict=True)]


def comparison_frame(loans: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Per loan: final class, IFRS 9 stage and US retail class, and whether they agree.

    The stage agrees when it is the stage of the final class (正常 1, 关注 2, 不良 3); unknown
    where the rank or the stage is missing. The US retail class agrees when it is the final
    class; unknown where it does not apply (not a retail loan: missing or empty). Built a column
    at a time: a large bank has a million loans.
    """
    frame = loans[["loan_id", "outstanding_principal", "dpd", "final_class", "ifrs9_stage"]].copy()
    rank = pd.to_numeric(loans["final_class_rank"], errors="coerce").astype("float64")
    stage = pd.to_numeric(loans["ifrs9_stage"], errors="coerce").astype("float64")
    staged = rank.notna() & stage.notna()
    stage_equal = rank.map(STAGE_OF_RANK).astype("float64") == stage
    us = loans["us_retail_class"]
    us_text = us.astype(object).where(us.notna(), "").astype(str)
    applies = us_text != ""
    us_equal = us_text == loans["final_class"].astype(str)
    frame["stage_agrees"] = _agreement(stage_equal, staged)
    frame["us_agrees"] = _agreement(us_equal, applies)
    labels = {u: code_label("class", u, lang) for u in us_text[applies].unique()}
    frame["us_retail_class"] = us_text.map(labels).where(
        applies, translate("classification.not_applicable", lang))
    frame["disagrees"] = ((staged & ~stage_equal) | (applies & ~us_equal)).to_numpy()
    return frame


def comparison_matrix(loans: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Number of loans per final class (rows) and IFRS 9 stage / US retail class (columns)."""
    us_present = [c for c in CLASSES if c in set(loans["us_retail_class"].dropna())]
    has_na = bool(loans["us_retail_class"].isna().any())
    rows = []
    for cls in CLASSES:
        of_class = loans[loans["final_class"] == cls]
        row: dict[str, Any] = {
            translate("col.final_class", lang): code_label("class", cls, lang),
            translate("col.loan_count", lang): len(of_class),
        }
        stages = of_class["ifrs9_stage"]
        for stage in (1, 2, 3):
            row[code_label("ifrs9_stage", stage, lang)] = int((stages == stage).sum())
        us = of_class["us_retail_class"]
        for us_class in us_present:
            header = (
                f"{translate('col.us_retail_class', lang)} · {code_label('class', us_class, lang)}"
            )
            row[header] = int((us == us_class).sum())
        if has_na:
            header = (
                f"{translate('col.us_retail_class', lang)} · "
                f"{translate('classification.not_applicable', lang)}"
            )
            row[header] = int(us.isna().sum())
        rows.append(row)
    return pd.DataFrame(rows)


def status_matrix(loans: pd.DataFrame, lang: str) -> pd.DataFrame | None:
    """Loans per status the source system reported (rows) and final class (columns), so the
    computed classes can be reconciled with the sender's own view; None when no status came."""
    reported = loans["reported_status"].dropna()
    if reported.empty:
        return None
    rows = []
    for status in sorted(set(reported)):
        of_status = loans[loans["reported_status"] == status]
        row: dict[str, Any] = {translate("col.reported_status", lang): status}
        for cls in CLASSES:
            row[code_label("class", cls, lang)] = int((of_status["final_class"] == cls).sum())
        rows.append(row)
    return pd.DataFrame(rows)


def trend_frame(quality: pd.DataFrame) -> pd.DataFrame:
    """One row per as-of date: total and NPL balance, the NPL ratio exactly as text and, for the
    chart only, as a float."""
    rows = []
    for as_of, rows_of_date in quality.groupby("as_of_date", sort=True):
        figures = BookFigures.from_quality(rows_of_date)
        ratio = figures.npl_ratio
        rows.append(
            {
                "as_of_date": as_of.isoformat(),
                "total_balance": figures.total_balance,
                "npl_balance": figures.npl_balance,
                "npl_ratio": formatting.format_percent(ratio),
                "npl_ratio_value": None if ratio is None else float(ratio),  # chart only
            }
        )
    return pd.DataFrame(
        rows,
        columns=["as_of_date", "total_balance", "npl_balance", "npl_ratio", "npl_ratio_value"],
    )


@st.cache_resource(show_spinner=False, max_entries=32)
def page_tables(
    snapshot: data.Snapshot, portfolio_id: str, as_of: dt.date, lang: str
) -> dict[str, Any]:
    """Everything the page's tables show, cached per build and reader (the snapshot), portfolio,
    as-of date and language (explaining and formatting thousands of loans happens once, not on
    every rerun).

    Kept as objects, not pickled copies: at a million loans, unpickling the loan-level frames on
    every rerun took most of the page's time. The page only reads them (filters and heads make
    new frames); nothing may change them in place.
    """
    loans = data.loan_classification(snapshot, portfolio_id, as_of)
    rule_set = next((v for v in loans["rule_set"] if _text(v)), None)
    version = next((v for v in loans["rule_set_version"] if _text(v)), None)
    book = rule_book(
        data.classification_rules(snapshot),
        data.classification_dpd_floors(snapshot),
        rule_set,
        version,
        lang,
    )
    differs = differing_frame(loans, book, lang)
    compare = comparison_frame(loans, lang)
    return {
        "loans": len(loans),
        "rule_set": " ".join(v for v in (rule_set, version) if v) or formatting.MISSING,
        "differs": differs,
        "differs_total": sum(
            (v for v in differs["outstanding_principal"] if not formatting.is_missing(v)),
            Decimal(0),
        ),
        "below_floor": int(differs["override_below_floor"].fillna(False).astype(bool).sum()),
        "rules": rules_table(loans, book, lang),
        "status": status_matrix(loans, lang),
        "compare": compare,
        "matrix": comparison_matrix(loans, lang),
    }


# --- rendering ---------------------------------------------------------------------------------


def render_tiles(now: BookFigures, before: BookFigures | None, currency: str, lang: str) -> None:
    columns = st.columns(3)
    for i, tile in enumerate(book_tiles(now, before, currency, lang)):
        with columns[i // 2]:
            st.metric(
                tile.label,
                tile.value,
                tile.delta,
                delta_color=tile.delta_color,
                help=tile.help,
                border=True,
            )
    if now.allowance >= now.required_allowance:
        st.success(
            t(
                "classification.allowance_meets",
                allowance=formatting.format_amount(now.allowance),
                required=formatting.format_amount(now.required_allowance),
                currency=currency,
            ),
            icon=":material/check_circle:",
        )
    else:
        st.error(
            t(
                "classification.allowance_short",
                allowance=formatting.format_amount(now.allowance),
                required=formatting.format_amount(now.required_allowance),
                short=formatting.format_amount(now.required_allowance - now.allowance),
                currency=currency,
            ),
            icon=":material/error:",
        )


def render_distribution(context, quality_now: pd.DataFrame, currency: str, lang: str) -> None:
    st.subheader(t("classification.distribution"))
    st.caption(t("classification.distribution_drill"))
    frame = distribution_frame(quality_now)
    st.caption(
        t(
            "classification.distribution_total",
            count=formatting.format_count(int(frame["loan_count"].sum())),
            total=formatting.format_amount(sum(frame["outstanding_principal"], Decimal(0))),
            currency=currency,
        )
    )
    labels = [code_label("class", c, lang) for c in frame["five_class"]]
    chart_data = pd.DataFrame(
        {
            "class": labels,
            "amount": [float(v) for v in frame["outstanding_principal"]],  # charts only
            "amount_text": frame["outstanding_principal"].map(formatting.format_amount),
            "share": frame["balance_share"],
            "loans": frame["loan_count"],
        }
    )
    balance_title = t("chart.balance", currency=currency)
    chart = (
        alt.Chart(chart_data)
        .mark_bar()
        .encode(
            x=alt.X("class:N", sort=labels, title=t("chart.class")),
            y=alt.Y("amount:Q", title=balance_title, axis=alt.Axis(format=",.0f")),
            color=alt.Color(
                "class:N",
                scale=alt.Scale(domain=labels, range=list(CLASS_COLORS)),
                legend=None,
            ),
            tooltip=[
                alt.Tooltip("class:N", title=t("chart.class")),
                alt.Tooltip("amount_text:N", title=balance_title),
                alt.Tooltip("share:N", title=t("col.balance_share")),
                alt.Tooltip("loans:Q", title=t("chart.loans")),
            ],
        )
    )
    key = f"classification_distribution:{context.portfolio_id}:{context.as_of.isoformat()}"
    picked = tables.chart_beside(chart, frame, DISTRIBUTION_TABLE, lang, select_key=key)
    if picked is not None:
        render_class_loans(context, str(frame["five_class"].iloc[picked]), key)


def render_class_loans(context, five_class: str, key: str) -> None:
    """The drill-down of the distribution: the loans of one class, each opening the loan page."""
    loans = data.loan_classification(context.snapshot, context.portfolio_id, context.as_of)
    of_class = loans[loans["final_class"] == five_class].reset_index(drop=True)
    label = code_label("class", five_class, context.lang)
    st.markdown(f"**{t('classification.class_loans', five_class=label)}**")
    st.caption(
        t(
            "classification.differs_count",
            count=formatting.format_count(len(of_class)),
            total=context.money(
                sum((v for v in of_class["outstanding_principal"]
                     if not formatting.is_missing(v)), Decimal(0))
            ),
            currency=context.unit_label(),
        )
    )
    if of_class.empty:
        return
    head = of_class.head(TABLE_LIMIT)
    table, config = tables.display_frame(head, CLASS_LOANS_TABLE, context.lang)
    loan_chooser(table, config, [str(v) for v in of_class["loan_id"].head(PICKER_LIMIT)],
                 f"{key}:{five_class}", len(of_class))
    tables.export_buttons(of_class, CLASS_LOANS_TABLE, context.lang, name=f"loans_{five_class}")


def render_trend(quality: pd.DataFrame, as_of: dt.date, lang: str) -> None:
    st.subheader(t("classification.trend"))
    frame = trend_frame(quality)
    chart_data = frame.assign(current=frame["as_of_date"] == as_of.isoformat())
    ratio_title = t("chart.npl_ratio")
    base = alt.Chart(chart_data).encode(
        x=alt.X("as_of_date:O", title=t("chart.as_of")),
        y=alt.Y("npl_ratio_value:Q", title=ratio_title),
        tooltip=[
            alt.Tooltip("as_of_date:O", title=t("chart.as_of")),
            alt.Tooltip("npl_ratio:N", title=t("col.npl_ratio")),
        ],
    )
    chart = base.mark_line(color="#c0392b") + base.mark_point(filled=True, size=70).encode(
        color=alt.condition("datum.current", alt.value("#c0392b"), alt.value("#888888"))
    )
    tables.chart_beside(chart, frame, TREND_TABLE, lang)


# Rows of a loan table drawn on screen, and loans its picker lists (a picker is searched by
# typing, so it can hold more; beyond it, the loan page finds any loan by its id).
TABLE_LIMIT = 1_000
PICKER_LIMIT = 20_000


def loan_chooser(
    table: pd.DataFrame,
    config: dict[str, Any],
    loan_ids: list[str],
    key: str,
    count: int | None = None,
) -> None:
    """The table with selectable rows, and a loan picker under it; the chosen loan (from either)
    gets a link to the loan page. Only the first TABLE_LIMIT rows are drawn (a book of a million
    loans would take seconds to send to the browser and is not read on a screen); the caption
    says so, and the exports still hold every row. The picker lists the first PICKER_LIMIT
    loans. ``loan_ids``: the loans in the table's order (at least the first PICKER_LIMIT);
    ``count``: how many there are, when the caller passes only the first ones."""
    picker_key = f"{key}:loan"
    seen_key = f"{key}:selected"
    count = len(loan_ids) if count is None else count
    if count > TABLE_LIMIT:
        st.caption(t("tables.first_rows", shown=formatting.format_count(TABLE_LIMIT),
                     count=formatting.format_count(count)))
        table = table.head(TABLE_LIMIT)
    if count > PICKER_LIMIT:
        st.caption(t("tables.picker_first", shown=formatting.format_count(PICKER_LIMIT)))
    loan_ids = loan_ids[:PICKER_LIMIT]
    event = st.dataframe(
        table,
        hide_index=True,
        column_config=config,
        key=f"{key}:table",
        on_select="rerun",
        selection_mode="single-row",
    )
    rows = [r for r in event.selection.rows if r < min(len(loan_ids), len(table))]
    # A newly selected row picks its loan; the picker (below, not yet drawn) then shows it. A
    # selection left as it was does not undo a later choice in the picker.
    if rows and rows != st.session_state.get(seen_key):
        st.session_state[picker_key] = loan_ids[rows[0]]
    st.session_state[seen_key] = rows
    if st.session_state.get(picker_key) not in loan_ids:
        st.session_state[picker_key] = None
    left, right = st.columns([2, 3], vertical_alignment="bottom")
    with left:
        chosen = st.selectbox(
            t("classification.open_loan"),
            loan_ids,
            index=None,
            key=picker_key,
            help=t("classification.open_loan_help"),
            placeholder=t("classification.open_loan_placeholder"),
        )
    with right:
        if chosen is not None:
            st.page_link(
                LOAN_PAGE,
                label=t("classification.open_loan_link", loan_id=plain(chosen)),
                icon=":material/open_in_new:",
                query_params={"loan_id": chosen},
            )


def render_differs(context, tabs: dict[str, Any], currency: str) -> None:
    st.subheader(t("classification.differs"))
    st.caption(t("classification.differs_caption"))
    differs: pd.DataFrame = tabs["differs"]
    if differs.empty:
        st.success(t("classification.differs_none"))
        return
    st.caption(
        t(
            "classification.differs_count",
            count=formatting.format_count(len(differs)),
            total=formatting.format_amount(tabs["differs_total"]),
            currency=currency,
        )
    )
    if tabs["below_floor"]:
        st.warning(
            t("classification.below_floor", count=formatting.format_count(tabs["below_floor"])),
            icon=":material/gavel:",
        )
    head = differs.head(TABLE_LIMIT)
    table, config = tables.display_frame(head, DIFFERS_TABLE, context.lang)
    loan_chooser(
        table,
        config,
        [str(v) for v in differs["loan_id"].head(PICKER_LIMIT)],
        f"classification_differs:{context.portfolio_id}:{context.as_of.isoformat()}",
        len(differs),
    )
    tables.export_buttons(differs, DIFFERS_TABLE, context.lang, name="class_differs")
    rules: pd.DataFrame = tabs["rules"]
    if not rules.empty:
        with st.expander(t("classification.rules")):
            tables.show(rules, RULES_TABLE, context.lang)


def render_compare(context, tabs: dict[str, Any]) -> None:
    st.subheader(t("classification.compare"))
    st.caption(t("classification.compare_caption"))
    st.markdown(f"**{t('classification.compare_matrix')}**")
    st.dataframe(tabs["matrix"], hide_index=True)
    tables.export_plain(tabs["matrix"], "class_matrix", t("classification.compare_matrix"))
    compare: pd.DataFrame = tabs["compare"]
    only_diff = st.checkbox(
        t("classification.compare_only_diff"),
        value=True,
        key=f"classification_compare_only:{context.portfolio_id}",
    )
    shown = compare[compare["disagrees"]] if only_diff else compare
    shown = shown.reset_index(drop=True)
    st.caption(
        t(
            "classification.compare_count",
            shown=formatting.format_count(len(shown)),
            total=formatting.format_count(len(compare)),
        )
    )
    if shown.empty:
        return
    head = shown.head(TABLE_LIMIT)
    table, config = tables.display_frame(head, COMPARE_TABLE, context.lang)
    loan_chooser(
        table,
        config,
        [str(v) for v in shown["loan_id"].head(PICKER_LIMIT)],
        f"classification_compare:{context.portfolio_id}:{context.as_of.isoformat()}"
        f":{int(only_diff)}",
        len(shown),
    )
    tables.export_buttons(shown, COMPARE_TABLE, context.lang, name="class_comparison")


def _dates(quality: pd.DataFrame) -> Iterable[dt.date]:
    return sorted(set(quality["as_of_date"]))


def previous_figures(quality: pd.DataFrame, as_of: dt.date) -> BookFigures | None:
    earlier = [d for d in _dates(quality) if d < as_of]
    if not earlier:
        return None
    return BookFigures.from_quality(quality[quality["as_of_date"] == max(earlier)])


def render() -> None:
    context = current_context()
    st.header(t("classification.title"))
    if context.portfolio_id is None:
        st.info(t("sidebar.no_portfolios"))
        return
    quality = data.portfolio_quality(context.snapshot, context.portfolio_id)
    quality_now = quality[quality["as_of_date"] == context.as_of]
    summary = context.summary_row()
    if quality_now.empty or summary is None:
        st.info(t("classification.no_data"))
        return
    currency = summary["currency"]
    snapshot = context.snapshot
    tabs = page_tables(snapshot, context.portfolio_id, context.as_of, context.lang)
    st.caption(
        t(
            "classification.subtitle",
            name=summary["portfolio_name"],
            id=context.portfolio_id,
            currency=currency,
            as_of=context.as_of.isoformat(),
            rule_set=tabs["rule_set"],
        )
    )
    provenance = quality_now["provenance"].iloc[0]
    if provenance in ("derived", "synthetic"):
        st.warning(t(f"overview.provenance.{provenance}"), icon=":material/science:")

    before_date = [d for d in _dates(quality) if d < context.as_of]
    if before_date:
        st.caption(t("overview.change_vs", date=max(before_date).isoformat()))
    now = BookFigures.from_quality(quality_now).in_unit(context.unit)
    before = previous_figures(quality, context.as_of)
    before = None if before is None else before.in_unit(context.unit)
    render_tiles(now, before, context.unit_label(), context.lang)
    render_distribution(context, quality_now, currency, context.lang)
    render_trend(quality, context.as_of, context.lang)
    render_differs(context, tabs, currency)
    render_compare(context, tabs)
    render_status(tabs)


def render_status(tabs: dict[str, Any]) -> None:
    """Reported status by final class, when the sender delivered its own status."""
    matrix = tabs["status"]
    if matrix is None:
        return
    st.subheader(t("classification.status_by_class"))
    st.caption(t("classification.status_by_class_caption"))
    st.dataframe(matrix, hide_index=True, width="stretch")
    tables.export_plain(matrix, "status_by_class", t("classification.status_by_class"))


# Streamlit runs a page as ``__main__``; importing the module (tests) only defines the functions.
if __name__ == "__main__":
    render()
