-- reporting.industry_indicators: the external industry indicators delivered in
-- industry_indicators (SBA charge-off rates, Census sales and revenue) with their year-on-year
-- change: (value - value of the previous year) / value of the previous year, for yearly periods
-- (YYYY) whose previous year was delivered with a value. Other periods are listed without a change.
with

indicators as (
    select scheme, code, period, indicator, value, unit, source, provenance,
    from {{ ref('stg_landing__industry_indicators') }}
),

yearly as (
    select *, try_cast(period as integer) as year,
    from indicators
)

select
    current_year.scheme,
    current_year.code as industry_code,
    current_year.indicator,
    current_year.period,
    current_year.year,
    current_year.value::decimal(20, 6) as value,
    previous_year.value::decimal(20, 6) as previous_value,
    round((current_year.value - previous_year.value) / nullif(previous_year.value, 0), 6)
        ::decimal(12, 6) as yoy_change,
    current_year.unit,
    current_year.source,
    {{ provenance_of_rank('greatest(' ~ provenance_rank('current_year.provenance') ~ ', coalesce('
                          ~ provenance_rank('previous_year.provenance') ~ ', 0))') }}
        as provenance,
from yearly as current_year
left join yearly as previous_year
    on previous_year.scheme = current_year.scheme
    and previous_year.code = current_year.code
    and previous_year.indicator = current_year.indicator
    and previous_year.source = current_year.source
    and previous_year.year = current_year.year - 1
