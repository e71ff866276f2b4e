{#- Provenance ranks: a figure is only as real as its least real input. -#}
{% macro provenance_rank(expr) -%}
    case {{ expr }} when 'real' then 0 when 'derived' then 1 when 'synthetic' then 2 end
{%- endmacro %}

{% macro provenance_of_rank(expr) -%}
    case {{ expr }} when 0 then 'real' when 1 then 'derived' when 2 then 'synthetic' end
{%- endmacro %}
