-- Grain: one row per borrower industry (scheme, code as delivered on borrowers), tree and node:
-- every node of the GB/T 4754 tree and of the NAICS tree that an industry code rolls up to.
-- * GB/T 4754 codes walk up the delivered tree (门类 0, 大类 1, 中类 2, 小类 3).
-- * NAICS codes (any vintage) roll up by prefix, 2 to 6 digits = levels 0 to 4; a two-digit
--   sector inside a range (31-33, 44-45, 48-49) is filed under the range. Names come from the
--   delivered NAICS tree where the code exists there.
-- * NAICS codes are also filed under GB/T 4754 through the seed naics_gbt4754_crosswalk (rule
--   in postloan/industry_crosswalk.py): the 大类 (level 1) and its 门类 (level 0) only.
-- * A code that reaches no GB/T node is filed under GB/T node '(unmapped)', a borrower without
--   industry under '(none)', both at level 0, so that level 0 always adds up to the book.
-- mapping: gbt (own GB/T code), crosswalk (NAICS mapped), unmapped, no_industry.
with recursive

codes as (
    select distinct
        coalesce(industry_scheme, '') as industry_scheme,
        coalesce(industry_code, '') as industry_code,
    from {{ ref('stg_landing__borrowers') }}
),

tree as (
    select scheme, code, parent_code, level, name from {{ ref('stg_landing__industries') }}
),

gbt_tree as (
    select * from tree where scheme = 'GB/T 4754-2017'
),

ancestors (code, ancestor, level) as (
    select code, code, level from gbt_tree
    union all
    select ancestors.code, gbt_tree.parent_code, gbt_tree.level - 1
    from ancestors
    inner join gbt_tree on gbt_tree.code = ancestors.ancestor
    where gbt_tree.parent_code is not null and gbt_tree.parent_code <> ''
),

crosswalk as (
    select naics_scheme, naics_code, gbt_division from {{ ref('naics_gbt4754_crosswalk') }}
),

naics_ranges as (
    -- Two-digit sectors that the delivered NAICS tree files under a range (31 -> 31-33).
    select distinct left(code, 2) as sector, parent_code as range_code,
    from tree
    where scheme like 'NAICS%' and length(code) = 3 and parent_code like '%-%'
),

gbt_own as (
    select codes.*, 'GB/T 4754-2017' as tree, ancestors.level, ancestors.ancestor as node,
        'gbt' as mapping,
    from codes
    inner join ancestors on ancestors.code = codes.industry_code
    where codes.industry_scheme = 'GB/T 4754-2017'
),

gbt_mapped as (
    select codes.*, 'GB/T 4754-2017' as tree, ancestors.level, ancestors.ancestor as node,
        'crosswalk' as mapping,
    from codes
    inner join crosswalk
        on crosswalk.naics_scheme = codes.industry_scheme
        and crosswalk.naics_code = codes.industry_code
    inner join ancestors on ancestors.code = crosswalk.gbt_division
),

naics_levels as (
    select unnest(range(0, 5)) as level
),

naics_own as (
    select codes.*, codes.industry_scheme as tree, naics_levels.level,
        case when naics_levels.level = 0 then coalesce(naics_ranges.range_code,
                                                        left(codes.industry_code, 2))
            else left(codes.industry_code, naics_levels.level + 2) end as node,
        'naics' as mapping,
    from codes
    cross join naics_levels
    left join naics_ranges on naics_ranges.sector = left(codes.industry_code, 2)
    where codes.industry_scheme like 'NAICS%'
      and length(codes.industry_code) >= naics_levels.level + 2
),

gbt_missing as (
    select codes.*, 'GB/T 4754-2017' as tree, 0 as level,
        case when codes.industry_code = '' then '(none)' else '(unmapped)' end as node,
        case when codes.industry_code = '' then 'no_industry' else 'unmapped' end as mapping,
    from codes
    where not exists (select 1 from gbt_own where gbt_own.industry_scheme = codes.industry_scheme
                                                and gbt_own.industry_code = codes.industry_code)
      and not exists (select 1 from gbt_mapped
                      where gbt_mapped.industry_scheme = codes.industry_scheme
                        and gbt_mapped.industry_code = codes.industry_code)
),

nodes as (
    select * from gbt_own
    union all
    select * from gbt_mapped
    union all
    select * from naics_own
    union all
    select * from gbt_missing
)

select
    nodes.industry_scheme,
    nodes.industry_code,
    nodes.tree,
    nodes.level::integer as level,
    nodes.node as node_code,
    coalesce(names.name, case nodes.node when '(none)' then '(none)'
                                        when '(unmapped)' then '(unmapped)' end) as node_name,
    nodes.mapping,
from nodes
left join tree as names
    on names.code = nodes.node
    and (names.scheme = nodes.tree
         or (nodes.tree like 'NAICS%' and names.scheme like 'NAICS%'))
qualify row_number() over (
    partition by nodes.industry_scheme, nodes.industry_code, nodes.tree, nodes.level
    order by names.scheme = nodes.tree desc, names.scheme desc
) = 1
