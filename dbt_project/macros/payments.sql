{#- The amounts paid up to and including a date, per loan: `relation` (a CTE with batch_key,
    loan_id and `date_column`) joined by ASOF to the CTE `cumulative_payments`
    (int_loan_cumulative_payments: running totals per payment date). Adds
    principal_<suffix> and interest_<suffix>, zero before the first payment. Settlement
    (paid by each due date) and the month-end history (paid by each month-end) share it. -#}
{% macro select_paid_by(relation, date_column, suffix) -%}
    select
        {{ relation }}.*,
        coalesce(cumulative_payments.principal_paid_to_date, 0) as principal_{{ suffix }},
        coalesce(cumulative_payments.interest_paid_to_date, 0) as interest_{{ suffix }},
    from {{ relation }}
    asof left join cumulative_payments
        on {{ relation }}.batch_key = cumulative_payments.batch_key
        and {{ relation }}.loan_id = cumulative_payments.loan_id
        and {{ relation }}.{{ date_column }} >= cumulative_payments.payment_date
{%- endmacro %}
