-- reporting.industry_reviews: the industries the committee should review (I4, J16), one row per
-- portfolio, as-of date, industry node and trigger that fired, with its evidence and the
-- suggested action. Triggers are rows of seed industry_review_triggers (metric, operator,
-- threshold, min_obligors); they are evaluated on every as-of date of a portfolio batch:
-- * npl_ratio_to_bank: industry NPL ratio / bank NPL ratio on the as-of date
--   (reporting.industry_exposure);
-- * default_rate_to_bank: observed default rate / the business book's, for the last calendar
--   year ended on or before the as-of date (reporting.industry_risk);
-- * utilisation: exposure / limit on the as-of date (reporting.industry_limit_utilisation),
--   compared on exact amounts (exposure >= limit x threshold; a zero limit by any exposure);
-- * indicator_yoy_change: year-on-year change of an external indicator of the industry's NAICS
--   code, latest year on or before the as-of date's year (reporting.industry_indicators).
-- A trigger applies only to an industry with at least min_obligors business obligors, at tree
-- levels up to var industry_review_max_level (deeper nodes repeat their parents' evidence);
-- a limit is reviewed at whatever level it was set.
with

triggers as (
    select * from {{ ref('industry_review_triggers') }}
),

as_of_dates as (
    select portfolio_id, as_of_date,
        case when month(as_of_date) = 12 and day(as_of_date) = 31 then year(as_of_date)
             else year(as_of_date) - 1 end as complete_year,
    from {{ ref('stg_landing__batches') }}
    where batch_kind = 'portfolio'
),

exposure as (
    select * from {{ ref('industry_exposure') }}
),

npl as (
    select portfolio_id, as_of_date, scheme, level, industry_code, industry_name,
        'npl_ratio_to_bank' as metric, business_borrowers as obligors,
        npl_ratio_to_bank as observed_value, npl_ratio as industry_value,
        bank_npl_ratio as comparison_value, strftime(as_of_date, '%Y-%m-%d') as evidence_period,
        provenance,
    from exposure
    where npl_ratio_to_bank is not null
),

defaults as (
    select as_of_dates.portfolio_id, as_of_dates.as_of_date, risk.scheme, risk.level,
        risk.industry_code, risk.industry_name, 'default_rate_to_bank' as metric,
        risk.performing_obligors as obligors, risk.default_rate_to_bank as observed_value,
        risk.default_rate as industry_value, risk.bank_default_rate as comparison_value,
        risk.year::varchar as evidence_period, risk.provenance,
    from as_of_dates
    inner join {{ ref('industry_risk') }} as risk
        on risk.portfolio_id = as_of_dates.portfolio_id and risk.year = as_of_dates.complete_year
    where risk.default_rate_to_bank is not null
),

utilisation as (
    select limits.portfolio_id, limits.as_of_date, limits.scheme, limits.level,
        limits.industry_code, limits.industry_name, 'utilisation' as metric,
        limits.borrowers as obligors, limits.utilisation as observed_value,
        limits.exposure as industry_value, limits.limit_amount as comparison_value,
        strftime(limits.as_of_date, '%Y-%m-%d') as evidence_period, limits.provenance,
    from {{ ref('industry_limit_utilisation') }} as limits
    inner join as_of_dates using (portfolio_id, as_of_date)
),

indicator_changes as (
    select exposure.portfolio_id, exposure.as_of_date, exposure.scheme, exposure.level,
        exposure.industry_code, exposure.industry_name,
        'indicator_yoy_change' as metric, exposure.business_borrowers as obligors,
        indicators.yoy_change as observed_value, indicators.value as industry_value,
        indicators.previous_value as comparison_value,
        indicators.indicator || ' ' || indicators.period as evidence_period,
        indicators.provenance,
    from exposure
    inner join {{ ref('industry_indicators') }} as indicators
        on indicators.scheme like 'NAICS%'
        and exposure.scheme like 'NAICS%'
        and indicators.industry_code = exposure.industry_code
        and indicators.year <= year(exposure.as_of_date)
        and indicators.yoy_change is not null
    where exposure.limit_exposure > 0
    qualify row_number() over (
        partition by exposure.portfolio_id, exposure.as_of_date, exposure.scheme,
            exposure.industry_code, indicators.indicator, indicators.source
        order by indicators.year desc) = 1
),

measured as (
    select * from npl
    union all
    select * from defaults
    union all
    select * from utilisation
    union all
    select * from indicator_changes
),

fired as (
    select measured.*, triggers.trigger_id, triggers.operator, triggers.threshold,
        triggers.suggested_action, triggers.rule, triggers.description,
    from measured
    inner join triggers on triggers.metric = measured.metric
    where measured.obligors >= triggers.min_obligors
      and (measured.metric = 'utilisation'
           or measured.level <= {{ var('industry_review_max_level') }})
      and case
          when measured.metric = 'utilisation'
              -- exact amounts: exposure (industry_value) against limit (comparison_value)
              then case when measured.comparison_value = 0 then measured.industry_value > 0
                        when triggers.operator = '>='
                            then measured.industry_value
                                 >= measured.comparison_value * triggers.threshold
                        else measured.industry_value
                                 <= measured.comparison_value * triggers.threshold end
          when triggers.operator = '>=' then measured.observed_value >= triggers.threshold
          when triggers.operator = '<=' then measured.observed_value <= triggers.threshold
      end
)

select
    portfolio_id,
    as_of_date,
    scheme,
    level,
    industry_code,
    industry_name,
    trigger_id,
    metric,
    rule,
    observed_value::decimal(20, 6) as observed_value,
    industry_value::decimal(20, 6) as industry_value,
    comparison_value::decimal(20, 6) as comparison_value,
    operator,
    threshold,
    obligors,
    evidence_period,
    case metric
        when 'npl_ratio_to_bank' then printf(
            'NPL ratio %.2f%% against the bank''s %.2f%%: %.2fx (trigger %s %.2fx), '
            || '%d obligors, %s',
            industry_value * 100, comparison_value * 100, observed_value, operator, threshold,
            obligors, evidence_period)
        when 'default_rate_to_bank' then printf(
            'Default rate %.2f%% in %s against the book''s %.2f%%: %.2fx (trigger %s %.2fx), '
            || '%d performing obligors at the start of the year',
            industry_value * 100, evidence_period, comparison_value * 100, observed_value,
            operator, threshold, obligors)
        when 'utilisation' then printf(
            'Exposure %s against limit %s: %.2f%% of the limit (trigger %s %.0f%%), %s',
            industry_value::decimal(20, 2)::varchar, comparison_value::decimal(20, 2)::varchar,
            observed_value * 100, operator, threshold * 100, evidence_period)
        else printf('%s: %s against %s the year before, %.2f%% (trigger %s %.0f%%)',
            evidence_period, industry_value::varchar, comparison_value::varchar,
            observed_value * 100, operator, threshold * 100)
    end as evidence,
    suggested_action,
    description,
    provenance,
from fired
