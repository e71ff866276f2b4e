-- reporting.batch_reconciliation: per batch, where every data record of every file went, and
-- for a delta the rows carried from its base.
with carried as (
    select batch_id, sum(carried_rows)::bigint as carried_rows,
           sum(replaced_rows)::bigint as replaced_rows
    from {{ source('landing', 'carried') }}
    group by all
)
select
    l.batch_id,
    b.portfolio_id,
    b.as_of_date,
    b.delivery,
    b.base_batch_id,
    count(*) as files,
    sum(l.data_lines)::bigint as data_lines,
    sum(l.loaded_rows)::bigint as loaded_rows,
    sum(l.rejected_rows)::bigint as rejected_rows,
    sum(l.skipped_rows)::bigint as skipped_rows,
    coalesce(any_value(c.carried_rows), 0)::bigint as carried_rows,
    coalesce(any_value(c.replaced_rows), 0)::bigint as replaced_rows,
    bool_and(l.loaded_rows + l.rejected_rows + l.skipped_rows = l.data_lines) as reconciles,
from {{ source('landing', 'load_log') }} as l
left join {{ source('landing', 'batches') }} as b using (batch_id)
left join carried as c using (batch_id)
group by l.batch_id, b.portfolio_id, b.as_of_date, b.delivery, b.base_batch_id
