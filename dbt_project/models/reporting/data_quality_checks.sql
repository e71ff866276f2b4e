-- reporting.data_quality_checks: every data-quality rule evaluated by this build. A view, so
-- that results recorded after dbt has run (the dbt tests themselves and the reporting suites
-- run just before publication) are part of the published warehouse.
{{ config(materialized='view') }}
select
    build_id,
    checked_at,
    source,
    asset,
    check_name,
    rule,
    severity,
    status,
    observed_value,
    failing_count,
    rows_checked,
    description,
    reason,
    samples,
from {{ source('quality', 'check_results') }}
