-- reporting.vintage_curves (K4): for each origination cohort (month and quarter) and months on
-- book k (calendar month-ends since the origination month), the cumulative share of the cohort
-- that has ever reached each status by k: DPD of at least each var vintage_dpd_thresholds (ever
-- 30+, ever 90+ by default) and default (NPL class or written off). Count basis: loans / cohort
-- loans; amount basis: their contract principal / cohort contract principal. Cells not yet
-- observed (the month-end at k months after the cohort's last origination month is after the
-- portfolio's latest date) are empty, not zero.
with

-- Not materialized: each reader scans the columns it needs instead of a copy of every row
-- (3.4 s -> 2.3 s at the 1,000,000-loan bank).
snapshots as not materialized (
    select * from {{ ref('class_snapshots') }}
),

loans as (
    select portfolio_id, loan_id,
        arg_max(currency, as_of_date) as currency,
        arg_max(disbursement_date, as_of_date) as disbursement_date,
        arg_max(contract_amount, as_of_date) as contract_amount,
        {%- for n in var('vintage_dpd_thresholds') %}
        min(months_on_book) filter (where dpd >= {{ n }}) as reached_dpd_{{ n }},
        {%- endfor %}
        min(months_on_book) filter (where is_npl or loan_status = 'written_off')
            as reached_default,
    from snapshots
    group by all
),

metrics as (
    {%- for n in var('vintage_dpd_thresholds') %}
    select portfolio_id, loan_id, 'ever_{{ n }}_plus' as metric, {{ n }} as dpd_threshold,
        reached_dpd_{{ n }} as reached_mob,
    from loans
    union all
    {%- endfor %}
    select portfolio_id, loan_id, 'default', null, reached_default,
    from loans
),

members as (
    select loans.*, g.cohort_granularity,
        date_trunc(g.cohort_granularity, loans.disbursement_date)::date as cohort,
    from loans
    cross join (values ('month'), ('quarter')) as g(cohort_granularity)
),

portfolio_end as (
    select portfolio_id, max(as_of_date) as last_date,
    from snapshots
    group by all
),

cohorts as (
    select members.portfolio_id, members.cohort_granularity, members.cohort,
        any_value(members.currency) as currency,
        count(*) as cohort_loans,
        sum(members.contract_amount) as cohort_principal,
        max(date_trunc('month', members.disbursement_date))::date as last_origination_month,
        date_diff('month', last_origination_month,
                  date_trunc('month', any_value(portfolio_end.last_date)))::integer
            as last_observed_mob,
    from members
    inner join portfolio_end using (portfolio_id)
    group by all
),

grid as (
    select cohorts.*, mob.months_on_book, mob.months_on_book <= cohorts.last_observed_mob
        as is_observed,
    from cohorts
    inner join (
        select portfolio_id, cohort_granularity, max(last_observed_mob) as max_mob,
        from cohorts group by all
    ) as spans using (portfolio_id, cohort_granularity),
        unnest(generate_series(0, spans.max_mob)) as mob(months_on_book)
),

measures as (
    select distinct metric, dpd_threshold from metrics
),

reached as (
    select members.portfolio_id, members.cohort_granularity, members.cohort, metrics.metric,
        metrics.reached_mob, count(*) as loans, sum(members.contract_amount) as principal,
    from members
    inner join metrics using (portfolio_id, loan_id)
    where metrics.reached_mob is not null
    group by all
),

cumulative as (
    select grid.portfolio_id, grid.cohort_granularity, grid.cohort, grid.currency,
        grid.months_on_book, grid.is_observed, grid.cohort_loans, grid.cohort_principal,
        measures.metric, measures.dpd_threshold,
        coalesce(sum(reached.loans), 0) as loans_reached,
        coalesce(sum(reached.principal), 0) as principal_reached,
    from grid
    cross join measures
    left join reached
        on reached.portfolio_id = grid.portfolio_id
        and reached.cohort_granularity = grid.cohort_granularity
        and reached.cohort = grid.cohort
        and reached.metric = measures.metric
        and reached.reached_mob <= grid.months_on_book
    group by all
)

select
    portfolio_id,
    cohort_granularity,
    cohort,
    currency,
    metric,
    dpd_threshold::integer as dpd_threshold,
    months_on_book::integer as months_on_book,
    is_observed,
    cohort_loans,
    cohort_principal::decimal(20, 2) as cohort_principal,
    case when is_observed then loans_reached end::bigint as loans_reached,
    case when is_observed then principal_reached end::decimal(20, 2) as principal_reached,
    case when is_observed then loans_reached / cohort_loans end::decimal(12, 6) as count_rate,
    case when is_observed then principal_reached / nullif(cohort_principal, 0) end
        ::decimal(12, 6) as amount_rate,
from cumulative
