{#- Staging for one landing entity: the rows of the batches in force (published), with the
    portfolio and as-of date of their batch. Reference entities (industries, indicators) keep the
    latest delivery of each key across all published batches. -#}
{% macro stage_entity(entity, reference_key=none) -%}
with

batches as (
    select batch_id, batch_key, portfolio_id, as_of_date
    from {{ ref('stg_landing__batches') }}
),

rows_in_force as (
    select
        batches.portfolio_id,
        batches.as_of_date,
        batches.batch_key,
        entity_rows.*,
    from {{ source('landing', entity) }} as entity_rows
    inner join batches using (batch_id)
)

select * from rows_in_force
{%- if reference_key %}
qualify row_number() over (
    partition by {{ reference_key | join(', ') }}
    order by as_of_date desc, batch_id desc
) = 1
{%- endif %}
{%- endmacro %}
