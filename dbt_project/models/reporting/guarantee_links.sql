-- reporting.guarantee_links: the guarantee graph the circles are found in, one row per
-- portfolio, as-of date and guarantee of an outstanding loan: guarantor -> borrower.
select
    portfolio_id,
    as_of_date,
    guarantee_id,
    guarantor_id,
    borrower_id,
    loan_id,
    guaranteed_amount::decimal(20, 2) as guaranteed_amount,
    guarantee_period_end,
    loan_dpd::integer as loan_dpd,
from {{ ref('int_guarantee_edges') }}
