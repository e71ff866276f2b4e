-- Grain: one row per portfolio, as-of date and loan of the dated input
-- int_industry_exposure_by_date (see macro industry_loans): the loans behind the utilisation
-- history, the trend and the migration. Without the borrower's name: one row per loan and
-- month-end (22.6 million at the 1,000,000-loan demonstration bank) would repeat it;
-- reporting.industry_limit_breaches, the one reader that shows names, takes them from the
-- borrowers of the loans it lists.
-- A view: each reader needs another slice of it (the utilisation every date summed by industry,
-- the breach list the delivered dates, industry_risk one date a year), and a table of all 22.6
-- million rows cost the 1,000,000-loan build 45 s to write and its masked copy 18 s more
-- (docs/benchmarks.md).
{{ config(materialized='view') }}
{{ industry_loans(ref('int_industry_exposure_by_date'), names=false, key='batch_key') }}
