{#- True when `value` passes `threshold` under the rule's comparison code (ge, gt, le, lt) of
    seed early_warning_rules; null when either side is null. -#}
{% macro signal_passes(value, comparison, threshold) -%}
    case {{ comparison }}
        when 'ge' then {{ value }} >= {{ threshold }}
        when 'gt' then {{ value }} > {{ threshold }}
        when 'le' then {{ value }} <= {{ threshold }}
        when 'lt' then {{ value }} < {{ threshold }}
    end
{%- endmacro %}
