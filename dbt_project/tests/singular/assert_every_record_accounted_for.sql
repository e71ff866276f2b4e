{{ config(meta={"dagster": {"ref": {"name": "load_reconciliation"}}}) }}
-- depends_on: {{ ref('load_reconciliation') }}
-- The ref makes this test a child of that model, so dagster-dbt reports it as that model's
-- asset check (a test of sources only is logged as an observation, with a warning).

-- Every data record of every loaded file is loaded, rejected or skipped, exactly once:
-- loaded + rejected + skipped = data lines counted by the reader. Each failing row is a file
-- where records were lost or double counted.
select batch_id, entity, source_file, data_lines, loaded_rows, rejected_rows, skipped_rows
from {{ source('landing', 'load_log') }}
where loaded_rows + rejected_rows + skipped_rows <> data_lines
