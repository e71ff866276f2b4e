-- reporting.large_exposures: every customer and connected group whose exposure exceeds
-- var large_exposure_threshold (2.5%) of net tier-1 capital (G3), with its limit and status. The
-- Basel framework (G6: at or above 10% of tier 1, limit 25%) is the same table with vars
-- large_exposure_threshold=0.10, large_exposure_at_threshold=true,
-- limit_large_exposure_single=0.25.
with

obligors as (
    select * from {{ ref('int_obligor_exposures') }}
),

counterparties as (
    select batch_id, 'customer' as counterparty_type, borrower_id as counterparty_id, exposure,
        case when is_bank then {{ var('limit_large_exposure_interbank') }}
            else {{ var('limit_large_exposure_single') }} end as limit_share
    from obligors
    union all
    select batch_id, 'group', group_key, sum(exposure),
        case when bool_or(is_bank) then {{ var('limit_large_exposure_interbank') }}
            else {{ var('limit_large_exposure_group') }} end
    from obligors
    group by batch_id, group_key
),

batches as (
    select batch_id, portfolio_id, as_of_date, currency, net_tier1_capital,
    from {{ ref('stg_landing__batches') }}
    where batch_kind = 'portfolio' and net_tier1_capital > 0
)

select
    batches.portfolio_id,
    batches.as_of_date,
    batches.currency,
    counterparties.counterparty_type,
    counterparties.counterparty_id,
    counterparties.exposure::decimal(20, 2) as exposure,
    (counterparties.exposure / batches.net_tier1_capital)::decimal(12, 6)
        as share_of_net_tier1_capital,
    counterparties.limit_share::decimal(12, 6) as limit_share,
    case
        when counterparties.exposure > counterparties.limit_share * batches.net_tier1_capital
            then 'breach'
        when counterparties.exposure >= {{ var('concentration_warning_share') }}
            * counterparties.limit_share * batches.net_tier1_capital then 'warning'
        else 'within'
    end as status,
from counterparties
inner join batches using (batch_id)
where counterparties.exposure
    {{ '>=' if var('large_exposure_at_threshold') else '>' }}
    {{ var('large_exposure_threshold') }} * batches.net_tier1_capital
