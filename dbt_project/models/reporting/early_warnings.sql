-- reporting.early_warnings: every early-warning signal (section J) that fired, one row per
-- portfolio, as-of date, signal and entity, with the measured value, the threshold it was
-- compared with, the severity, the action the rule requires and the first as-of date of the
-- unbroken run of as-of dates on which it has fired (first_seen). Thresholds, comparisons,
-- severities and actions come from seed early_warning_rules.
with

measures as (
    select * from {{ ref('int_early_warning_measures') }}
),

rules as (
    select * from {{ ref('early_warning_rules') }}
),

batches as (
    select distinct portfolio_id, as_of_date, batch_id,
    from {{ ref('fct_loan_snapshots') }}
),

-- J20: a regulatory ratio or a large exposure above its limit.
concentration as (
    select
        ratios.portfolio_id, ratios.as_of_date, batches.batch_id, 'J20' as signal_code,
        'ratio' as entity_type, ratios.ratio as entity_id,
        case when ratios.ratio in ('single_customer_loans', 'single_related_party_credit')
            then ratios.counterparty end as borrower_id,
        ratios.value::decimal(20, 6) as value, ratios.limit_share::decimal(20, 6) as row_threshold,
        true as also_fires, false as force_red,
        ratios.rule || coalesce(', counterparty ' || ratios.counterparty, '') as detail,
    from {{ ref('regulatory_ratios') }} as ratios
    inner join batches using (portfolio_id, as_of_date)
    where ratios.status = 'breach'
    union all by name
    select
        large.portfolio_id, large.as_of_date, batches.batch_id, 'J20' as signal_code,
        'large_exposure_' || large.counterparty_type as entity_type,
        large.counterparty_id as entity_id,
        case when large.counterparty_type = 'customer' then large.counterparty_id end
            as borrower_id,
        large.share_of_net_tier1_capital::decimal(20, 6) as value,
        large.limit_share::decimal(20, 6) as row_threshold,
        true as also_fires, false as force_red,
        'G3 large exposure / net tier-1 capital' as detail,
    from {{ ref('large_exposures') }} as large
    inner join batches using (portfolio_id, as_of_date)
    where large.status = 'breach'
    union all by name
    -- J20 also: an industry limit at amber or worse (I3 bands).
    select
        util.portfolio_id, util.as_of_date, batches.batch_id, 'J20' as signal_code,
        'industry' as entity_type, util.scheme || ' ' || util.industry_code as entity_id,
        null as borrower_id,
        util.utilisation::decimal(20, 6) as value,
        util.band_amber_from::decimal(20, 6) as row_threshold,
        true as also_fires, util.band in ('red', 'breach') as force_red,
        'I3 industry limit ' || util.band || ': ' || util.industry_name as detail,
    from {{ ref('industry_limit_utilisation') }} as util
    inner join batches using (portfolio_id, as_of_date)
    where util.band in ('amber', 'red', 'breach')
),

-- J16: the obligor's industry, at any level of either tree, is on the committee's review list
-- with a downgrade suggested (reporting.industry_reviews, suggested_action lower_grade: for
-- example the industry's NPL ratio at least twice the bank's, I4).
industry_downgrades as (
    select
        reviews.portfolio_id, reviews.as_of_date, batches.batch_id, 'J16' as signal_code,
        'obligor' as entity_type, borrowers.borrower_id as entity_id, borrowers.borrower_id,
        max(reviews.observed_value)::decimal(20, 6) as value,
        min(reviews.threshold)::decimal(20, 6) as row_threshold,
        true as also_fires, false as force_red,
        -- Sorted: the same build gives the same text (string_agg kept the order rows came in).
        array_to_string(list_sort(list(distinct reviews.scheme || ' ' || reviews.industry_code
            || ' ' || reviews.industry_name || ': ' || reviews.evidence)), '; ') as detail,
    from {{ ref('industry_reviews') }} as reviews
    inner join batches using (portfolio_id, as_of_date)
    inner join {{ ref('int_industry_nodes') }} as nodes
        on nodes.tree = reviews.scheme and nodes.node_code = reviews.industry_code
    inner join {{ ref('stg_landing__borrowers') }} as borrowers
        on borrowers.batch_id = batches.batch_id
        and coalesce(borrowers.industry_scheme, '') = nodes.industry_scheme
        and coalesce(borrowers.industry_code, '') = nodes.industry_code
    inner join (
        select distinct batch_id, borrower_id from {{ ref('int_monitoring_loans') }}
    ) as on_book
        on on_book.batch_id = borrowers.batch_id and on_book.borrower_id = borrowers.borrower_id
    where reviews.suggested_action = 'lower_grade'
    group by all
),

owners as (
    select batch_id, borrower_id,
        arg_max(branch, outstanding_principal) as branch,
        arg_max(officer, outstanding_principal) as officer,
    from {{ ref('int_monitoring_loans') }}
    group by all
),

all_measures as (
    select * from measures
    union all by name
    select concentration.*, owners.branch, owners.officer,
    from concentration
    left join owners using (batch_id, borrower_id)
    union all by name
    select industry_downgrades.*, owners.branch, owners.officer,
    from industry_downgrades
    left join owners using (batch_id, borrower_id)
),

evaluated as (
    select
        m.*,
        rules.signal,
        rules.comparison,
        rules.action,
        coalesce(m.row_threshold, rules.threshold) as threshold,
        m.also_fires
            or coalesce({{ signal_passes('m.value', 'rules.comparison',
                'coalesce(m.row_threshold, rules.threshold)') }}, false) as fired,
        case
            when m.force_red then 'red'
            when coalesce({{ signal_passes('m.value', 'rules.comparison', 'rules.red_threshold') }},
                false) then 'red'
            else rules.severity
        end as severity,
    from all_measures as m
    inner join rules using (signal_code)
    where rules.status = 'computed'
),

fired as (
    select evaluated.*, dates.as_of_index,
    from evaluated
    inner join {{ ref('int_monitoring_as_of_dates') }} as dates using (portfolio_id, as_of_date)
    where evaluated.fired
),

-- Gaps and islands: consecutive as-of dates of the portfolio on which the signal fired.
runs as (
    select
        *,
        as_of_index - row_number() over (
            partition by portfolio_id, signal_code, entity_type, entity_id order by as_of_date
        ) as run_key,
    from fired
),

final as (
    select
        portfolio_id,
        as_of_date,
        batch_id,
        signal_code,
        signal,
        entity_type,
        entity_id,
        borrower_id,
        loan_id,
        branch,
        officer,
        value,
        threshold,
        comparison,
        severity,
        min(as_of_date) over (
            partition by portfolio_id, signal_code, entity_type, entity_id, run_key
        ) as first_seen,
        action,
        detail,
    from runs
)

select * from final
