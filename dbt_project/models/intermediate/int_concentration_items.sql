-- Grain: one row per batch, dimension, level and item (an obligor, group, region, product,
-- branch, or industry at one level of its tree) with its exposure: outstanding principal plus
-- undrawn commitments x var undrawn_ccf, of outstanding loans.
-- Industries: NAICS codes roll up by prefix (2 to 6 digits = levels 0 to 4); other schemes walk
-- up the delivered tree (GB/T 4754: 门类 0, 大类 1, 中类 2, 小类 3).
with recursive

loans as (
    select
        snapshots.batch_id,
        snapshots.portfolio_id,
        snapshots.as_of_date,
        snapshots.borrower_id,
        coalesce(snapshots.group_id, snapshots.borrower_id) as group_key,
        snapshots.region,
        snapshots.product,
        snapshots.branch,
        borrowers.industry_scheme,
        borrowers.industry_code,
        round(snapshots.outstanding_principal
            + coalesce(details.undrawn_amount, 0) * {{ var('undrawn_ccf') }}, 2)::decimal(20, 2)
            as exposure,
    from {{ ref('fct_loan_snapshots') }} as snapshots
    inner join {{ ref('stg_landing__loans') }} as details
        on details.batch_id = snapshots.batch_id and details.loan_id = snapshots.loan_id
    left join {{ ref('stg_landing__borrowers') }} as borrowers
        on borrowers.batch_id = snapshots.batch_id
        and borrowers.borrower_id = snapshots.borrower_id
    where snapshots.loan_status = 'outstanding'
),

tree as (
    select scheme, code, parent_code, level from {{ ref('stg_landing__industries') }}
),

ancestors (scheme, code, ancestor, level) as (
    select scheme, code, code, level from tree
    union all
    select ancestors.scheme, ancestors.code, tree.parent_code, tree.level - 1
    from ancestors
    inner join tree on tree.scheme = ancestors.scheme and tree.code = ancestors.ancestor
    where tree.parent_code is not null
),

naics_levels as (
    select unnest(range(0, 5)) as level
),

industry_items as (
    -- NAICS: by prefix.
    select loans.*, naics_levels.level,
        loans.industry_scheme || ' ' || left(loans.industry_code, naics_levels.level + 2) as item,
    from loans
    cross join naics_levels
    where loans.industry_scheme like 'NAICS%'
      and length(loans.industry_code) >= naics_levels.level + 2
    union all
    -- Other schemes: the delivered tree.
    select loans.*, ancestors.level, loans.industry_scheme || ' ' || ancestors.ancestor,
    from loans
    inner join ancestors
        on ancestors.scheme = loans.industry_scheme and ancestors.code = loans.industry_code
    where loans.industry_scheme not like 'NAICS%'
),

items as (
    select batch_id, portfolio_id, as_of_date, 'obligor' as dimension, 0 as level,
        borrower_id as item, exposure
    from loans
    union all
    select batch_id, portfolio_id, as_of_date, 'group', 0, group_key, exposure from loans
    union all
    select batch_id, portfolio_id, as_of_date, 'region', 0, coalesce(region, '(none)'), exposure
    from loans
    union all
    select batch_id, portfolio_id, as_of_date, 'product', 0, product, exposure from loans
    union all
    select batch_id, portfolio_id, as_of_date, 'branch', 0, coalesce(branch, '(none)'), exposure
    from loans
    union all
    select batch_id, portfolio_id, as_of_date, 'industry', level, item, exposure
    from industry_items
)

select batch_id, portfolio_id, as_of_date, dimension, level, item, sum(exposure) as exposure,
from items
group by all
having sum(exposure) > 0
