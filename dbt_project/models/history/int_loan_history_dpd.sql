-- Grain: one row per batch, history date and loan that is past due at that date.
-- Payments settle installments oldest first (int_installment_settlement), so the dates on which
-- successive installments were settled never fall. Installment i is therefore the oldest unpaid
-- one exactly from the settlement of installment i-1 until its own settlement, and past due from
-- the day after its due date: the window [greatest(settled(i-1), due(i) + 1), settled(i)). The
-- windows of one loan never overlap, so DPD at a date t in a window is t - due(i) (rule A1), and
-- only delinquent loan-dates are ever produced. Principal and interest are tracked apart, as in
-- int_loan_dpd; at a batch's own as-of date the two models agree (tested). Keyed by batch_key
-- (stg_landing__batches), as fct_loan_month_ends joins it.
with

installments as (
    select
        batch_key,
        loan_id,
        installment_no,
        due_date,
        -- Nothing owed up to this installment: never past due.
        case when principal_target <= 0 then date '0001-01-01'
            else principal_settled_on end as principal_settled_on,
        case when interest_target <= 0 then date '0001-01-01'
            else interest_settled_on end as interest_settled_on,
    from {{ ref('int_installment_settlement') }}
),

-- Each installment with the settlement dates of the one before it, both parts from one
-- window (one sort of the 36 million installments at the 1,000,000-loan bank, not one per part).
lagged as (
    select
        batch_key,
        loan_id,
        due_date,
        principal_settled_on,
        interest_settled_on,
        lag(principal_settled_on, 1, date '0001-01-01') over by_loan as principal_before,
        lag(interest_settled_on, 1, date '0001-01-01') over by_loan as interest_before,
    from installments
    window by_loan as (partition by batch_key, loan_id order by installment_no)
),

windows as (
    select
        lagged.batch_key,
        lagged.loan_id,
        parts.part,
        lagged.due_date,
        greatest(
            -- Unsettled (null) before: this installment is never the oldest unpaid one.
            coalesce(case parts.part when 'principal' then lagged.principal_before
                     else lagged.interest_before end, date '9999-12-31'),
            lagged.due_date + 1
        ) as past_due_from,
        coalesce(case parts.part when 'principal' then lagged.principal_settled_on
                 else lagged.interest_settled_on end, date '9999-12-31') as settled_on,
    from lagged
    cross join (values ('principal'), ('interest')) as parts(part)
),

dates as (
    select batch_key, as_of_date from {{ ref('int_history_dates') }}
)

select
    windows.batch_key,
    windows.loan_id,
    dates.as_of_date,
    max(date_diff('day', windows.due_date, dates.as_of_date))
        filter (where windows.part = 'principal') as principal_dpd,
    max(date_diff('day', windows.due_date, dates.as_of_date))
        filter (where windows.part = 'interest') as interest_dpd,
from windows
inner join dates
    on dates.batch_key = windows.batch_key
    and dates.as_of_date >= windows.past_due_from
    and dates.as_of_date < windows.settled_on
where windows.past_due_from < windows.settled_on
group by all
