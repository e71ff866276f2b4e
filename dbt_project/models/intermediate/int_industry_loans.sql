-- Grain: one row per portfolio, as-of date and outstanding loan, as published in the batch of
-- that date (current-date exposure for reporting.industry_exposure): see macro industry_loans.
with

current_loans as (
    select
        portfolio_id, as_of_date, batch_id, loan_id, borrower_id, borrower_type, currency,
        outstanding_principal, dpd, final_class as five_class, final_class_rank as class_rank,
        is_npl,
    from {{ ref('fct_loan_classification') }}
)

{{ industry_loans('current_loans') }}
