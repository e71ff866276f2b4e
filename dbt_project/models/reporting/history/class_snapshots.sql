-- reporting.class_snapshots: the month-end history of every loan (history.fct_loan_month_ends):
-- balance, DPD, bucket and five-level class at each month-end and delivered as-of date, and the
-- loan's closing row. The input of every migration, roll-rate, vintage and trend figure.
-- A view: it is one row per loan and month-end (23 million rows for the 1,000,000-loan
-- demonstration bank), and a copy of history.fct_loan_month_ends would cost the build its time
-- and the file its space for no gain to readers. The history keeps amounts as DECIMAL(18, 2) (fast
-- to sum); this view gives them the reporting contract's DECIMAL(20, 2).
{{ config(materialized='view') }}
select
    portfolio_id,
    as_of_date,
    loan_id,
    borrower_id,
    borrower_type,
    product,
    currency,
    branch,
    disbursement_date,
    contract_amount::decimal(20, 2) as contract_amount,
    origination_month,
    months_on_book,
    is_month_end,
    is_delivered_as_of,
    loan_status,
    outstanding_principal::decimal(20, 2) as outstanding_principal,
    overdue_principal::decimal(20, 2) as overdue_principal,
    overdue_interest::decimal(20, 2) as overdue_interest,
    dpd,
    dpd_bucket,
    five_class,
    class_rank,
    is_npl,
    class_basis,
    batch_id,
    provenance,
from {{ ref('fct_loan_month_ends') }}
