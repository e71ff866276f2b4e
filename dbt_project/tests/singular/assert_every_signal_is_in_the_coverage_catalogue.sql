{{ config(meta={"dagster": {"ref": {"name": "early_warning_coverage"}}}) }}

-- Every portfolio and as-of date lists every signal of seed early_warning_rules in the coverage
-- catalogue, and every signal that fired has a rule the catalogue calls computed. A portfolio
-- silently missing from the catalogue, or a signal firing while the page says its data is
-- missing, would mislead the committee. Each failing row names the portfolio, date and problem.
with

dates as (
    select portfolio_id, as_of_date from {{ ref('int_monitoring_as_of_dates') }}
),

catalogue as (
    select portfolio_id, as_of_date, count(*) as signals
    from {{ ref('early_warning_coverage') }}
    group by all
),

rules as (
    select count(*) as signals from {{ ref('early_warning_rules') }}
),

incomplete as (
    select dates.portfolio_id, dates.as_of_date, 'catalogue has '
        || coalesce(catalogue.signals, 0) || ' of ' || rules.signals || ' signals' as problem
    from dates
    cross join rules
    left join catalogue using (portfolio_id, as_of_date)
    where coalesce(catalogue.signals, 0) <> rules.signals
),

contradicted as (
    select warnings.portfolio_id, warnings.as_of_date,
        warnings.signal_code || ' fired but is ' || coverage.coverage_status as problem
    from {{ ref('early_warnings') }} as warnings
    inner join {{ ref('early_warning_coverage') }} as coverage
        using (portfolio_id, as_of_date, signal_code)
    where coverage.coverage_status <> 'computed'
)

select * from incomplete
union all
select distinct * from contradicted
