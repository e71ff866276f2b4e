-- reporting.load_reconciliation: per batch and file, where every data record went.
select
    batch_id,
    entity,
    source_file,
    encoding,
    data_lines,
    loaded_rows,
    rejected_rows,
    skipped_rows,
    loaded_rows + rejected_rows + skipped_rows = data_lines as reconciles,
    control_rows,
    seconds as load_seconds,
    unknown_columns,
from {{ source('landing', 'load_log') }}
