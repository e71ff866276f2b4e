-- Grain: one row per portfolio, as-of date and loan on book (outstanding) on that date.
-- The one dated-exposure input of the industry history, trend, migration and growth figures
-- (industry_limit_utilisation, industry_risk): the month-end history (fct_loan_month_ends, every
-- month-end and delivered as-of date; docs/history.md). is_delivered_as_of marks a batch's own
-- as-of date (the committee's date: breaches and reviews); the other dates are replayed.
-- A view: a filtered projection of the month-end history, which a table would copy for nothing
-- (22.6 million rows at the 1,000,000-loan demonstration bank).
{{ config(materialized='view') }}
select
    portfolio_id,
    as_of_date,
    batch_id,
    batch_key,
    loan_id,
    borrower_id,
    borrower_type,
    currency,
    outstanding_principal,
    dpd,
    dpd_bucket,
    loan_status,
    five_class,
    class_rank,
    is_npl,
    is_delivered_as_of,
from {{ ref('fct_loan_month_ends') }}
where loan_status = 'outstanding'
