-- reporting.builds: the build history as of this build (the run log), this build included.
{{ config(materialized='view') }}
select
    build_id,
    try_cast(started_at as timestamptz) as started_at,
    try_cast(finished_at as timestamptz) as finished_at,
    status as build_status,
    published,
    failed_step,
    reason,
from {{ source('quality', 'builds') }}
