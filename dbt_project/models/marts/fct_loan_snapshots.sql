-- Grain: one row per portfolio, as-of date and loan disbursed on or before that date.
-- Outstanding principal = scheduled principal (or the contract amount when a loan has no
-- schedule) minus principal paid by the as-of date; written-off and disposed loans leave the book.
with

loans as (
    select * from {{ ref('stg_landing__loans') }}
    where disbursement_date <= as_of_date
),

borrowers as (
    select batch_id, borrower_id, borrower_type, group_id, region
    from {{ ref('stg_landing__borrowers') }}
),

scheduled as (
    select
        batch_id,
        loan_id,
        sum(principal_due) as scheduled_principal,
        max({{ provenance_rank('provenance') }}) as provenance_rank,
    from {{ ref('stg_landing__repayment_schedule') }}
    group by all
),

paid as (
    select * from {{ ref('int_loan_payments_to_date') }}
),

dpd as (
    select * from {{ ref('int_loan_dpd') }}
),

events as (
    select * from {{ ref('int_loan_events_to_date') }}
),

buckets as (
    select * from {{ ref('dpd_buckets') }}
),

joined as (
    select
        loans.portfolio_id,
        loans.as_of_date,
        loans.loan_id,
        loans.batch_id,
        loans.borrower_id,
        borrowers.borrower_type,
        borrowers.group_id,
        borrowers.region,
        loans.product,
        loans.currency,
        loans.branch,
        loans.contract_amount,
        loans.disbursement_date,
        loans.maturity_date,
        loans.interest_rate,
        loans.guarantee_type,
        loans.judgmental_class,
        loans.reported_status,
        events.write_off_date,
        events.written_off_amount::decimal(20, 2) as written_off_amount,
        events.disposal_date,
        coalesce(scheduled.scheduled_principal, loans.contract_amount)
            - coalesce(paid.principal_paid, 0) as principal_not_repaid,
        case
            when events.write_off_date is not null then 'written_off'
            when events.disposal_date is not null then 'closed'
            when principal_not_repaid <= 0 then 'closed'
            else 'outstanding'
        end as loan_status,
        coalesce(dpd.dpd, 0) as computed_dpd,
        coalesce(dpd.overdue_principal, 0) as computed_overdue_principal,
        coalesce(dpd.overdue_interest, 0) as computed_overdue_interest,
        greatest(
            {{ provenance_rank('loans.provenance') }},
            coalesce(scheduled.provenance_rank, 0),
            coalesce(paid.provenance_rank, 0)
        ) as provenance_rank,
    from loans
    left join borrowers using (batch_id, borrower_id)
    left join scheduled using (batch_id, loan_id)
    left join paid using (batch_id, loan_id)
    left join dpd using (batch_id, loan_id)
    left join events using (batch_id, loan_id)
),

final as (
    select
        joined.* exclude (
            principal_not_repaid, computed_dpd, computed_overdue_principal,
            computed_overdue_interest, provenance_rank
        ),
        case when loan_status = 'outstanding' then principal_not_repaid else 0 end
            ::decimal(20, 2) as outstanding_principal,
        (case when loan_status = 'outstanding' then computed_dpd end)::integer as dpd,
        case when loan_status = 'outstanding' then computed_overdue_principal else 0 end
            ::decimal(20, 2) as overdue_principal,
        case when loan_status = 'outstanding' then computed_overdue_interest else 0 end
            ::decimal(20, 2) as overdue_interest,
        buckets.dpd_bucket,
        {{ provenance_of_rank('provenance_rank') }} as provenance,
    from joined
    left join buckets
        on joined.loan_status = 'outstanding'
        and joined.computed_dpd >= buckets.min_dpd
        and (buckets.max_dpd is null or joined.computed_dpd <= buckets.max_dpd)
)

select * from final
