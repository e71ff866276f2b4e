-- Grain: one row per portfolio, limit (scheme, code) and effective_from: the effective-dated
-- industry limits of the portfolio's latest batch that delivered any (each delivery carries the
-- whole dated set, so history is judged against the limits in force on each date), with the
-- date each stops applying (the next effective_from of the same limit).
with

limits as (
    select * from {{ ref('stg_landing__industry_limits') }}
),

latest as (
    select portfolio_id, batch_id from limits
    qualify dense_rank() over (
        partition by portfolio_id order by as_of_date desc, batch_id desc) = 1
)

select
    limits.portfolio_id,
    limits.batch_id as limit_batch_id,
    limits.scheme,
    limits.code as industry_code,
    limits.level,
    limits.limit_amount,
    limits.effective_from,
    lead(limits.effective_from) over (
        partition by limits.portfolio_id, limits.scheme, limits.code order by limits.effective_from
    ) as effective_to_exclusive,
    limits.provenance,
from limits
inner join latest using (portfolio_id, batch_id)
