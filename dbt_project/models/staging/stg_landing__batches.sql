-- Batches in force: for each portfolio and as-of date the latest delivery, when selected.
select
    batch_id,
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
