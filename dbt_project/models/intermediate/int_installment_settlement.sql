-- Grain: one row per batch, loan and installment of the schedule.
-- When each installment was fully paid (settled), applying payments oldest first (rule A3): the
-- first payment date by which cumulative principal and interest paid reach the cumulative amounts
-- due up to that installment. settled_on is empty while an installment is unpaid at the batch's
-- as-of date; principal_open and interest_open say which part is unpaid. Days past due
-- (int_loan_dpd), the restructuring and cure rules and the month-end history read this model, so
-- one definition of "paid" serves them all.
--
-- Settlement dates matter only for late installments: a part paid by its due date was never past
-- due, and every rule here reads "on time" the same whether it was paid on the due date or before
-- it. So the work is done in steps (docs/benchmarks.md has the measurements):
--   1. one ASOF join by date gives the cumulative amounts paid by each due date; a part whose
--      target is reached by then is on time and is recorded as settled on its due date (also
--      when that date is still to come: an installment paid in advance);
--   2. a part whose target is not reached by the as-of date is open (no date);
--   3. only the rest, the parts paid late (a few per cent in a sound book), get the exact date
--      their target was reached, by ASOF joins on the cumulative amounts of their own loans.
-- Amounts are compared as 18-digit decimals (64-bit; a loan's cumulative amounts stay far below
-- that), three places so that var dpd_paid_share 0.9 stays exact.
-- A daily build computes only the loans its delta changed and copies the others' rows from the
-- published warehouse (int_reused_loans): an installment's settlement depends on nothing but its
-- loan's schedule and payments up to the as-of date, and a reused loan has no payment after the
-- base's.
-- depends_on: {{ ref('int_reused_loans') }}
{%- set reuse = reuse_batches() %}
with

schedule as (
    select
        batch_key,
        loan_id,
        installment_no,
        due_date,
        principal_due,
        interest_due,
        (sum(principal_due) over by_installment
            - (1 - {{ var('dpd_paid_share') }}) * principal_due)::decimal(18, 3)
            as principal_target,
        (sum(interest_due) over by_installment
            - (1 - {{ var('dpd_paid_share') }}) * interest_due)::decimal(18, 3)
            as interest_target,
    from {{ ref('stg_landing__repayment_schedule') }}
    {%- if reuse %}
    anti join {{ ref('int_reused_loans') }} using (batch_id, loan_id)
    {%- endif %}
    window by_installment as (
        partition by batch_key, loan_id
        order by installment_no
        rows between unbounded preceding and current row
    )
),

cumulative_payments as (
    select
        batch_key,
        loan_id,
        payment_date,
        principal_paid_to_date::decimal(18, 3) as principal_paid_to_date,
        interest_paid_to_date::decimal(18, 3) as interest_paid_to_date,
    from {{ ref('int_loan_cumulative_payments') }}
    {%- if reuse %}
    anti join {{ ref('int_reused_loans') }} using (batch_key, loan_id)
    {%- endif %}
),

paid_to_date as (
    select
        batch_key,
        loan_id,
        principal_paid::decimal(18, 3) as principal_paid,
        interest_paid::decimal(18, 3) as interest_paid,
    from {{ ref('int_loan_payments_to_date') }}
),

-- Step 1: the cumulative amounts paid by each due date (payments after as-of are not in them).
paid_by_due as (
    {{ select_paid_by('schedule', 'due_date', 'paid_by_due') }}
),

-- Steps 1 and 2: each part's state, 0 on time (settled on the due date), 1 open (no date) or 2
-- late (its date to be found).
-- DuckDB keeps this CTE (both branches below read it) in memory, one row per installment (36
-- million at the 1,000,000-loan bank), so it carries only the columns read after it: the amounts
-- paid by the due date stay behind, the states are small integers, and the batch's id and date
-- are joined at the end (final). Carrying them all, the model alone took 77.8 s there, not
-- 53.3 s.
states as (
    select
        paid_by_due.* exclude (principal_paid_by_due, interest_paid_by_due),
        case
            when principal_target <= 0 or principal_paid_by_due >= principal_target then 0
            when coalesce(paid_to_date.principal_paid, 0) < principal_target then 1
            else 2
        end::utinyint as principal_state,
        case
            when interest_target <= 0 or interest_paid_by_due >= interest_target then 0
            when coalesce(paid_to_date.interest_paid, 0) < interest_target then 1
            else 2
        end::utinyint as interest_state,
    from paid_by_due
    left join paid_to_date
        on paid_by_due.batch_key = paid_to_date.batch_key
        and paid_by_due.loan_id = paid_to_date.loan_id
),

settled_without_search as (
    select
        * exclude (principal_state, interest_state),
        case when principal_state = 0 then due_date end as principal_settled_on,
        case when interest_state = 0 then due_date end as interest_settled_on,
    from states
    where principal_state <> 2 and interest_state <> 2
),

late as (
    select * from states
    where principal_state = 2 or interest_state = 2
),

late_loans_payments as (
    select cumulative_payments.*
    from cumulative_payments
    semi join late
        on cumulative_payments.batch_key = late.batch_key
        and cumulative_payments.loan_id = late.loan_id
),

-- Cumulative amounts never fall, so the earliest date reaching each amount is well defined.
principal_points as (
    select batch_key, loan_id, principal_paid_to_date, min(payment_date) as reached_on,
    from late_loans_payments
    group by all
),

interest_points as (
    select batch_key, loan_id, interest_paid_to_date, min(payment_date) as reached_on,
    from late_loans_payments
    group by all
),

-- Step 3: the exact dates of the late parts.
late_principal as (
    select
        late.*,
        case late.principal_state
            when 0 then late.due_date
            when 2 then principal_points.reached_on
        end as principal_settled_on,
    from late
    asof left join principal_points
        on late.batch_key = principal_points.batch_key
        and late.loan_id = principal_points.loan_id
        and late.principal_target <= principal_points.principal_paid_to_date
),

late_settled as (
    select
        late_principal.* exclude (principal_state, interest_state),
        case late_principal.interest_state
            when 0 then late_principal.due_date
            when 2 then interest_points.reached_on
        end as interest_settled_on,
    from late_principal
    asof left join interest_points
        on late_principal.batch_key = interest_points.batch_key
        and late_principal.loan_id = interest_points.loan_id
        and late_principal.interest_target <= interest_points.interest_paid_to_date
),

settled as (
    select * from settled_without_search
    union all by name
    select * from late_settled
),

final as (
    select
        batch_id,
        batch_key,
        loan_id,
        as_of_date,
        installment_no,
        due_date,
        principal_due,
        interest_due,
        principal_settled_on is null as principal_open,
        interest_settled_on is null as interest_open,
        case
            when not principal_open and not interest_open
                then greatest(principal_settled_on, interest_settled_on)
        end as settled_on,
        date_diff('day', due_date, settled_on) as days_late_when_settled,
        -- Per part, for the month-end history (int_loan_history_dpd): the date the cumulative
        -- amount due up to this installment was reached, or the due date when that was on time;
        -- the targets grow with installment_no, so these dates never fall from one installment
        -- to the next.
        principal_target,
        interest_target,
        principal_settled_on,
        interest_settled_on,
    from settled
    inner join {{ ref('stg_landing__batches') }} as batches using (batch_key)
)

select * from final
{%- if reuse %}
union all
{{ published_rows(['batch_id', 'batch_key', 'as_of_date']) }}
{%- endif %}
