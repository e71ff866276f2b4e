{{ config(meta={"dagster": {"ref": {"name": "class_snapshots"}}}) }}

-- At each delivered as-of date the replayed history must be the warehouse's own figures: the same
-- loans on the book with the same balance, overdue amounts, DPD, bucket and class. A row is a
-- loan where the two disagree or that one of them lacks.
with

history as (
    select * from {{ ref('class_snapshots') }}
    where is_delivered_as_of and loan_status = 'outstanding'
),

delivered as (
    select loans.portfolio_id, loans.as_of_date, loans.loan_id, loans.outstanding_principal,
        loans.overdue_principal, loans.overdue_interest, loans.dpd, loans.dpd_bucket,
        classes.final_class,
    from {{ ref('loans') }} as loans
    left join {{ ref('loan_classification') }} as classes using (portfolio_id, as_of_date, loan_id)
    where loans.loan_status = 'outstanding'
)

select
    coalesce(history.portfolio_id, delivered.portfolio_id) as portfolio_id,
    coalesce(history.as_of_date, delivered.as_of_date) as as_of_date,
    coalesce(history.loan_id, delivered.loan_id) as loan_id,
    history.outstanding_principal as history_balance,
    delivered.outstanding_principal as delivered_balance,
    history.dpd as history_dpd,
    delivered.dpd as delivered_dpd,
    history.five_class as history_class,
    delivered.final_class as delivered_class,
from history
full outer join delivered using (portfolio_id, as_of_date, loan_id)
where history.loan_id is null
    or delivered.loan_id is null
    or history.outstanding_principal <> delivered.outstanding_principal
    or history.overdue_principal <> delivered.overdue_principal
    or history.overdue_interest <> delivered.overdue_interest
    or history.dpd is distinct from delivered.dpd
    or history.dpd_bucket is distinct from delivered.dpd_bucket
    or history.five_class is distinct from delivered.final_class
