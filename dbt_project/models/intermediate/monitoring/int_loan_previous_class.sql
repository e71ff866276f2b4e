-- Grain: one row per portfolio, as-of date and outstanding loan that was also classified at the
-- portfolio's previous as-of date. Key: (portfolio_id, as_of_date, loan_id).
-- The loan's five-level class at the previous as-of date, for J11 and J18 (class downgrade).
-- One model on purpose: it switches to fct_loan_month_ends when that history arrives.
with

dates as (
    select * from {{ ref('int_monitoring_as_of_dates') }}
    where previous_as_of_date is not null
),

classified as (
    select portfolio_id, as_of_date, loan_id, final_class, final_class_rank,
    from {{ ref('fct_loan_classification') }}
),

final as (
    select
        dates.portfolio_id,
        dates.as_of_date,
        previous.loan_id,
        dates.previous_as_of_date,
        previous.final_class as previous_class,
        previous.final_class_rank as previous_class_rank,
    from dates
    inner join classified as previous
        on previous.portfolio_id = dates.portfolio_id
        and previous.as_of_date = dates.previous_as_of_date
)

select * from final
