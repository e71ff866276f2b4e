-- reporting.batch_reconciliation: per batch, where every data record of every file went.
select
    l.batch_id,
    b.portfolio_id,
    b.as_of_date,
    count(*) as files,
    sum(l.data_lines)::bigint as data_lines,
    sum(l.loaded_rows)::bigint as loaded_rows,
    sum(l.rejected_rows)::bigint as rejected_rows,
    sum(l.skipped_rows)::bigint as skipped_rows,
    bool_and(l.loaded_rows + l.rejected_rows + l.skipped_rows = l.data_lines) as reconciles,
from {{ source('landing', 'load_log') }} as l
left join {{ source('landing', 'batches') }} as b using (batch_id)
group by all
