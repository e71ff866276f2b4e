-- Grain: one row per batch, history date and loan on the book at it, plus one closing row at the
-- first history date on or after the loan left the book (repaid, written off or disposed of).
-- Balances at each date: principal not repaid = scheduled principal (the contract amount when a
-- loan has no schedule) minus principal paid on or before the date; overdue amounts = amounts due
-- strictly before the date minus amounts paid by it. Cumulative amounts are found with ASOF joins,
-- so the cost grows with loans x dates, not with loans x dates x installments. Joins, windows and
-- ASOF joins are keyed by batch_key (stg_landing__batches), not the longer batch_id.
-- Ephemeral: fct_loan_month_ends is its only reader, and a table would write and read back one
-- row per loan and month-end (23 million at the 1,000,000-loan demonstration bank) for nothing.
-- A daily build leaves out the loan-dates whose rows fct_loan_month_ends copies from the published
-- warehouse (int_reused_loans with copies_history, at int_reused_history_dates).
{{ config(materialized='ephemeral') }}
-- depends_on: {{ ref('int_reused_loans') }}
-- depends_on: {{ ref('int_reused_history_dates') }}
{%- set reuse = reuse_batches() %}
with

dates as (
    {%- if reuse %}
    select dates.*, copied.as_of_date is not null as rows_copied,
    from {{ ref('int_history_dates') }} as dates
    left join {{ ref('int_reused_history_dates') }} as copied using (batch_key, as_of_date)
    {%- else %}
    select * from {{ ref('int_history_dates') }}
    {%- endif %}
),

loans as (
    select batch_id, batch_key, loan_id, borrower_id, disbursement_date, contract_amount,
    from {{ ref('stg_landing__loans') }}
    where disbursement_date <= as_of_date
),

scheduled as (
    select batch_key, loan_id, sum(principal_due)::decimal(18, 2) as scheduled_principal,
    from {{ ref('stg_landing__repayment_schedule') }}
    group by all
),

cumulative_payments as (
    select * from {{ ref('int_loan_cumulative_payments') }}
),

-- Running totals by due date: each installment carries the amounts due on or before its due
-- date (a range frame, so several installments on one day count together and carry the same
-- totals; no grouping of the 36 million installments of the 1,000,000-loan bank first). Only
-- installments due before the batch's as-of date: one due on it or later has not fallen due at
-- any of the batch's history dates, none being later than the as-of date. Leaving those out (39%
-- of the installments at that bank) took 7.7 s off the model's 126.8 s (window and ASOF join).
cumulative_due as (
    select batch_key, loan_id, due_date,
        -- 18 digits, as int_loan_cumulative_payments.
        (sum(principal_due) over by_date)::decimal(18, 2) as principal_due_to_date,
        (sum(interest_due) over by_date)::decimal(18, 2) as interest_due_to_date,
    from {{ ref('stg_landing__repayment_schedule') }}
    where due_date < as_of_date
    window by_date as (
        partition by batch_key, loan_id order by due_date
        range between unbounded preceding and current row
    )
),

principal_target as (
    select loans.*,
        coalesce(scheduled.scheduled_principal, loans.contract_amount) as principal_to_repay,
    from loans
    left join scheduled using (batch_key, loan_id)
),

-- The day cumulative principal paid first reached everything there was to repay.
repaid as (
    select principal_target.batch_key, principal_target.loan_id,
        min(cumulative_payments.payment_date) as repaid_date,
    from principal_target
    inner join cumulative_payments using (batch_key, loan_id)
    where cumulative_payments.principal_paid_to_date >= principal_target.principal_to_repay
    group by all
),

events as (
    select * from {{ ref('int_loan_events_to_date') }}
),

closures as (
    select
        principal_target.*,
        events.write_off_date,
        events.disposal_date,
        repaid.repaid_date,
        least(events.write_off_date, events.disposal_date, repaid.repaid_date) as left_book_on,
        {%- if reuse %}
        coalesce(reused.copies_history, false) as history_copied,
        {%- endif %}
    from principal_target
    left join events using (batch_id, loan_id)
    left join repaid using (batch_key, loan_id)
    {%- if reuse %}
    left join {{ ref('int_reused_loans') }} as reused using (batch_key, loan_id)
    {%- endif %}
),

grid as (
    select
        dates.portfolio_id,
        dates.as_of_date,
        dates.batch_id,
        dates.is_month_end,
        dates.is_delivered_as_of,
        closures.* exclude (batch_id),
    from dates
    inner join closures
        on closures.batch_key = dates.batch_key
        and closures.disbursement_date <= dates.as_of_date
    -- On the book, or the first date at or after it left (its closing row).
    where (closures.left_book_on is null
        or dates.as_of_date
            <= least(last_day(closures.left_book_on), dates.batch_as_of_date))
    {%- if reuse %}
        and not (dates.rows_copied and closures.history_copied)
    {%- endif %}
),

with_paid as (
    {{ select_paid_by('grid', 'as_of_date', 'paid_to_date') }}
),

with_due as (
    select with_paid.*,
        coalesce(cumulative_due.principal_due_to_date, 0) as principal_fallen_due,
        coalesce(cumulative_due.interest_due_to_date, 0) as interest_fallen_due,
    from with_paid
    asof left join cumulative_due
        on with_paid.batch_key = cumulative_due.batch_key
        and with_paid.loan_id = cumulative_due.loan_id
        and with_paid.as_of_date > cumulative_due.due_date
)

select
    portfolio_id,
    as_of_date,
    batch_id,
    batch_key,
    loan_id,
    borrower_id,
    is_month_end,
    is_delivered_as_of,
    disbursement_date,
    contract_amount,
    case
        when write_off_date <= as_of_date then 'written_off'
        when disposal_date <= as_of_date then 'disposed'
        when principal_to_repay - principal_paid_to_date <= 0 then 'repaid'
        else 'outstanding'
    end as loan_status,
    case when loan_status = 'outstanding' then principal_to_repay - principal_paid_to_date
        else 0 end::decimal(18, 2) as outstanding_principal,
    case when loan_status = 'outstanding'
        then greatest(principal_fallen_due - principal_paid_to_date, 0)
        else 0 end::decimal(18, 2) as overdue_principal,
    case when loan_status = 'outstanding'
        then greatest(interest_fallen_due - interest_paid_to_date, 0)
        else 0 end::decimal(18, 2) as overdue_interest,
from with_due
