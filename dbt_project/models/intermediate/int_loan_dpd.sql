-- Grain: one row per batch and loan that has a repayment schedule.
-- Days past due (domain rules A1-A3): as-of date minus the due date of the oldest installment,
-- due strictly before the as-of date, that is not fully paid (int_installment_settlement applies
-- payments oldest first, with var dpd_paid_share: 1.0 strict, 0.9 the US 90% method). Principal
-- and interest are tracked apart; the loan's DPD is the larger.
with

fallen_due as (
    select * from {{ ref('int_installment_settlement') }}
    where due_date < as_of_date
),

paid as (
    select * from {{ ref('int_loan_payments_to_date') }}
),

-- Grouped on batch_key (stg_landing__batches), not the longer batch_id: 36 million installments
-- at the 1,000,000-loan demonstration bank.
oldest_unpaid as (
    select
        batch_key,
        loan_id,
        any_value(batch_id) as batch_id,
        any_value(as_of_date) as as_of_date,
        min(due_date) filter (where principal_open) as oldest_unpaid_principal_due_date,
        min(due_date) filter (where interest_open) as oldest_unpaid_interest_due_date,
        sum(principal_due) as principal_fallen_due,
        sum(interest_due) as interest_fallen_due,
    from fallen_due
    group by batch_key, loan_id
),

final as (
    select
        oldest_unpaid.batch_id,
        oldest_unpaid.loan_id,
        oldest_unpaid_principal_due_date,
        oldest_unpaid_interest_due_date,
        coalesce(date_diff('day', oldest_unpaid_principal_due_date, as_of_date), 0)
            as principal_dpd,
        coalesce(date_diff('day', oldest_unpaid_interest_due_date, as_of_date), 0)
            as interest_dpd,
        greatest(principal_dpd, interest_dpd) as dpd,
        greatest(principal_fallen_due - coalesce(paid.principal_paid, 0), 0)
            as overdue_principal,
        greatest(interest_fallen_due - coalesce(paid.interest_paid, 0), 0) as overdue_interest,
    from oldest_unpaid
    left join paid using (batch_key, loan_id)
)

select * from final
