-- reporting.batches: every batch found, in force or not, with its supersession.
select
    batch_id,
    kind as batch_kind,
    portfolio_id,
    as_of_date,
    batch_status,
    status_reason,
    superseded_by,
    delivered_at,
    folder,
    provenance,
    currency,
    absent_entities,
    notes,
    delivery,
    base_batch_id,
from {{ source('landing', 'batches') }}
