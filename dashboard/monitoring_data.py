"""The monitoring page's queries: early warnings, watchlist, tasks, guarantee graph, coverage.

Same rules as ``dashboard.data``: every query runs against one published build through
:func:`dashboard.data.query`, parameters are bound, and DECIMAL values stay ``Decimal``.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from dashboard.data import Snapshot, query


def watchlist(snapshot: Snapshot, portfolio_id: str, as_of: dt.date) -> pd.DataFrame:
    """``reporting.watchlist`` at one as-of date, cleared obligors included, highest score
    first."""
    return query(
        snapshot,
        "select borrower_id, branch, officer, outstanding_principal, on_watchlist, "
        "watch_status, watch_level, severity_score, previous_score, score_basis, date_entered "
        "from reporting.watchlist where portfolio_id = ? and as_of_date = ? "
        "order by on_watchlist desc, severity_score desc, outstanding_principal desc, "
        "borrower_id",
        (portfolio_id, as_of),
    )


def obligor_signals(
    snapshot: Snapshot, portfolio_id: str, as_of: dt.date, borrower_id: str
) -> pd.DataFrame:
    """The signals that fired on one obligor, its loans, collateral and guarantees."""
    return query(
        snapshot,
        "select signal_code, signal, entity_type, entity_id, loan_id, value, threshold, "
        "comparison, severity, first_seen, action, detail from reporting.early_warnings "
        "where portfolio_id = ? and as_of_date = ? and borrower_id = ? "
        "order by severity desc, signal_code, entity_id",
        (portfolio_id, as_of, borrower_id),
    )


def early_warnings(snapshot: Snapshot, portfolio_id: str, as_of: dt.date) -> pd.DataFrame:
    return query(
        snapshot,
        "select * from reporting.early_warnings where portfolio_id = ? and as_of_date = ? "
        "order by signal_code, entity_type, entity_id",
        (portfolio_id, as_of),
    )


def coverage(snapshot: Snapshot, portfolio_id: str, as_of: dt.date) -> pd.DataFrame:
    """``reporting.early_warning_coverage`` in signal order J1..J20."""
    return query(
        snapshot,
        "select signal_code, signal, coverage_status, missing_data, entity_type, threshold, "
        "comparison, red_threshold, severity, action, entities_measured, signals_fired, "
        "signals_red from reporting.early_warning_coverage "
        "where portfolio_id = ? and as_of_date = ? "
        "order by cast(substr(signal_code, 2) as integer)",
        (portfolio_id, as_of),
    )


def guarantee_links(
    snapshot: Snapshot, portfolio_id: str, as_of: dt.date, borrower_id: str
) -> pd.DataFrame:
    """The guarantees the obligor gives or receives, and those inside its guarantee circles."""
    return query(
        snapshot,
        "select guarantee_id, guarantor_id, borrower_id, loan_id, guaranteed_amount, "
        "guarantee_period_end, loan_dpd from reporting.guarantee_links as links "
        "where portfolio_id = ? and as_of_date = ? and (guarantor_id = ? or borrower_id = ? "
        "or exists (select 1 from reporting.guarantee_cycles as own "
        "  inner join reporting.guarantee_cycles as giver using (portfolio_id, as_of_date, "
        "    cycle_id) "
        "  inner join reporting.guarantee_cycles as taker using (portfolio_id, as_of_date, "
        "    cycle_id) "
        "  where own.portfolio_id = links.portfolio_id and own.as_of_date = links.as_of_date "
        "  and own.borrower_id = ? and giver.borrower_id = links.guarantor_id "
        "  and taker.borrower_id = links.borrower_id)) "
        "order by guarantor_id, borrower_id, guarantee_id",
        (portfolio_id, as_of, borrower_id, borrower_id, borrower_id),
    )


def obligor_cycles(
    snapshot: Snapshot, portfolio_id: str, as_of: dt.date, borrower_id: str
) -> pd.DataFrame:
    return query(
        snapshot,
        "select cycle_id, cycle_size, cycle_edges from reporting.guarantee_cycles "
        "where portfolio_id = ? and as_of_date = ? and borrower_id = ? order by cycle_id",
        (portfolio_id, as_of, borrower_id),
    )


def tasks(snapshot: Snapshot, portfolio_id: str, as_of: dt.date) -> pd.DataFrame:
    """``reporting.post_loan_tasks`` at one as-of date, earliest due first."""
    return query(
        snapshot,
        "select task_id, task_type, borrower_id, loan_id, guarantee_id, branch, officer, "
        "reference_date, due_date, days_to_due, status, rule, detail "
        "from reporting.post_loan_tasks where portfolio_id = ? and as_of_date = ? "
        "order by due_date, task_type, task_id",
        (portfolio_id, as_of),
    )
