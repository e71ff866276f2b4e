-- Grain: one row per portfolio, calendar year and obligor performing at the start of the year,
-- from the portfolio's latest batch (its loans, payments and events tell the whole history up to
-- its as-of date). The observed default rate's population (K8, I4; definition basis stated in
-- docs/industry-limits.md):
-- * a loan is on book at the start of year Y (1 January) when it was disbursed before that day
--   and neither repaid (cumulative principal paid reaching its scheduled principal, or the
--   contract amount without a schedule), written off nor disposed of before it;
-- * an obligor is performing at the start of Y when it has a loan on book then and none of its
--   loans was written off before it;
-- * it defaults in Y when one of its loans is written off (charged off, a write_off event) in Y,
--   on or before the batch's as-of date.
-- Years run from the year after the first disbursement to the year of the as-of date; a year
-- cut short by the as-of date is flagged partial. Joined on batch_key (stg_landing__batches).
with

latest as (
    select portfolio_id, batch_id, batch_key, as_of_date from {{ ref('stg_landing__batches') }}
    where batch_kind = 'portfolio'
    qualify row_number() over (partition by portfolio_id order by as_of_date desc) = 1
),

loans as (
    select loans.batch_key, loans.loan_id, loans.borrower_id, loans.disbursement_date,
        loans.contract_amount, {{ provenance_rank('loans.provenance') }} as provenance_rank,
    from {{ ref('stg_landing__loans') }} as loans
    inner join latest using (batch_key)
    where loans.disbursement_date is not null
),

scheduled as (
    select batch_key, loan_id, sum(principal_due) as principal,
    from {{ ref('stg_landing__repayment_schedule') }}
    inner join latest using (batch_key)
    group by all
),

-- Principal paid up to the end of each payment date (payments after as-of are not in it).
running as (
    select payments.batch_key, payments.loan_id, payments.payment_date,
        payments.principal_paid_to_date as paid_to_date,
    from {{ ref('int_loan_cumulative_payments') }} as payments
    inner join latest using (batch_key)
),

repaid as (
    select running.batch_key, running.loan_id, min(running.payment_date) as repaid_on,
    from running
    inner join loans using (batch_key, loan_id)
    left join scheduled using (batch_key, loan_id)
    where running.paid_to_date >= coalesce(scheduled.principal, loans.contract_amount)
    group by all
),

events as (
    select events.batch_key, events.loan_id,
        min(events.event_date) filter (where events.event_type = 'write_off') as written_off_on,
        min(events.event_date) filter (where events.event_type = 'disposal') as disposed_on,
    from {{ ref('stg_landing__loan_events') }} as events
    inner join latest using (batch_key)
    where events.event_date <= latest.as_of_date
    group by all
),

lives as (
    select loans.*, repaid.repaid_on, events.written_off_on, events.disposed_on,
        least(repaid.repaid_on, events.written_off_on, events.disposed_on) as left_book_on,
    from loans
    left join repaid using (batch_key, loan_id)
    left join events using (batch_key, loan_id)
),

spans as (
    select latest.portfolio_id, latest.batch_id, latest.batch_key, latest.as_of_date,
        year(min(lives.disbursement_date)) + 1 as first_year,
    from latest
    inner join lives using (batch_key)
    group by all
),

years as (
    select portfolio_id, batch_id, batch_key, as_of_date,
        unnest(range(first_year, year(as_of_date) + 1)) as year,
    from spans
),

obligor_years as (
    select
        years.portfolio_id,
        years.batch_id,
        years.year,
        lives.borrower_id,
        make_date(years.year, 12, 31) > years.as_of_date as is_partial_year,
        bool_or(lives.disbursement_date < make_date(years.year, 1, 1)
                and coalesce(lives.left_book_on, date '9999-12-31') >= make_date(years.year, 1, 1))
            as on_book_at_start,
        bool_or(lives.written_off_on < make_date(years.year, 1, 1)) as written_off_before,
        bool_or(year(lives.written_off_on) = years.year) as written_off_in_year,
        max(lives.provenance_rank) as provenance_rank,
    from years
    inner join lives using (batch_key)
    group by all
)

select portfolio_id, batch_id, year, borrower_id, is_partial_year,
    coalesce(written_off_in_year, false) as defaulted, provenance_rank,
from obligor_years
where on_book_at_start and not coalesce(written_off_before, false)
