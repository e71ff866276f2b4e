-- Grain: one row per portfolio, as-of date and loan of the dated input
-- int_industry_exposure_by_date (see macro industry_loans): the loans behind the utilisation
-- history, the trend and the migration. Without the borrower's name: one row per loan and
-- month-end (22.6 million at the 1,000,000-loan demonstration bank) would repeat it, and the
-- masked copy would have to mask every copy; reporting.industry_limit_breaches, the one reader
-- that shows names, takes them from the borrowers of the loans it lists.
{{ industry_loans(ref('int_industry_exposure_by_date'), names=false, key='batch_key') }}
