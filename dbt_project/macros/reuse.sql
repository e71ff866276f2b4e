{#- A daily build reuses the published results of the loans its delta did not change
    (orchestration/postloan/reuse.py; docs/operations.md, "Daily builds"). The orchestration
    records in raw.reuse when that is safe; these macros attach the published warehouse
    read-only and let a model copy its rows for the other loans. In every other build raw.reuse
    is empty and the models compute every loan, with the same SQL as before. -#}

{#- The published warehouse's catalog while a build reuses it. -#}
{% macro published_catalog() %}postloan_published{% endmacro %}

{#- The reuse rows of this build: (batch_id, base_batch_id, base_as_of_date, published_path);
    none outside execution (parse, compile without a database) or when raw.reuse is empty. -#}
{% macro reuse_batches() %}
    {%- if not execute %}{{ return([]) }}{% endif %}
    {%- set exists = run_query("select count(*) from information_schema.tables where "
        ~ "table_catalog = current_database() and table_schema = 'raw' "
        ~ "and table_name = 'reuse'") %}
    {%- if exists.rows[0][0] == 0 %}{{ return([]) }}{% endif %}
    {%- set found = run_query("select batch_id, base_batch_id, base_as_of_date, published_path "
        ~ "from raw.reuse order by batch_id") %}
    {{ return(found.rows) }}
{% endmacro %}

{#- on-run-start: attach the published warehouse when this build reuses it. -#}
{% macro attach_published_for_reuse() %}
    {%- set reuse = reuse_batches() %}
    {%- if reuse %}
        {%- do run_query("attach if not exists '" ~ (reuse[0][3] | replace("'", "''"))
            ~ "' as " ~ published_catalog() ~ " (read_only)") %}
    {%- endif %}
{% endmacro %}

{#- The published rows of this model for the loans of int_reused_loans, relabelled with this
    build's batch: `relabel` lists the batch columns the model has (batch_id, batch_key,
    as_of_date); the published rows name the base batch by its batch_id. With `history`, only
    the reused loans whose history is copied, at the dates int_reused_history_dates lists. -#}
{% macro published_rows(relabel, history=false) -%}
    select published.* replace (
        {%- for column in relabel %}
        reused.{{ column }} as {{ column }}{{ "," if not loop.last }}
        {%- endfor %}
    )
    from {{ published_catalog() }}.{{ this.schema }}.{{ this.identifier }} as published
    inner join {{ ref('int_reused_loans') }} as reused
        on published.batch_id = reused.base_batch_id
        and published.loan_id = reused.loan_id
    {%- if history %}
        and reused.copies_history
    inner join {{ ref('int_reused_history_dates') }} as copied
        on copied.batch_key = reused.batch_key
        and copied.as_of_date = published.as_of_date
    {%- endif %}
{%- endmacro %}
