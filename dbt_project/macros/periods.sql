{#- The due date that completes `periods` repayment periods counted from this installment
    (itself included): the observation (B12) and cure (B10) rules both need it. -#}
{% macro due_date_completing_periods(periods) -%}
    lead(due_date, {{ periods }} - 1) over (partition by batch_id, loan_id order by due_date)
{%- endmacro %}
