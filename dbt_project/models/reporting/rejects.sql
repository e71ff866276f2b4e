-- reporting.rejects: every quarantined cell, with the raw record it came from.
select
    batch_id,
    entity,
    source_file,
    line_number,
    column_name,
    rule,
    reason,
    raw_value,
    raw_record,
from {{ source('landing', 'rejects') }}
