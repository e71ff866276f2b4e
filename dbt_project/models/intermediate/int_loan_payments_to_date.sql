-- Grain: one row per batch and loan with any payment on or before the batch's as-of date.
select
    batch_key,
    loan_id,
    any_value(batch_id) as batch_id,
    -- 18 digits, as int_loan_cumulative_payments.
    sum(principal_paid)::decimal(18, 2) as principal_paid,
    sum(interest_paid)::decimal(18, 2) as interest_paid,
    sum(coalesce(penalty_paid, 0))::decimal(18, 2) as penalty_paid,
    max(payment_date) as last_payment_date,
    max({{ provenance_rank('provenance') }}) as provenance_rank,
from {{ ref('stg_landing__payments') }}
where payment_date <= as_of_date
group by batch_key, loan_id
