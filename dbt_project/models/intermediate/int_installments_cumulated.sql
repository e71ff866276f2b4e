-- Grain: one row per batch, loan and installment falling due strictly before the batch's as-of
-- date (an installment due on the as-of date itself is not yet overdue: domain rule A1).
-- Cumulative amounts due let payments be applied oldest-first without a row loop (rule A3).
with

schedule as (
    select * from {{ ref('stg_landing__repayment_schedule') }}
),

fallen_due as (
    select
        batch_id,
        portfolio_id,
        as_of_date,
        loan_id,
        installment_no,
        due_date,
        principal_due,
        interest_due,
        sum(principal_due) over loan_order as cumulative_principal_due,
        sum(interest_due) over loan_order as cumulative_interest_due,
    from schedule
    where due_date < as_of_date
    window loan_order as (
        partition by batch_id, loan_id
        order by installment_no
        rows between unbounded preceding and current row
    )
)

select * from fallen_due
