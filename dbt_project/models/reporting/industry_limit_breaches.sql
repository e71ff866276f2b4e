-- reporting.industry_limit_breaches: the loans and borrowers that drive each limit in the
-- breach band (I3) on each delivered as-of date of reporting.industry_limit_utilisation (the
-- committee's list; the replayed month-ends between deliveries feed the utilisation history and
-- the trend, not this list): every business loan under the breached node, largest exposure
-- first, with its share of the node's exposure and the amount by which the node exceeds its
-- limit (excess = exposure - limit).
with

breached as (
    select * from {{ ref('industry_limit_utilisation') }}
    where band = 'breach' and is_delivered_as_of
),

dated as (
    select * from {{ ref('int_industry_dated_loans') }} where counts_against_limits
),

nodes as (
    select * from {{ ref('int_industry_nodes') }}
)

select
    breached.portfolio_id,
    breached.as_of_date,
    breached.currency,
    breached.scheme,
    breached.industry_code,
    breached.industry_name,
    breached.limit_amount,
    breached.exposure as industry_exposure,
    (breached.exposure - breached.limit_amount)::decimal(20, 2) as excess,
    row_number() over (
        partition by breached.portfolio_id, breached.as_of_date, breached.scheme,
            breached.industry_code
        order by dated.exposure desc, dated.loan_id
    ) as rank_in_industry,
    dated.loan_id,
    dated.batch_id,
    dated.borrower_id,
    borrowers.borrower_name,
    dated.borrower_type,
    dated.industry_scheme as borrower_industry_scheme,
    dated.industry_code as borrower_industry_code,
    dated.exposure,
    round(dated.exposure / nullif(breached.exposure, 0), 6)::decimal(12, 6)
        as share_of_industry_exposure,
    dated.five_class,
    dated.dpd,
    {{ provenance_of_rank("greatest(dated.provenance_rank, "
                          ~ provenance_rank('breached.provenance') ~ ")") }} as provenance,
from breached
inner join nodes
    on nodes.tree = breached.scheme and nodes.node_code = breached.industry_code
inner join dated
    on dated.portfolio_id = breached.portfolio_id
    and dated.as_of_date = breached.as_of_date
    and dated.industry_scheme = nodes.industry_scheme
    and dated.industry_code = nodes.industry_code
left join {{ ref('stg_landing__borrowers') }} as borrowers
    on borrowers.batch_id = dated.batch_id and borrowers.borrower_id = dated.borrower_id
