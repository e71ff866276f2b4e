-- reporting.portfolio_summary: one row per portfolio and as-of date (portfolio batches only).
with

batches as (
    select * from {{ ref('stg_landing__batches') }}
    where batch_kind = 'portfolio'
),

loans as (
    select * from {{ ref('fct_loan_snapshots') }}
),

totals as (
    select
        portfolio_id,
        as_of_date,
        count(*) filter (where loan_status = 'outstanding') as loan_count,
        coalesce(sum(outstanding_principal), 0) as outstanding_principal,
        count(*) filter (where dpd > 0) as overdue_loan_count,
        coalesce(sum(outstanding_principal) filter (where dpd > 0), 0) as overdue_principal,
        coalesce(sum(overdue_principal), 0) as past_due_principal,
        coalesce(sum(outstanding_principal) filter (where dpd > 90), 0)
            as dpd_over_90_principal,
        count(*) filter (where loan_status = 'closed') as closed_loan_count,
        count(*) filter (where loan_status = 'written_off') as written_off_loan_count,
        max({{ provenance_rank('provenance') }}) as provenance_rank,
    from loans
    group by all
)

select
    batches.portfolio_id,
    batches.as_of_date,
    batches.portfolio_name,
    batches.currency,
    coalesce(totals.loan_count, 0) as loan_count,
    coalesce(totals.outstanding_principal, 0)::decimal(20, 2) as outstanding_principal,
    coalesce(totals.overdue_loan_count, 0) as overdue_loan_count,
    coalesce(totals.overdue_principal, 0)::decimal(20, 2) as overdue_principal,
    coalesce(totals.past_due_principal, 0)::decimal(20, 2) as past_due_principal,
    coalesce(totals.dpd_over_90_principal, 0)::decimal(20, 2) as dpd_over_90_principal,
    coalesce(totals.closed_loan_count, 0) as closed_loan_count,
    coalesce(totals.written_off_loan_count, 0) as written_off_loan_count,
    coalesce({{ provenance_of_rank('totals.provenance_rank') }}, batches.provenance)
        as provenance,
    batches.batch_id,
from batches
left join totals using (portfolio_id, as_of_date)
