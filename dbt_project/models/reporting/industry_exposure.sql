-- reporting.industry_exposure: outstanding exposure (loans + undrawn x CCF, I2) per portfolio,
-- as-of date, industry tree (GB/T 4754-2017, or the NAICS vintage the borrowers carry), level
-- and node, from the published snapshot of each date. Loans to business borrowers (var
-- industry_limit_borrower_types) count against industry limits; individuals and other types are
-- reported apart. NPL ratio and 关注 share are of outstanding principal (NPL balance / loans)
-- of the industry's business loans; the bank's NPL ratio is over every loan of the portfolio
-- (as reporting.portfolio_quality). Level 0 of the GB/T tree adds up to the book (with the
-- '(unmapped)' and '(none)' nodes).
with

loans as (
    select * from {{ ref('int_industry_loans') }}
),

nodes as (
    select * from {{ ref('int_industry_nodes') }}
),

book as (
    select portfolio_id, as_of_date,
        sum(exposure) filter (where counts_against_limits) as business_book,
        sum(outstanding_principal) as bank_loans,
        sum(outstanding_principal) filter (where is_npl) as bank_npl,
    from loans
    group by all
),

batches as (
    select portfolio_id, as_of_date, currency from {{ ref('stg_landing__batches') }}
),

per_node as (
    select
        loans.portfolio_id,
        loans.as_of_date,
        nodes.tree as scheme,
        nodes.level,
        nodes.node_code as industry_code,
        any_value(nodes.node_name) as industry_name,
        coalesce(sum(loans.exposure) filter (where loans.counts_against_limits), 0)
            as limit_exposure,
        coalesce(sum(loans.exposure) filter (where loans.borrower_type = 'retail'), 0)
            as individual_exposure,
        coalesce(sum(loans.exposure) filter (
            where not loans.counts_against_limits and loans.borrower_type <> 'retail'), 0)
            as other_exposure,
        count(*) filter (where loans.counts_against_limits) as business_loans,
        count(distinct loans.borrower_id) filter (where loans.counts_against_limits)
            as business_borrowers,
        count(*) filter (where not loans.counts_against_limits) as other_loans,
        coalesce(sum(loans.outstanding_principal) filter (where loans.counts_against_limits), 0)
            as business_loans_principal,
        coalesce(sum(loans.outstanding_principal) filter (
            where loans.counts_against_limits and loans.is_npl), 0) as npl_principal,
        coalesce(sum(loans.outstanding_principal) filter (
            where loans.counts_against_limits and loans.five_class = 'special_mention'), 0)
            as special_mention_principal,
        string_agg(distinct nodes.mapping, ', ' order by nodes.mapping) as mapping,
        max(loans.provenance_rank) as provenance_rank,
    from loans
    inner join nodes using (industry_scheme, industry_code)
    group by all
)

select
    per_node.portfolio_id,
    per_node.as_of_date,
    batches.currency,
    per_node.scheme,
    per_node.level,
    per_node.industry_code,
    per_node.industry_name,
    per_node.limit_exposure::decimal(20, 2) as limit_exposure,
    per_node.individual_exposure::decimal(20, 2) as individual_exposure,
    per_node.other_exposure::decimal(20, 2) as other_exposure,
    per_node.business_loans,
    per_node.business_borrowers,
    per_node.other_loans,
    per_node.business_loans_principal::decimal(20, 2) as outstanding_principal,
    per_node.npl_principal::decimal(20, 2) as npl_principal,
    per_node.special_mention_principal::decimal(20, 2) as special_mention_principal,
    round(per_node.npl_principal / nullif(per_node.business_loans_principal, 0), 6)
        ::decimal(12, 6) as npl_ratio,
    round(coalesce(book.bank_npl, 0) / nullif(book.bank_loans, 0), 6)::decimal(12, 6)
        as bank_npl_ratio,
    round(per_node.npl_principal / nullif(per_node.business_loans_principal, 0)
        / nullif(coalesce(book.bank_npl, 0) / nullif(book.bank_loans, 0), 0), 6)
        ::decimal(12, 6) as npl_ratio_to_bank,
    round(per_node.special_mention_principal / nullif(per_node.business_loans_principal, 0), 6)
        ::decimal(12, 6) as special_mention_share,
    round(per_node.limit_exposure / nullif(book.business_book, 0), 6)::decimal(12, 6)
        as share_of_book,
    per_node.mapping,
    {{ provenance_of_rank('per_node.provenance_rank') }} as provenance,
from per_node
inner join book using (portfolio_id, as_of_date)
left join batches using (portfolio_id, as_of_date)
