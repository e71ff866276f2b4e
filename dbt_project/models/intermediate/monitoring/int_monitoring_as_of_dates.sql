-- Grain: one row per portfolio and as-of date. Key: (portfolio_id, as_of_date).
-- The history the monitoring rules look back over: every as-of date built for a portfolio, with
-- the one before it. One model on purpose: when the month-end history (fct_loan_month_ends)
-- arrives, this and int_loan_previous_class are the two places that switch to it.
with

dates as (
    select distinct portfolio_id, as_of_date
    from {{ ref('fct_loan_snapshots') }}
),

final as (
    select
        portfolio_id,
        as_of_date,
        lag(as_of_date) over by_portfolio as previous_as_of_date,
        row_number() over by_portfolio as as_of_index,
    from dates
    window by_portfolio as (partition by portfolio_id order by as_of_date)
)

select * from final
