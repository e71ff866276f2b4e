{{ config(meta={"dagster": {"ref": {"name": "migration_matrix"}}}) }}

-- K2: every row of a migration matrix sums to one, on both bases, and holds every loan that was
-- outstanding in that class at the start date (counted again here from the snapshots). Shares are
-- stored to six places, so their sum may differ from one by rounding only.
with

rows as (
    select portfolio_id, horizon, from_as_of_date, from_class,
        sum(loan_count) as loans, sum(from_balance) as balance,
        sum(count_share) as count_share_sum, sum(balance_share) as balance_share_sum,
    from {{ ref('migration_matrix') }}
    group by all
),

starts as (
    select portfolio_id, as_of_date as from_as_of_date, five_class as from_class,
        count(*) as loans, sum(outstanding_principal) as balance,
    from {{ ref('class_snapshots') }}
    where loan_status = 'outstanding'
    group by all
)

select rows.*, starts.loans as start_loans, starts.balance as start_balance,
from rows
left join starts using (portfolio_id, from_as_of_date, from_class)
where rows.loans <> coalesce(starts.loans, 0)
    or rows.balance <> coalesce(starts.balance, 0)
    or (rows.loans > 0 and abs(rows.count_share_sum - 1) > 0.00001)
    or (rows.balance > 0 and abs(rows.balance_share_sum - 1) > 0.00001)
