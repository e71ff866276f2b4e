{{ config(meta={"dagster": {"ref": {"name": "batch_reconciliation"}}}) }}
-- depends_on: {{ ref('batch_reconciliation') }}
-- The ref makes this test a child of that model, so dagster-dbt reports it as that model's
-- asset check (a test of sources only is logged as an observation, with a warning).

-- The rows of every published batch in raw, counted from the tables themselves, equal the rows
-- its files loaded plus, for a delta, the rows carried from its base. Each failing row is a
-- batch and entity where rows were lost or made twice between the loader and the tables.
{% set entities = ['borrowers', 'loans', 'repayment_schedule', 'payments', 'loan_events',
                   'collateral', 'guarantees', 'industries', 'industry_indicators',
                   'industry_limits', 'classification_overrides'] %}
with in_tables as (
    {% for e in entities %}
    select batch_id, '{{ e }}' as entity, count(*) as table_rows
    from {{ source('landing', e) }} group by all
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),
loaded as (
    select batch_id, entity, sum(loaded_rows) as loaded_rows
    from {{ source('landing', 'load_log') }} group by all
),
carried as (
    select batch_id, entity, sum(carried_rows) as carried_rows
    from {{ source('landing', 'carried') }} group by all
)
select batch_id, entity, coalesce(t.table_rows, 0) as table_rows,
       coalesce(l.loaded_rows, 0) as loaded_rows, coalesce(c.carried_rows, 0) as carried_rows
from in_tables as t
full join loaded as l using (batch_id, entity)
full join carried as c using (batch_id, entity)
where coalesce(t.table_rows, 0) <> coalesce(l.loaded_rows, 0) + coalesce(c.carried_rows, 0)
