-- Grain: one row per portfolio, as-of date and loan on book (outstanding) on that date.
-- The ONE dated-exposure input of the industry history, trend, migration and growth figures
-- (industry_limit_utilisation, industry_risk). Today it reads the published snapshots: one
-- as-of date per batch. When the month-end history fct_loan_month_ends exists, this file alone
-- switches to it (same columns: portfolio_id, as_of_date, batch_id, loan_id, borrower_id,
-- borrower_type, currency, outstanding_principal, dpd, dpd_bucket, loan_status, five_class,
-- class_rank, is_npl), and every downstream figure gains the month-ends.
select
    classified.portfolio_id,
    classified.as_of_date,
    classified.batch_id,
    classified.loan_id,
    classified.borrower_id,
    classified.borrower_type,
    classified.currency,
    classified.outstanding_principal,
    classified.dpd,
    classified.dpd_bucket,
    'outstanding' as loan_status,
    classified.final_class as five_class,
    classified.final_class_rank as class_rank,
    classified.is_npl,
from {{ ref('fct_loan_classification') }} as classified
