{#- Schemas are the layer names themselves (staging, marts, reporting), not <target>_<layer>,
    so analysts read `reporting.loans` whatever the target is called. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {{ custom_schema_name if custom_schema_name is not none else target.schema }}
{%- endmacro %}
