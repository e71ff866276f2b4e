"""Read-only access to the published warehouse, cached per published build.

A script run first takes a :class:`Snapshot` (the warehouse path and its published signature:
inode and mtime). Every query of that run is cached under the snapshot, and a cache miss opens a
fresh read-only connection, checks that the file it opened still carries the snapshot's signature,
runs the query and closes the connection. So:

* a newly published build (``os.replace`` of the file) changes the signature, and the next run reads
  it without a restart;
* one page never shows data of two builds: if the file is replaced while a run is under way, the
  query raises :class:`BuildChanged` and the app reruns from the top against the new build.

Opens are serialised within the process: DuckDB shares one database instance between connections
to the same path, and only when no connection is open does a new one look at the file on disk.

Results keep DuckDB's types: DECIMAL arrives as ``decimal.Decimal`` (object columns), DATE as
``datetime.date``, integers as nullable ``Int64``. Nothing is turned into float here.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa
import streamlit as st

from dashboard import auth, scope
from postloan import paths, publish, runlog


class BuildChanged(RuntimeError):
    """The published warehouse was replaced after this script run took its snapshot."""


@dataclass(frozen=True)
class Snapshot:
    """One published build as one reader may see it.

    ``branches`` is the reader's branch scope (None: every branch; see ``dashboard.scope``) and
    ``masked`` says the file is the masked published copy. Both are part of every cache key, so
    two readers with different rights never share a cached result. They have no defaults: a
    snapshot rebuilt from a path and signature alone would silently drop the reader's scope, so
    cached helpers take the ``Snapshot`` itself.
    """

    path: str
    signature: tuple[int, int]
    branches: tuple[str, ...] | None
    masked: bool


def warehouse_path() -> Path:
    return paths.warehouse_path()


def take_snapshot(
    path: Path | None = None,
    *,
    masked: bool = False,
    branches: tuple[str, ...] | None = None,
) -> Snapshot | None:
    """The currently published build (its masked copy when ``masked``) for a reader limited to
    ``branches``, or None when no such file has been published yet."""
    path = path or warehouse_path()
    if masked:
        path = publish.masked_path(path)
    signature = publish.published_signature(path)
    if signature is None:
        return None
    return Snapshot(
        str(path), tuple(signature), None if branches is None else tuple(branches), masked
    )


_OPEN_LOCK = threading.Lock()


def _arrow_types(arrow_type: pa.DataType) -> Any:
    # Integer columns become nullable Int64 (a NULL would otherwise turn the column into float).
    return pd.Int64Dtype() if pa.types.is_integer(arrow_type) else None


def _fetch(
    path: str,
    signature: tuple[int, int],
    sql: str,
    params: tuple[Any, ...],
    branches: tuple[str, ...] | None = None,
) -> pd.DataFrame:
    warehouse = Path(path)
    with _OPEN_LOCK:
        try:
            if branches is None:
                con = publish.connect_readonly(warehouse)
            else:
                con = scope.connect_scoped(str(warehouse), branches)
        except duckdb.Error:
            if publish.published_signature(warehouse) != signature:
                raise BuildChanged(path) from None
            raise
        try:
            if publish.published_signature(warehouse) != signature:
                raise BuildChanged(path)
            table = con.execute(sql, list(params)).to_arrow_table()
        finally:
            con.close()
    return table.to_pandas(types_mapper=_arrow_types)


@st.cache_data(show_spinner=False, max_entries=512)
def _cached_query(
    path: str,
    signature: tuple[int, int],
    sql: str,
    params: tuple[Any, ...],
    branches: tuple[str, ...] | None = None,
) -> pd.DataFrame:
    return _fetch(path, signature, sql, params, branches)


def query(snapshot: Snapshot, sql: str, params: tuple[Any, ...] = ()) -> pd.DataFrame:
    """Run ``sql`` against the build ``snapshot`` names, as its reader may see it (cached per
    build, reader scope, query and params). User input goes in ``params`` only.

    A result with personal columns (borrower names, id numbers) read from the unmasked file is a
    view of personal data: it is written to the access log with the reader, every time.
    """
    frame = _cached_query(snapshot.path, snapshot.signature, sql, tuple(params), snapshot.branches)
    if not snapshot.masked:
        personal = auth.personal_columns_of(frame)
        if personal and not frame.empty:
            auth.log_personal_access(
                access_log_warehouse(snapshot),
                current_viewer(),
                "view",
                " ".join(sql.split())[:200],
                personal,
                len(frame),
                params,
            )
    return frame


VIEWER_KEY = "_postloan_viewer"


def current_viewer() -> auth.User | None:
    """The logged-in reader of this session (None outside a Streamlit session)."""
    try:
        return st.session_state.get(VIEWER_KEY)
    except Exception:  # noqa: BLE001 - no session (a script or a test calling data directly)
        return None


def access_log_warehouse(snapshot: Snapshot) -> Path:
    """The warehouse whose access log records reads of ``snapshot`` (the unmasked file's)."""
    return Path(snapshot.path)


def read_runs(path: Path | str | None = None) -> list[dict[str, Any]]:
    """The run log beside the warehouse, oldest first (read on every run: it is small)."""
    return runlog.read_runs(Path(path) if path else warehouse_path())


# --- the queries the pages use ------------------------------------------------------------------


def build_info(snapshot: Snapshot) -> dict[str, Any] | None:
    frame = query(
        snapshot,
        "select build_id, built_at, postloan_version, landing_dir, as_of_filter "
        "from meta.build_info limit 1",
    )
    return None if frame.empty else frame.iloc[0].to_dict()


def portfolio_summary(snapshot: Snapshot) -> pd.DataFrame:
    """All rows of ``reporting.portfolio_summary`` (one per portfolio and as-of date)."""
    return query(
        snapshot,
        "select portfolio_id, as_of_date, portfolio_name, currency, loan_count, "
        "outstanding_principal, overdue_loan_count, overdue_principal, dpd_over_90_principal, "
        "closed_loan_count, written_off_loan_count, provenance, batch_id "
        "from reporting.portfolio_summary order by portfolio_id, as_of_date",
    )


LOAN_COLUMNS = (
    "loan_id",
    "borrower_id",
    "borrower_type",
    "product",
    "branch",
    "contract_amount",
    "outstanding_principal",
    "dpd",
    "dpd_bucket",
    "loan_status",
    "disbursement_date",
    "maturity_date",
    "provenance",
    "batch_id",
)


def loans(snapshot: Snapshot, portfolio_id: str, as_of: dt.date) -> pd.DataFrame:
    """The loans of one portfolio and as-of date, most overdue and largest first."""
    return query(
        snapshot,
        f"select {', '.join(LOAN_COLUMNS)}, currency from reporting.loans "
        f"where portfolio_id = ? and as_of_date = ? {LOAN_ORDER}",
        (portfolio_id, as_of),
    )


LOAN_ORDER = "order by dpd desc nulls last, outstanding_principal desc nulls last, loan_id"


def loan_picker(snapshot: Snapshot, portfolio_id: str, as_of: dt.date,
                limit: int) -> tuple[pd.DataFrame, int]:
    """The first ``limit`` loans of one portfolio and as-of date in the order of ``loans`` (id
    and status only), and how many there are: a picker for a book of a million loans."""
    first = query(
        snapshot,
        "select loan_id, loan_status from reporting.loans "
        f"where portfolio_id = ? and as_of_date = ? {LOAN_ORDER} limit ?",
        (portfolio_id, as_of, limit),
    )
    count = query(
        snapshot,
        "select count(*) as n from reporting.loans where portfolio_id = ? and as_of_date = ?",
        (portfolio_id, as_of),
    )
    return first, int(count["n"].iloc[0])


def _one_loan(snapshot: Snapshot, table: str, columns: Sequence[str], portfolio_id: str,
              as_of: dt.date, loan_id: str) -> pd.DataFrame:
    return query(
        snapshot,
        f"select {', '.join(columns)} from reporting.{table} "
        "where portfolio_id = ? and as_of_date = ? and loan_id = ?",
        (portfolio_id, as_of, loan_id),
    )


def loan_row(snapshot: Snapshot, portfolio_id: str, as_of: dt.date,
             loan_id: str) -> pd.DataFrame:
    """One loan's row of ``loans`` (empty when the loan is not in that portfolio and date)."""
    return _one_loan(snapshot, "loans", (*LOAN_COLUMNS, "currency"), portfolio_id, as_of,
                     loan_id)


def loan_classification_row(snapshot: Snapshot, portfolio_id: str, as_of: dt.date,
                            loan_id: str) -> pd.DataFrame:
    """One loan's row of ``loan_classification`` (empty when it is not classified)."""
    return _one_loan(snapshot, "loan_classification", CLASSIFICATION_COLUMNS, portfolio_id,
                     as_of, loan_id)


def balance_by_bucket(snapshot: Snapshot, portfolio_id: str, as_of: dt.date) -> pd.DataFrame:
    """Outstanding principal (exact sum) and number of loans per DPD bucket."""
    return query(
        snapshot,
        "select dpd_bucket, sum(outstanding_principal) as outstanding_principal, "
        "count(*) as loans from reporting.loans where portfolio_id = ? and as_of_date = ? "
        "group by dpd_bucket order by dpd_bucket",
        (portfolio_id, as_of),
    )


def batches(snapshot: Snapshot) -> pd.DataFrame:
    return query(
        snapshot,
        "select b.batch_id, b.portfolio_id, b.as_of_date, b.batch_status, b.delivery, "
        "b.base_batch_id, r.carried_rows, b.superseded_by, b.delivered_at, b.folder, "
        "b.provenance, b.currency from reporting.batches as b "
        "left join reporting.batch_reconciliation as r using (batch_id) "
        "order by b.portfolio_id, b.as_of_date desc, b.delivered_at desc, b.batch_id",
    )


def load_reconciliation(snapshot: Snapshot) -> pd.DataFrame:
    return query(
        snapshot,
        "select batch_id, entity, source_file, data_lines, loaded_rows, rejected_rows, "
        "skipped_rows, reconciles from reporting.load_reconciliation "
        "order by batch_id, entity, source_file",
    )


def reject_counts(snapshot: Snapshot) -> pd.DataFrame:
    """Rejected rows per batch, entity and rule."""
    return query(
        snapshot,
        "select batch_id, entity, rule, count(*) as row_count from reporting.rejects "
        "group by batch_id, entity, rule order by batch_id, entity, row_count desc, rule",
    )


def rejects(snapshot: Snapshot, batch_ids: tuple[str, ...] | None, limit: int) -> pd.DataFrame:
    """Rejected rows of ``batch_ids`` (of all batches when None), at most ``limit`` of them."""
    where, params = "", ()
    if batch_ids is not None and not batch_ids:
        where = "where false "  # an empty selection matches nothing
    elif batch_ids is not None:
        where = f"where batch_id in ({', '.join('?' for _ in batch_ids)}) "
        params = tuple(batch_ids)
    return query(
        snapshot,
        "select batch_id, entity, source_file, line_number, column_name, rule, reason, "
        f"raw_value, raw_record from reporting.rejects {where}"
        "order by batch_id, entity, source_file, line_number limit ?",
        (*params, limit),
    )


# --- five-level classification ------------------------------------------------------------------

CLASSIFICATION_COLUMNS = (
    "loan_id",
    "borrower_id",
    "borrower_type",
    "product",
    "currency",
    "outstanding_principal",
    "dpd",
    "dpd_bucket",
    "reported_status",
    "judgmental_class",
    "override_class",
    "override_approved_on",
    "override_approver",
    "base_class",
    "rule_class",
    "final_class",
    "final_class_rank",
    "is_npl",
    "rules_fired",
    "technical_delay_exempt",
    "override_below_floor",
    "in_restructuring_observation",
    "restructuring_observation_end",
    "us_retail_class",
    "ifrs9_stage",
    "rule_set",
    "rule_set_version",
    "provision_rate",
    "specific_provision",
    "provenance",
)


def loan_classification(snapshot: Snapshot, portfolio_id: str, as_of: dt.date) -> pd.DataFrame:
    """The classified (outstanding) loans of one portfolio and as-of date, worst class and largest
    balance first."""
    return query(
        snapshot,
        f"select {', '.join(CLASSIFICATION_COLUMNS)} from reporting.loan_classification "
        "where portfolio_id = ? and as_of_date = ? "
        "order by final_class_rank desc, outstanding_principal desc nulls last, loan_id",
        (portfolio_id, as_of),
    )


def portfolio_quality(snapshot: Snapshot, portfolio_id: str) -> pd.DataFrame:
    """``reporting.portfolio_quality`` of one portfolio, every as-of date (oldest first), classes in
    rank order."""
    return query(
        snapshot,
        "select as_of_date, currency, five_class, class_rank, loan_count, balance, "
        "specific_provision, total_balance, npl_balance, total_specific_provision, "
        "general_reserve, allowance, coverage_requirement, loan_provision_requirement, "
        "required_allowance, allowance_meets_requirement, dpd_over_90_balance, bank_ecl_amount, "
        "provenance from reporting.portfolio_quality where portfolio_id = ? "
        "order by as_of_date, class_rank",
        (portfolio_id,),
    )


def classification_rules(snapshot: Snapshot) -> pd.DataFrame:
    """The non-DPD rules (seed ``classification_rules``): floor class, meaning and source."""
    return query(
        snapshot,
        "select rule_id, floor_class, description_en, description_zh, source "
        "from reference.classification_rules order by rule_id",
    )


def classification_dpd_floors(snapshot: Snapshot) -> pd.DataFrame:
    """The days-past-due floors of every rule set and version (seed
    ``classification_dpd_floors``)."""
    return query(
        snapshot,
        "select rule_set, rule_set_version, effective_from, rule_id, scope, min_dpd, floor_class, "
        "source from reference.classification_dpd_floors "
        "order by rule_set, rule_set_version, min_dpd, rule_id",
    )


# --- one loan ---------------------------------------------------------------------------------


def loan_locations(snapshot: Snapshot, loan_id: str) -> pd.DataFrame:
    """Where ``loan_id`` appears: its portfolios and as-of dates, latest first."""
    return query(
        snapshot,
        "select portfolio_id, as_of_date from reporting.loans where loan_id = ? "
        "order by as_of_date desc, portfolio_id",
        (loan_id,),
    )


def loan_history(snapshot: Snapshot, portfolio_id: str, loan_id: str) -> pd.DataFrame:
    """One row per as-of date of the loan in the portfolio: status, balance, DPD and, while it is
    outstanding, its class (oldest first)."""
    return query(
        snapshot,
        "select l.as_of_date, l.loan_status, l.outstanding_principal, l.dpd, l.dpd_bucket, "
        "c.principal_dpd, c.interest_dpd, c.judgmental_class, c.final_class, c.rules_fired, "
        "c.ifrs9_stage, c.us_retail_class, c.specific_provision, l.batch_id "
        "from reporting.loans as l left join reporting.loan_classification as c "
        "on c.portfolio_id = l.portfolio_id and c.as_of_date = l.as_of_date "
        "and c.loan_id = l.loan_id "
        "where l.portfolio_id = ? and l.loan_id = ? order by l.as_of_date",
        (portfolio_id, loan_id),
    )


def loan_terms(snapshot: Snapshot, batch_id: str, loan_id: str) -> pd.DataFrame:
    """The loan's contract terms as delivered in ``batch_id`` (staging, at most one row)."""
    return query(
        snapshot,
        "select loan_id, borrower_id, product, currency, contract_amount, credit_limit, "
        "undrawn_amount, disbursement_date, maturity_date, original_maturity_date, interest_rate, "
        "repayment_method, guarantee_type, purpose, branch, officer, judgmental_class, "
        "is_credit_impaired, ecl_amount, provenance from staging.stg_landing__loans "
        "where batch_id = ? and loan_id = ? limit 1",
        (batch_id, loan_id),
    )


def _has_table(snapshot: Snapshot, schema: str, table: str) -> bool:
    found = query(
        snapshot,
        "select count(*) as n from information_schema.tables "
        "where table_schema = ? and table_name = ?",
        (schema, table),
    )
    return int(found["n"].iloc[0]) > 0


def loan_schedule(snapshot: Snapshot, batch_id: str, loan_id: str) -> pd.DataFrame:
    """The loan's installments in ``batch_id`` with the date each was settled (payments applied
    to the oldest amounts first, as the warehouse's DPD does); settled_on is empty while unpaid,
    and is the due date for an installment paid on or before it.

    The settlement comes from the warehouse's own ``intermediate.int_installment_settlement``; a
    warehouse without it gives the schedule with settled_on empty and ``settlement_known`` false.
    """
    if _has_table(snapshot, "intermediate", "int_installment_settlement"):
        return query(
            snapshot,
            "select s.installment_no, s.due_date, s.principal_due, s.interest_due, "
            "st.settled_on, st.days_late_when_settled, true as settlement_known "
            "from staging.stg_landing__repayment_schedule as s "
            "left join intermediate.int_installment_settlement as st "
            "on st.batch_id = s.batch_id and st.loan_id = s.loan_id "
            "and st.installment_no = s.installment_no "
            "where s.batch_id = ? and s.loan_id = ? order by s.installment_no",
            (batch_id, loan_id),
        )
    return query(
        snapshot,
        "select installment_no, due_date, principal_due, interest_due, "
        "null::date as settled_on, null::bigint as days_late_when_settled, "
        "false as settlement_known from staging.stg_landing__repayment_schedule "
        "where batch_id = ? and loan_id = ? order by installment_no",
        (batch_id, loan_id),
    )


def loan_payments(snapshot: Snapshot, batch_id: str, loan_id: str) -> pd.DataFrame:
    """The payments received on the loan, as delivered in ``batch_id`` (oldest first)."""
    return query(
        snapshot,
        "select payment_id, payment_date, principal_paid, interest_paid, penalty_paid "
        "from staging.stg_landing__payments where batch_id = ? and loan_id = ? "
        "order by payment_date, payment_id",
        (batch_id, loan_id),
    )


def loan_events(snapshot: Snapshot, batch_id: str, loan_id: str) -> pd.DataFrame:
    """The events of the loan (restructuring, write-off, ...), as delivered in ``batch_id``."""
    return query(
        snapshot,
        "select event_id, event_date, event_type, amount, new_maturity_date, note "
        "from staging.stg_landing__loan_events where batch_id = ? and loan_id = ? "
        "order by event_date, event_id",
        (batch_id, loan_id),
    )


# --- concentration -------------------------------------------------------------------------------


def regulatory_ratios(snapshot: Snapshot, portfolio_id: str, as_of: dt.date) -> pd.DataFrame:
    """``reporting.regulatory_ratios`` of one portfolio and as-of date (one row per ratio)."""
    return query(
        snapshot,
        "select ratio, rule, currency, numerator_basis, denominator_basis, counterparty, "
        "numerator, denominator, value, limit_share, headroom, status "
        "from reporting.regulatory_ratios where portfolio_id = ? and as_of_date = ? "
        "order by rule, ratio",
        (portfolio_id, as_of),
    )


def large_exposures(snapshot: Snapshot, portfolio_id: str, as_of: dt.date) -> pd.DataFrame:
    """``reporting.large_exposures`` of one portfolio and as-of date, largest first."""
    return query(
        snapshot,
        "select counterparty_type, counterparty_id, currency, exposure, "
        "share_of_net_tier1_capital, limit_share, status from reporting.large_exposures "
        "where portfolio_id = ? and as_of_date = ? "
        "order by exposure desc, counterparty_type, counterparty_id",
        (portfolio_id, as_of),
    )


def concentration_indices(snapshot: Snapshot, portfolio_id: str) -> pd.DataFrame:
    """``reporting.concentration_indices`` of one portfolio, every as-of date (oldest first)."""
    return query(
        snapshot,
        "select as_of_date, dimension, level, names, total_exposure, hhi, hhi_normalised, "
        "effective_names, gini, gini_small_sample, entropy, entropy_normalised, top_1_share, "
        "top_5_share, top_10_share, top_20_share from reporting.concentration_indices "
        "where portfolio_id = ? order by as_of_date, dimension, level",
        (portfolio_id,),
    )


def concentration_lorenz(
    snapshot: Snapshot, portfolio_id: str, as_of: dt.date, dimension: str, level: int
) -> pd.DataFrame:
    """The Lorenz points of one dimension and level (smallest exposure first)."""
    return query(
        snapshot,
        "select point, item, exposure, cumulative_name_share, cumulative_exposure_share "
        "from reporting.concentration_lorenz where portfolio_id = ? and as_of_date = ? "
        "and dimension = ? and level = ? order by point",
        (portfolio_id, as_of, dimension, level),
    )


def counterparty_loans(
    snapshot: Snapshot,
    portfolio_id: str,
    as_of: dt.date,
    counterparty_type: str,
    counterparty_id: str,
) -> pd.DataFrame:
    """The loans of one customer (by borrower_id) or connected group (by group_id; a borrower
    without a group is its own group, as in the concentration models), largest first."""
    match = (
        "coalesce(group_id, borrower_id) = ?" if counterparty_type == "group" else "borrower_id = ?"
    )
    return query(
        snapshot,
        "select loan_id, borrower_id, group_id, product, branch, outstanding_principal, dpd, "
        "dpd_bucket, loan_status from reporting.loans "
        f"where portfolio_id = ? and as_of_date = ? and {match} "
        "order by outstanding_principal desc nulls last, loan_id",
        (portfolio_id, as_of, counterparty_id),
    )


# --- one loan: borrower, collateral, guarantees -------------------------------------------------


def loan_borrower(snapshot: Snapshot, batch_id: str, borrower_id: str) -> pd.DataFrame:
    """The borrower as delivered in ``batch_id`` (at most one row). Holds personal data (name, id
    number): masked for readers of the masked copy, logged for the others."""
    if not _has_table(snapshot, "staging", "stg_landing__borrowers"):
        return pd.DataFrame()
    return query(
        snapshot,
        "select borrower_id, borrower_name, id_number, borrower_type, group_id, industry_scheme, "
        "industry_code, region, internal_rating, is_related_party "
        "from staging.stg_landing__borrowers where batch_id = ? and borrower_id = ? limit 1",
        (batch_id, borrower_id),
    )


def loan_collateral(snapshot: Snapshot, batch_id: str, loan_id: str) -> pd.DataFrame:
    """Every appraisal of the loan's collateral as delivered in ``batch_id`` (latest first)."""
    if not _has_table(snapshot, "staging", "stg_landing__collateral"):
        return pd.DataFrame()
    return query(
        snapshot,
        "select collateral_id, collateral_type, appraised_value, appraisal_date, provenance "
        "from staging.stg_landing__collateral where batch_id = ? and loan_id = ? "
        "order by collateral_id, appraisal_date desc",
        (batch_id, loan_id),
    )


def loan_guarantees(snapshot: Snapshot, batch_id: str, loan_id: str) -> pd.DataFrame:
    """The guarantees of the loan with each guarantor's name when the bank delivered the
    guarantor as an obligor (personal data, like the borrower's)."""
    if not _has_table(snapshot, "staging", "stg_landing__guarantees"):
        return pd.DataFrame()
    names = _has_table(snapshot, "staging", "stg_landing__borrowers")
    name_sql = "b.borrower_name" if names else "null::varchar"
    join = (
        "left join staging.stg_landing__borrowers as b "
        "on b.batch_id = g.batch_id and b.borrower_id = g.guarantor_id "
        if names
        else ""
    )
    return query(
        snapshot,
        f"select g.guarantee_id, g.guarantor_id, {name_sql} as guarantor_name, "
        "g.guaranteed_amount, g.guarantee_period_end, g.provenance "
        f"from staging.stg_landing__guarantees as g {join}"
        "where g.batch_id = ? and g.loan_id = ? order by g.guarantee_id",
        (batch_id, loan_id),
    )


# --- data quality (docs/data-quality.md) --------------------------------------------------------

QUALITY_COLUMNS = (
    "build_id", "source", "asset", "check_name", "rule", "severity", "status", "observed_value",
    "failing_count", "reason", "samples",
)


def published_checks(snapshot: Snapshot) -> pd.DataFrame:
    """The data-quality results of the published build (empty for a build made before them)."""
    if not _has_table(snapshot, "reporting", "data_quality_checks"):
        return pd.DataFrame(columns=list(QUALITY_COLUMNS))
    return query(
        snapshot,
        f"select {', '.join(QUALITY_COLUMNS)} from reporting.data_quality_checks "
        "order by source, asset, check_name, rule",
    )


def logged_checks(run_id: str, path: Path | str | None = None) -> pd.DataFrame:
    """The data-quality results a run left beside the warehouse (also for unpublished runs)."""
    from postloan.quality.record import read_log

    rows = [r for r in read_log(Path(path) if path else warehouse_path())
            if r.get("build_id") == run_id]
    frame = pd.DataFrame(rows, columns=list(QUALITY_COLUMNS))
    frame["failing_count"] = frame["failing_count"].astype("Int64")
    return frame


def freshness(snapshot: Snapshot) -> pd.DataFrame:
    """Each portfolio's latest as-of date in the published build and its age on the build
    date (days)."""
    return query(
        snapshot,
        "select s.portfolio_id, max(s.as_of_date) as as_of_date, "
        "date_diff('day', max(s.as_of_date), max(i.built_at)::date) as age_days "
        "from reporting.portfolio_summary s cross join meta.build_info i "
        "group by s.portfolio_id order by s.portfolio_id",
    )
