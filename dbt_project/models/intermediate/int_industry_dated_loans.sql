-- Grain: one row per portfolio, as-of date and loan of the dated input
-- int_industry_exposure_by_date (see macro industry_loans): the loans behind the utilisation
-- history, the trend and the migration.
{{ industry_loans(ref('int_industry_exposure_by_date')) }}
