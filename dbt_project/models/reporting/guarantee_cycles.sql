-- reporting.guarantee_cycles: the guarantee circles (担保圈, J13) of each portfolio and as-of
-- date, one row per circle and member obligor, with the guarantees each member gives and
-- receives inside the circle and the circle's outstanding balance.
with

circles as (
    select * from {{ ref('fct_guarantee_cycles') }}
),

balances as (
    select batch_id, borrower_id, sum(outstanding_principal) as outstanding_principal,
    from {{ ref('int_monitoring_loans') }}
    group by all
),

final as (
    select
        circles.portfolio_id::varchar as portfolio_id,
        circles.as_of_date::date as as_of_date,
        circles.batch_id::varchar as batch_id,
        circles.cycle_id::varchar as cycle_id,
        circles.cycle_size::integer as cycle_size,
        circles.borrower_id::varchar as borrower_id,
        circles.guarantees_given::varchar as guarantees_given,
        circles.guarantees_received::varchar as guarantees_received,
        circles.cycle_edges::varchar as cycle_edges,
        coalesce(balances.outstanding_principal, 0)::decimal(20, 2) as outstanding_principal,
    from circles
    left join balances
        on balances.batch_id = circles.batch_id::varchar
        and balances.borrower_id = circles.borrower_id::varchar
)

select * from final
