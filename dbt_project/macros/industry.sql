{#- Loans of one dated input (columns of int_industry_exposure_by_date) with what the industry
    models need: exposure (outstanding principal + undrawn commitments x var undrawn_ccf, I2),
    whether the loan counts against industry limits (borrower types in var
    industry_limit_borrower_types; individuals and banks are reported apart), the borrower's
    industry (and, with `names`, name) as delivered in the loan's batch, and the least real
    provenance. `key` is the batch column the loans and borrowers are joined on: batch_key for
    the month-end history (the build's integer for batch_id, cheaper over 22 million rows). -#}
{% macro industry_loans(dated, names=true, key='batch_id') -%}
select
    dated.portfolio_id,
    dated.as_of_date,
    dated.batch_id,
    dated.loan_id,
    dated.borrower_id,
    {%- if names %}
    borrowers.borrower_name,
    {%- endif %}
    dated.borrower_type,
    dated.currency,
    dated.outstanding_principal,
    round(dated.outstanding_principal
        + coalesce(details.undrawn_amount, 0) * {{ var('undrawn_ccf') }}, 2)::decimal(20, 2)
        as exposure,
    dated.dpd,
    dated.five_class,
    dated.class_rank,
    dated.is_npl,
    coalesce(dated.borrower_type in (
        {%- for t in var('industry_limit_borrower_types') %}'{{ t }}'{{ ", " if not loop.last }}
        {%- endfor %}), false) as counts_against_limits,
    coalesce(borrowers.industry_scheme, '') as industry_scheme,
    coalesce(borrowers.industry_code, '') as industry_code,
    greatest({{ provenance_rank('details.provenance') }},
             coalesce({{ provenance_rank('borrowers.provenance') }}, 0)) as provenance_rank,
from {{ dated }} as dated
inner join {{ ref('stg_landing__loans') }} as details
    on details.{{ key }} = dated.{{ key }} and details.loan_id = dated.loan_id
left join {{ ref('stg_landing__borrowers') }} as borrowers
    on borrowers.{{ key }} = dated.{{ key }} and borrowers.borrower_id = dated.borrower_id
{%- endmacro %}
