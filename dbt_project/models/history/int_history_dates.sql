-- Grain: one row per portfolio and history date.
-- The dates a portfolio's history is replayed at: every month-end from the month of its first
-- disbursement (or var history_start_date, when later) to its latest as-of date, plus each
-- delivered as-of date that is not a month-end. Each date is replayed from the earliest published
-- batch whose as-of date is on or after it, so a later delivery never rewrites a closed month:
-- rebuilding a past month gives the same rows (domain rules K; docs/history.md).
with

batches as (
    select
        batch_id,
        batch_key,
        portfolio_id,
        as_of_date as batch_as_of_date,
        lag(as_of_date) over (partition by portfolio_id order by as_of_date)
            as previous_as_of_date,
    from {{ ref('stg_landing__batches') }}
    where batch_kind = 'portfolio'
),

first_disbursement as (
    select batch_id, min(disbursement_date) as first_disbursement_date,
    from {{ ref('stg_landing__loans') }}
    group by all
),

spans as (
    select
        batches.*,
        greatest(
            first_disbursement.first_disbursement_date,
            {%- if var('history_start_date') %}
            date '{{ var("history_start_date") }}',
            {%- endif %}
            coalesce(batches.previous_as_of_date + 1, date '0001-01-01')
        ) as span_start,
    from batches
    inner join first_disbursement using (batch_id)
),

month_ends as (
    select
        spans.portfolio_id,
        spans.batch_id,
        spans.batch_key,
        spans.batch_as_of_date,
        last_day(month_start::date) as as_of_date,
    from spans,
        unnest(generate_series(
            date_trunc('month', spans.span_start),
            date_trunc('month', spans.batch_as_of_date),
            interval 1 month
        )) as months(month_start)
),

dates as (
    select portfolio_id, batch_id, batch_key, batch_as_of_date, as_of_date,
    from month_ends
    where as_of_date <= batch_as_of_date
    union
    select portfolio_id, batch_id, batch_key, batch_as_of_date, batch_as_of_date,
    from spans
)

select
    portfolio_id,
    as_of_date,
    batch_id,
    batch_key,
    batch_as_of_date,
    as_of_date = last_day(as_of_date) as is_month_end,
    as_of_date = batch_as_of_date as is_delivered_as_of,
from dates
