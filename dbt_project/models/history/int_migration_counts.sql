-- Grain: one row per portfolio, standard period (int_migration_pairs), currency, start class and
-- DPD bucket, end state, class, status and DPD bucket. The closed-cohort transitions of every
-- standard period counted once (macros/history.sql): loans and their start balance. The
-- migration matrix (K2), the migration rates (K1) and the tracked roll and cure rates (K3) all
-- add these up, so the loan-level join of 23 million month-end rows (the 1,000,000-loan
-- demonstration bank) runs once per build instead of once per figure.
-- A daily build starts a period whose two ends are both copied history dates
-- (int_reused_history_dates) from the published counts: those count the loans whose history is
-- copied exactly as now, so only the other loans' transitions are taken out (as the published
-- history had them) and put back (as this build has them). The counts are whole numbers and the
-- balances exact decimals, so the sums are exact. Every other period is counted afresh.
-- depends_on: {{ ref('int_reused_loans') }}
-- depends_on: {{ ref('int_reused_history_dates') }}
-- depends_on: {{ ref('int_history_dates') }}
{%- set reuse = reuse_batches() %}
{%- if not reuse %}
select *
from {{ migration_counts(migration_transitions(
    "select * from " ~ ref('int_migration_pairs'), ref('fct_loan_month_ends'))) }}
{%- else %}
with

copied_dates as (
    select dates.portfolio_id, dates.as_of_date,
    from {{ ref('int_reused_history_dates') }} as copied
    inner join {{ ref('int_history_dates') }} as dates using (batch_key, as_of_date)
),

all_pairs as (
    select * from {{ ref('int_migration_pairs') }}
),

copied_pairs as (
    select all_pairs.*,
    from all_pairs
    semi join copied_dates as starts
        on starts.portfolio_id = all_pairs.portfolio_id
        and starts.as_of_date = all_pairs.from_as_of_date
    semi join copied_dates as ends
        on ends.portfolio_id = all_pairs.portfolio_id
        and ends.as_of_date = all_pairs.to_as_of_date
),

other_pairs as (
    select * from all_pairs
    anti join copied_pairs using (portfolio_id, horizon, from_as_of_date, to_as_of_date)
),

copied_loans as (
    select batch_key, base_batch_id, loan_id,
    from {{ ref('int_reused_loans') }}
    where copies_history
),

-- A period's transitions read the rows from its start on (a loan on the book at the start has a
-- row at every later date until it leaves).
rows_for_other_pairs as (
    select * from {{ ref('fct_loan_month_ends') }}
    where as_of_date >= (select min(from_as_of_date) from other_pairs)
),

computed_rows as (
    select * from {{ ref('fct_loan_month_ends') }}
    anti join copied_loans using (batch_key, loan_id)
),

published_computed_rows as (
    select published.*,
    from {{ published_catalog() }}.{{ this.schema }}.fct_loan_month_ends as published
    inner join {{ source('landing', 'reuse') }} as reuse
        on reuse.base_batch_id = published.batch_id
    anti join copied_loans
        on copied_loans.base_batch_id = published.batch_id
        and copied_loans.loan_id = published.loan_id
),

counts as (
    select published.*,
    from {{ published_catalog() }}.{{ this.schema }}.{{ this.identifier }} as published
    semi join copied_pairs using (portfolio_id, horizon, from_as_of_date, to_as_of_date)
    union all
    select * from {{ migration_counts(migration_transitions(
        "select * from other_pairs", "rows_for_other_pairs")) }}
    union all
    select * from {{ migration_counts(migration_transitions(
        "select * from copied_pairs", "computed_rows")) }}
    union all
    select * replace (- loan_count as loan_count, - from_balance as from_balance)
    from {{ migration_counts(migration_transitions(
        "select * from copied_pairs", "published_computed_rows")) }}
)

select portfolio_id, horizon, from_as_of_date, to_as_of_date, currency,
    from_class, from_class_rank, from_dpd_bucket,
    to_state, to_class_rank, to_loan_status, to_dpd_bucket,
    sum(loan_count)::bigint as loan_count,
    sum(from_balance)::decimal(38, 2) as from_balance,
from counts
group by all
having sum(loan_count) <> 0
{%- endif %}
