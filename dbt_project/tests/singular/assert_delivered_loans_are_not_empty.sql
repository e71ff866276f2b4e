{{ config(meta={"dagster": {"ref": {"name": "stg_landing__loans"}}}) }}

-- A portfolio batch in force that did not declare its loans absent must have loaded loans:
-- an empty loans table is a failed delivery, not a clean one. Each failing row is such a batch.
select batches.batch_id, batches.portfolio_id, batches.as_of_date
from {{ ref('stg_landing__batches') }} as batches
left join {{ ref('stg_landing__loans') }} as loans using (batch_id)
where batches.batch_kind = 'portfolio'
  and json_extract_string(batches.absent_entities, '$.loans') is null
group by all
having count(loans.loan_id) = 0
