-- Grain: one row per batch and loan with any event on or before the batch's as-of date.
select
    batch_id,
    loan_id,
    min(event_date) filter (where event_type = 'write_off') as write_off_date,
    sum(amount) filter (where event_type = 'write_off') as written_off_amount,
    min(event_date) filter (where event_type = 'disposal') as disposal_date,
    count(*) filter (where event_type in ('restructuring', 'extension', 'refinancing'))
        as modification_count,
from {{ ref('stg_landing__loan_events') }}
where event_date <= as_of_date
group by all
