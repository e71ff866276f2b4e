-- Grain: one row per batch, loan and payment date on or before the batch's as-of date.
-- Running totals of principal and interest paid up to and including each payment date. The
-- settlement of installments (int_installment_settlement) and the month-end balances
-- (int_loan_history_grid) both read them, through ASOF joins on batch_key (stg_landing__batches),
-- so the table has no batch_id.
with

daily_payments as (
    select
        batch_key,
        loan_id,
        payment_date,
        sum(principal_paid) as principal_paid,
        sum(interest_paid) as interest_paid,
    from {{ ref('stg_landing__payments') }}
    where payment_date <= as_of_date
    group by all
)

select
    batch_key,
    loan_id,
    payment_date,
    sum(principal_paid) over by_date as principal_paid_to_date,
    sum(interest_paid) over by_date as interest_paid_to_date,
from daily_payments
window by_date as (
    partition by batch_key, loan_id
    order by payment_date
    rows between unbounded preceding and current row
)
