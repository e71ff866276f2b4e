-- Batches in force: for each portfolio and as-of date the latest delivery, when selected.
-- batch_key: a small integer standing for batch_id inside one build. The largest models join,
-- partition and sort on it instead of the 36-character batch_id: at a million loans an ASOF join
-- of the schedule with the payments takes half the time on it (docs/benchmarks.md). It is not an
-- identifier: it is renumbered by every build, so nothing outside the build should keep it.
select
    batch_id,
    dense_rank() over (order by batch_id)::integer as batch_key,
    kind as batch_kind,
    portfolio_id,
    portfolio_name,
    as_of_date,
    currency,
    provenance,
    delivered_at,
    folder,
    net_capital,
    net_tier1_capital,
    net_capital_prev_quarter,
    net_tier1_capital_prev_quarter,
    capital_provenance,
    absent_entities,
    notes,
from {{ source('landing', 'batches') }}
where batch_status = 'published'
