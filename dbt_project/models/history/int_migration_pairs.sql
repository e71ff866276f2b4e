-- Grain: one row per portfolio, horizon and start date: the standard migration periods.
-- month: consecutive month-ends; quarter: quarter-end to the next quarter-end; year: year-end to
-- the next year-end; delivered: one delivered as-of date to the next. Both ends must be history
-- dates of the portfolio.
with

dates as (
    select distinct portfolio_id, as_of_date, is_month_end, is_delivered_as_of,
    from {{ ref('int_history_dates') }}
),

candidates as (
    select portfolio_id, 'month' as horizon, as_of_date as from_as_of_date,
        last_day(as_of_date + interval 1 month)::date as to_as_of_date,
    from dates where is_month_end
    union all
    select portfolio_id, 'quarter', as_of_date, last_day(as_of_date + interval 3 month)::date,
    from dates where is_month_end and month(as_of_date) in (3, 6, 9, 12)
    union all
    select portfolio_id, 'year', as_of_date, last_day(as_of_date + interval 12 month)::date,
    from dates where is_month_end and month(as_of_date) = 12
    union all
    select portfolio_id, 'delivered', as_of_date,
        lead(as_of_date) over (partition by portfolio_id order by as_of_date),
    from dates where is_delivered_as_of
)

select candidates.*,
from candidates
inner join dates as ends
    on ends.portfolio_id = candidates.portfolio_id
    and ends.as_of_date = candidates.to_as_of_date
