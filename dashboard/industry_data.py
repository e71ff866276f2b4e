"""Queries of the industry limits page (``reporting.industry_*``), one snapshot per run.

The drill-down reads the two intermediate tables that file loans under industry nodes
(``int_industry_loans``, ``int_industry_nodes``): the reporting tables hold the figures per node,
not the loans under each.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from dashboard.data import Snapshot, query


def schemes(snapshot: Snapshot, portfolio_id: str, as_of: dt.date) -> list[str]:
    """The industry trees with exposure on the date, GB/T 4754 first."""
    frame = query(
        snapshot,
        "select distinct scheme from reporting.industry_exposure "
        "where portfolio_id = ? and as_of_date = ? order by scheme like 'GB/T%' desc, scheme",
        (portfolio_id, as_of),
    )
    return list(frame["scheme"])


def utilisation(snapshot: Snapshot, portfolio_id: str) -> pd.DataFrame:
    """Every limit in force on every date of the portfolio (month-ends of the history and
    delivered as-of dates), oldest date first."""
    return query(
        snapshot,
        "select as_of_date, is_delivered_as_of, scheme, level, industry_code, industry_name, "
        "limit_amount, limit_effective_from, exposure, utilisation, headroom, band, "
        "band_amber_from, band_red_from, band_breach_from, loans, borrowers, "
        "trend_status, trend_points, trend_slope_per_month, projected_limit_month, provenance "
        "from reporting.industry_limit_utilisation where portfolio_id = ? "
        "order by as_of_date, scheme, level, industry_code",
        (portfolio_id,),
    )


def breaches(snapshot: Snapshot, portfolio_id: str, as_of: dt.date) -> pd.DataFrame:
    return query(
        snapshot,
        "select scheme, industry_code, industry_name, limit_amount, industry_exposure, excess, "
        "rank_in_industry, loan_id, borrower_id, borrower_name, borrower_type, exposure, "
        "share_of_industry_exposure, five_class, dpd from reporting.industry_limit_breaches "
        "where portfolio_id = ? and as_of_date = ? "
        "order by scheme, industry_code, rank_in_industry",
        (portfolio_id, as_of),
    )


def reviews(snapshot: Snapshot, portfolio_id: str, as_of: dt.date) -> pd.DataFrame:
    return query(
        snapshot,
        "select scheme, level, industry_code, industry_name, trigger_id, metric, rule, "
        "observed_value, industry_value, comparison_value, operator, threshold, obligors, "
        "evidence_period, evidence, suggested_action, provenance from reporting.industry_reviews "
        "where portfolio_id = ? and as_of_date = ? "
        "order by trigger_id = 'limit_breach' desc, observed_value desc, scheme, industry_code",
        (portfolio_id, as_of),
    )


def exposure(snapshot: Snapshot, portfolio_id: str, as_of: dt.date, scheme: str) -> pd.DataFrame:
    return query(
        snapshot,
        "select level, industry_code, industry_name, limit_exposure, individual_exposure, "
        "business_borrowers, npl_ratio, npl_ratio_to_bank, special_mention_share, share_of_book, "
        "mapping from reporting.industry_exposure "
        "where portfolio_id = ? and as_of_date = ? and scheme = ? "
        "order by level, limit_exposure desc, industry_code",
        (portfolio_id, as_of, scheme),
    )


def default_rates(snapshot: Snapshot, portfolio_id: str, scheme: str, level: int) -> pd.DataFrame:
    """Observed default rates by year of one tree level (years with performing obligors)."""
    return query(
        snapshot,
        "select year, is_partial_year, industry_code, industry_name, performing_obligors, "
        "defaulted_obligors, default_rate, bank_default_rate, default_rate_to_bank "
        "from reporting.industry_risk where portfolio_id = ? and scheme = ? and level = ? "
        "and performing_obligors > 0 order by year, industry_code",
        (portfolio_id, scheme, level),
    )


def industry_borrowers(
    snapshot: Snapshot, portfolio_id: str, as_of: dt.date, scheme: str, code: str
) -> pd.DataFrame:
    """The borrowers under one industry node on the date, largest exposure first."""
    return query(
        snapshot,
        "select loans.borrower_id, any_value(loans.borrower_name) as borrower_name, "
        "any_value(loans.borrower_type) as borrower_type, "
        "any_value(loans.industry_code) as borrower_industry_code, count(*) as loans, "
        "sum(loans.exposure) as exposure, max(loans.class_rank) as worst_class_rank "
        "from intermediate.int_industry_loans as loans "
        "join intermediate.int_industry_nodes as nodes "
        "on nodes.industry_scheme = loans.industry_scheme "
        "and nodes.industry_code = loans.industry_code "
        "where loans.portfolio_id = ? and loans.as_of_date = ? and nodes.tree = ? "
        "and nodes.node_code = ? group by loans.borrower_id "
        "order by exposure desc, loans.borrower_id",
        (portfolio_id, as_of, scheme, code),
    )


def borrower_loans(
    snapshot: Snapshot, portfolio_id: str, as_of: dt.date, borrower_id: str
) -> pd.DataFrame:
    return query(
        snapshot,
        "select loan_id, borrower_id, outstanding_principal, exposure, dpd, five_class "
        "from intermediate.int_industry_loans where portfolio_id = ? and as_of_date = ? "
        "and borrower_id = ? order by exposure desc, loan_id",
        (portfolio_id, as_of, borrower_id),
    )


def risk_on_stock_date(
    snapshot: Snapshot, portfolio_id: str, as_of: dt.date, scheme: str
) -> pd.DataFrame:
    """Growth and downward migration up to the as-of date, where it is its year's stock date."""
    return query(
        snapshot,
        "select level, industry_code, previous_stock_date, exposure_growth, "
        "downward_migration_rate from reporting.industry_risk "
        "where portfolio_id = ? and scheme = ? and stock_date = ?",
        (portfolio_id, scheme, as_of),
    )
