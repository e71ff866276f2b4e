-- Grain: one row per delta batch of a daily build and loan whose results are copied from the
-- published warehouse (macros/reuse.sql, orchestration/postloan/reuse.py). Empty in any other
-- build.
-- A loan is reused when the delta changed none of its rows (raw.changed_loans) and no payment
-- of it falls after the base's as-of date (one carried from the base would count only now).
-- Its rows in a reusing model are then those the published build computed from the same rows
-- with the same code and rules, relabelled with this build's batch.
-- depends_on: {{ ref('stg_landing__batches') }}
-- depends_on: {{ source('landing', 'reuse') }}
-- depends_on: {{ source('landing', 'changed_loans') }}
-- depends_on: {{ source('landing', 'payments') }}
-- depends_on: {{ source('landing', 'loans') }}
{%- set reuse = reuse_batches() %}
{%- if reuse %}
with

reuse as (
    select reuse.batch_id, reuse.base_batch_id, reuse.base_as_of_date,
        batches.batch_key, batches.as_of_date,
    from {{ source('landing', 'reuse') }} as reuse
    inner join {{ ref('stg_landing__batches') }} as batches using (batch_id)
),

changed as (
    select batch_id, loan_id from {{ source('landing', 'changed_loans') }}
    union
    select payments.batch_id, payments.loan_id
    from {{ source('landing', 'payments') }} as payments
    inner join reuse using (batch_id)
    where payments.payment_date > reuse.base_as_of_date
)

select
    reuse.batch_id,
    reuse.batch_key,
    reuse.as_of_date,
    reuse.base_batch_id,
    loans.loan_id,
from reuse
inner join {{ source('landing', 'loans') }} as loans using (batch_id)
anti join changed using (batch_id, loan_id)
{%- else %}
select
    null::varchar as batch_id,
    null::integer as batch_key,
    null::date as as_of_date,
    null::varchar as base_batch_id,
    null::varchar as loan_id,
where false
{%- endif %}
