-- Grain: one row per delta batch of a daily build and loan whose results are copied from the
-- published warehouse (macros/reuse.sql, orchestration/postloan/reuse.py). Empty in any other
-- build.
-- A loan is reused when the delta changed none of its rows (raw.changed_loans) and no payment
-- of it falls after the base's as-of date (one carried from the base would count only now).
-- Its rows in a reusing model are then those the published build computed from the same rows
-- with the same code and rules, relabelled with this build's batch.
-- copies_history: its month-end history before the base's as-of date is copied too. That
-- history also depends on the obligor's other loans (B3.4, B7: one NPL loan lifts the others),
-- so only when no loan of its borrower is computed again, in this batch or in the base (a loan
-- the delta moved to another borrower changes both borrowers' histories).
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
),

reused as (
    select reuse.*, loans.loan_id, loans.borrower_id,
    from reuse
    inner join {{ source('landing', 'loans') }} as loans using (batch_id)
    anti join changed using (batch_id, loan_id)
),

-- Borrowers with a loan computed again, as this batch or the base names them.
recomputed_borrowers as (
    select loans.batch_id, loans.borrower_id,
    from {{ source('landing', 'loans') }} as loans
    inner join reuse using (batch_id)
    anti join reused using (batch_id, loan_id)
    union
    select reuse.batch_id, base.borrower_id,
    from {{ published_catalog() }}.raw.loans as base
    inner join reuse on base.batch_id = reuse.base_batch_id
    anti join reused on reused.batch_id = reuse.batch_id and reused.loan_id = base.loan_id
)

select
    reused.batch_id,
    reused.batch_key,
    reused.as_of_date,
    reused.base_batch_id,
    reused.base_as_of_date,
    reused.loan_id,
    recomputed_borrowers.borrower_id is null as copies_history,
from reused
left join recomputed_borrowers using (batch_id, borrower_id)
{%- else %}
select
    null::varchar as batch_id,
    null::integer as batch_key,
    null::date as as_of_date,
    null::varchar as base_batch_id,
    null::date as base_as_of_date,
    null::varchar as loan_id,
    null::boolean as copies_history,
where false
{%- endif %}
