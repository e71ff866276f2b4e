-- Grain: one row per batch and loan that has a repayment schedule.
-- Days past due (domain rules A1-A3): payments apply to the oldest amounts first, so an
-- installment is unpaid exactly when the cumulative amount due up to it exceeds the cumulative
-- amount paid by the as-of date. Principal and interest are tracked apart; loan DPD is the larger.
-- var dpd_paid_share: 1.0 (default) is the strict method; 0.9 is the US Uniform Retail option in
-- which a payment of at least 90% of an installment counts as paying it (rule A3).
with

due as (
    select * from {{ ref('int_installments_cumulated') }}
),

paid as (
    select * from {{ ref('int_loan_payments_to_date') }}
),

oldest_unpaid as (
    select
        due.batch_id,
        due.loan_id,
        due.as_of_date,
        min(due.due_date) filter (
            where due.cumulative_principal_due - (1 - {{ var('dpd_paid_share') }}) * due.principal_due
                > coalesce(paid.principal_paid, 0)
        ) as oldest_unpaid_principal_due_date,
        min(due.due_date) filter (
            where due.cumulative_interest_due - (1 - {{ var('dpd_paid_share') }}) * due.interest_due
                > coalesce(paid.interest_paid, 0)
        ) as oldest_unpaid_interest_due_date,
        max(due.cumulative_principal_due) - least(
            max(due.cumulative_principal_due), coalesce(max(paid.principal_paid), 0)
        ) as overdue_principal,
        max(due.cumulative_interest_due) - least(
            max(due.cumulative_interest_due), coalesce(max(paid.interest_paid), 0)
        ) as overdue_interest,
    from due
    left join paid using (batch_id, loan_id)
    group by all
),

final as (
    select
        batch_id,
        loan_id,
        oldest_unpaid_principal_due_date,
        oldest_unpaid_interest_due_date,
        coalesce(date_diff('day', oldest_unpaid_principal_due_date, as_of_date), 0)
            as principal_dpd,
        coalesce(date_diff('day', oldest_unpaid_interest_due_date, as_of_date), 0)
            as interest_dpd,
        greatest(principal_dpd, interest_dpd) as dpd,
        overdue_principal,
        overdue_interest,
    from oldest_unpaid
)

select * from final
