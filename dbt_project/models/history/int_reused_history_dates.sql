-- Grain: one row per delta batch of a daily build and history date at which the month-end
-- history of its reused loans (int_reused_loans, copies_history) is copied from the published
-- warehouse: its history dates before the base's as-of date that the published base batch also
-- has. At the base's own as-of date the base's row was the delivered class and this batch
-- replays it, so that date and the later ones are computed. Empty in any other build.
-- depends_on: {{ ref('int_history_dates') }}
-- depends_on: {{ source('landing', 'reuse') }}
{%- set reuse = reuse_batches() %}
{%- if reuse %}
select dates.batch_key, dates.as_of_date,
from {{ ref('int_history_dates') }} as dates
inner join {{ source('landing', 'reuse') }} as reuse using (batch_id)
semi join {{ published_catalog() }}.{{ this.schema }}.int_history_dates as published
    on published.batch_id = reuse.base_batch_id and published.as_of_date = dates.as_of_date
where dates.as_of_date < reuse.base_as_of_date
{%- else %}
select null::integer as batch_key, null::date as as_of_date,
where false
{%- endif %}
