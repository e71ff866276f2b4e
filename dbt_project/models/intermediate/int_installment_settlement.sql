-- Grain: one row per batch, loan and installment of the schedule.
-- When each installment was fully paid (settled), applying payments oldest first (rule A3): the
-- first payment date by which cumulative principal and interest paid reach the cumulative amounts
-- due up to that installment. Found with an ASOF join on the cumulative amounts, so no row loops.
-- settled_on is empty while an installment is unpaid at the batch's as-of date; principal_open and
-- interest_open say which part is unpaid. Days past due (int_loan_dpd) read this model, so one
-- definition of "paid" serves DPD, restructuring and cure rules alike.
with

schedule as (
    select
        batch_id,
        loan_id,
        as_of_date,
        installment_no,
        due_date,
        principal_due,
        interest_due,
        sum(principal_due) over by_installment
            - (1 - {{ var('dpd_paid_share') }}) * principal_due as principal_target,
        sum(interest_due) over by_installment
            - (1 - {{ var('dpd_paid_share') }}) * interest_due as interest_target,
    from {{ ref('stg_landing__repayment_schedule') }}
    window by_installment as (
        partition by batch_id, loan_id
        order by installment_no
        rows between unbounded preceding and current row
    )
),

cumulative_payments as (
    select * from {{ ref('int_loan_cumulative_payments') }}
),

-- Cumulative amounts never fall, so the earliest date reaching each amount is well defined.
principal_points as (
    select batch_id, loan_id, principal_paid_to_date, min(payment_date) as reached_on,
    from cumulative_payments
    group by all
),

interest_points as (
    select batch_id, loan_id, interest_paid_to_date, min(payment_date) as reached_on,
    from cumulative_payments
    group by all
),

principal_settled as (
    select schedule.*, principal_points.reached_on as principal_settled_on,
    from schedule
    asof left join principal_points
        on schedule.batch_id = principal_points.batch_id
        and schedule.loan_id = principal_points.loan_id
        and schedule.principal_target <= principal_points.principal_paid_to_date
),

both_settled as (
    select principal_settled.*, interest_points.reached_on as interest_settled_on,
    from principal_settled
    asof left join interest_points
        on principal_settled.batch_id = interest_points.batch_id
        and principal_settled.loan_id = interest_points.loan_id
        and principal_settled.interest_target <= interest_points.interest_paid_to_date
),

final as (
    select
        batch_id,
        loan_id,
        as_of_date,
        installment_no,
        due_date,
        principal_due,
        interest_due,
        -- Nothing owed yet counts as settled on the due date.
        principal_target > 0 and principal_settled_on is null as principal_open,
        interest_target > 0 and interest_settled_on is null as interest_open,
        case
            when not principal_open and not interest_open
                then greatest(
                    coalesce(principal_settled_on, due_date),
                    coalesce(interest_settled_on, due_date)
                )
        end as settled_on,
        date_diff('day', due_date, settled_on) as days_late_when_settled,
        -- Per part, for the month-end history (int_loan_history_dpd): the date the cumulative
        -- amount due up to this installment was reached; the targets grow with installment_no,
        -- so these dates never fall from one installment to the next.
        principal_target,
        interest_target,
        principal_settled_on,
        interest_settled_on,
    from both_settled
)

select * from final
