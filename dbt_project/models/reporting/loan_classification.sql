-- reporting.loan_classification: the five-level class of every outstanding loan, with why.
with

classified as (
    select * from {{ ref('fct_loan_classification') }}
),

rates as (
    select five_class, reference_rate from {{ ref('provision_rates') }}
)

select
    classified.portfolio_id,
    classified.as_of_date,
    classified.loan_id,
    classified.borrower_id,
    classified.borrower_type,
    classified.product,
    classified.currency,
    classified.branch,
    classified.outstanding_principal,
    classified.dpd,
    classified.principal_dpd::integer as principal_dpd,
    classified.interest_dpd::integer as interest_dpd,
    classified.dpd_bucket,
    classified.reported_status,
    classified.judgmental_class,
    classified.override_class,
    classified.override_approved_on,
    classified.override_approver,
    classified.base_class,
    classified.rule_class,
    classified.final_class,
    classified.final_class_rank,
    classified.is_npl,
    classified.rules_fired,
    classified.technical_delay_exempt,
    classified.override_below_floor,
    classified.in_restructuring_observation,
    classified.restructuring_observation_end,
    classified.us_retail_class,
    classified.ifrs9_stage,
    classified.rule_set,
    classified.rule_set_version,
    rates.reference_rate as provision_rate,
    round(classified.outstanding_principal * rates.reference_rate, 2)::decimal(20, 2)
        as specific_provision,
    classified.bank_ecl_amount::decimal(20, 2) as bank_ecl_amount,
    classified.provenance,
    classified.batch_id,
from classified
inner join rates on rates.five_class = classified.final_class
