-- reporting.industry_risk: the industry indicators of I4 per portfolio, calendar year and
-- industry node (both trees, every level), business borrowers only (var
-- industry_limit_borrower_types):
-- * observed default rate of the year = obligors defaulting (a loan written off) in the year /
--   obligors performing at its start (int_industry_obligor_years), beside the same rate over the
--   whole business book and the ratio of the two;
-- * on the year's stock date (the latest date of the dated input in the year): exposure, NPL
--   ratio (NPL principal / principal) beside the bank's (every loan of the portfolio) and their
--   ratio, 关注 share, share of the business book;
-- * against the previous stock date (the latest of an earlier year): exposure growth, and the
--   downward migration rate = principal then of loans whose five-level class has moved down since
--   / (principal then - principal then of loans no longer on book) (K1, all classes pooled).
-- Only the stock dates are read: the dated loans of those dates (one a year) are selected from
-- the month-end history before its loans and borrowers are joined, not all 22.6 million loan-dates
-- of the 1,000,000-loan demonstration bank.
with

stock_dates as (
    select portfolio_id, year(as_of_date) as year, max(as_of_date) as stock_date,
    from {{ ref('int_industry_exposure_by_date') }}
    group by all
),

dated as (
    {{ industry_loans(
        "(select e.* from " ~ ref('int_industry_exposure_by_date') ~ " as e"
        ~ " semi join stock_dates on stock_dates.portfolio_id = e.portfolio_id"
        ~ " and stock_dates.stock_date = e.as_of_date)",
        names=false, key='batch_key') }}
),

nodes as (
    select * from {{ ref('int_industry_nodes') }}
),

stock_pairs as (
    select stock_dates.*,
        lag(stock_date) over (partition by portfolio_id order by year) as previous_stock_date,
    from stock_dates
),

bank_stock as (
    select stock_pairs.portfolio_id, stock_pairs.year,
        sum(dated.outstanding_principal) as bank_loans,
        coalesce(sum(dated.outstanding_principal) filter (where dated.is_npl), 0) as bank_npl,
        sum(dated.exposure) filter (where dated.counts_against_limits) as business_book,
    from stock_pairs
    inner join dated
        on dated.portfolio_id = stock_pairs.portfolio_id
        and dated.as_of_date = stock_pairs.stock_date
    group by all
),

business as (
    select dated.* exclude (industry_scheme, industry_code), nodes.tree as scheme, nodes.level,
        nodes.node_code as industry_code,
        nodes.node_name as industry_name,
    from dated
    inner join nodes using (industry_scheme, industry_code)
    where dated.counts_against_limits
),

stock as (
    select
        stock_pairs.portfolio_id, stock_pairs.year, stock_pairs.stock_date,
        stock_pairs.previous_stock_date, business.scheme, business.level, business.industry_code,
        any_value(business.industry_name) as industry_name,
        any_value(business.currency) as currency,
        sum(business.exposure) as exposure,
        sum(business.outstanding_principal) as principal,
        coalesce(sum(business.outstanding_principal) filter (where business.is_npl), 0) as npl,
        coalesce(sum(business.outstanding_principal)
                 filter (where business.five_class = 'special_mention'), 0) as special_mention,
        count(distinct business.borrower_id) as obligors,
        max(business.provenance_rank) as provenance_rank,
    from stock_pairs
    inner join business
        on business.portfolio_id = stock_pairs.portfolio_id
        and business.as_of_date = stock_pairs.stock_date
    group by all
),

previous as (
    select stock_pairs.portfolio_id, stock_pairs.year, business.scheme, business.industry_code,
        sum(business.exposure) as previous_exposure,
        sum(business.outstanding_principal) as start_principal,
        coalesce(sum(business.outstanding_principal) filter (where later.loan_id is null), 0)
            as start_reduced,
        coalesce(sum(business.outstanding_principal)
                 filter (where later.class_rank > business.class_rank), 0) as moved_down,
    from stock_pairs
    inner join business
        on business.portfolio_id = stock_pairs.portfolio_id
        and business.as_of_date = stock_pairs.previous_stock_date
    left join dated as later
        on later.portfolio_id = stock_pairs.portfolio_id
        and later.as_of_date = stock_pairs.stock_date
        and later.loan_id = business.loan_id
    group by all
),

obligor_years as (
    select obligor_years.*, borrowers.industry_scheme, borrowers.industry_code,
        borrowers.borrower_type,
    from {{ ref('int_industry_obligor_years') }} as obligor_years
    inner join {{ ref('stg_landing__borrowers') }} as borrowers using (batch_id, borrower_id)
    where borrowers.borrower_type in (
        {%- for t in var('industry_limit_borrower_types') %}'{{ t }}'{{ ", " if not loop.last }}
        {%- endfor %})
),

bank_defaults as (
    select portfolio_id, year, count(*) as bank_performing,
        count(*) filter (where defaulted) as bank_defaulted,
    from obligor_years
    group by all
),

defaults as (
    select obligor_years.portfolio_id, obligor_years.year, obligor_years.is_partial_year,
        nodes.tree as scheme, nodes.level, nodes.node_code as industry_code,
        any_value(nodes.node_name) as industry_name,
        count(*) as performing_obligors,
        count(*) filter (where obligor_years.defaulted) as defaulted_obligors,
        max(obligor_years.provenance_rank) as provenance_rank,
    from obligor_years
    inner join nodes
        on nodes.industry_scheme = coalesce(obligor_years.industry_scheme, '')
        and nodes.industry_code = coalesce(obligor_years.industry_code, '')
    group by all
),

keys as (
    select portfolio_id, year, scheme, level, industry_code, industry_name from stock
    union
    select portfolio_id, year, scheme, level, industry_code, industry_name from defaults
)

select
    keys.portfolio_id,
    keys.year,
    coalesce(defaults.is_partial_year, stock.stock_date < make_date(keys.year, 12, 31))
        as is_partial_year,
    keys.scheme,
    keys.level,
    keys.industry_code,
    keys.industry_name,
    stock.currency,
    coalesce(defaults.performing_obligors, 0) as performing_obligors,
    coalesce(defaults.defaulted_obligors, 0) as defaulted_obligors,
    round(defaults.defaulted_obligors / nullif(defaults.performing_obligors, 0), 6)
        ::decimal(12, 6) as default_rate,
    round(bank_defaults.bank_defaulted / nullif(bank_defaults.bank_performing, 0), 6)
        ::decimal(12, 6) as bank_default_rate,
    round(defaults.defaulted_obligors / nullif(defaults.performing_obligors, 0)
        / nullif(bank_defaults.bank_defaulted / nullif(bank_defaults.bank_performing, 0), 0), 6)
        ::decimal(12, 6) as default_rate_to_bank,
    stock.stock_date,
    coalesce(stock.obligors, 0) as obligors,
    stock.exposure::decimal(20, 2) as exposure,
    round(stock.npl / nullif(stock.principal, 0), 6)::decimal(12, 6) as npl_ratio,
    round(bank_stock.bank_npl / nullif(bank_stock.bank_loans, 0), 6)::decimal(12, 6)
        as bank_npl_ratio,
    round(stock.npl / nullif(stock.principal, 0)
        / nullif(bank_stock.bank_npl / nullif(bank_stock.bank_loans, 0), 0), 6)
        ::decimal(12, 6) as npl_ratio_to_bank,
    round(stock.special_mention / nullif(stock.principal, 0), 6)::decimal(12, 6)
        as special_mention_share,
    round(stock.exposure / nullif(bank_stock.business_book, 0), 6)::decimal(12, 6)
        as share_of_book,
    stock.previous_stock_date,
    round(stock.exposure / nullif(previous.previous_exposure, 0) - 1, 6)::decimal(12, 6)
        as exposure_growth,
    round(previous.moved_down / nullif(previous.start_principal - previous.start_reduced, 0), 6)
        ::decimal(12, 6) as downward_migration_rate,
    {{ provenance_of_rank('greatest(coalesce(stock.provenance_rank, 0), '
                          ~ 'coalesce(defaults.provenance_rank, 0))') }} as provenance,
from keys
left join stock using (portfolio_id, year, scheme, level, industry_code)
left join defaults using (portfolio_id, year, scheme, level, industry_code)
left join bank_stock using (portfolio_id, year)
left join bank_defaults using (portfolio_id, year)
left join previous using (portfolio_id, year, scheme, industry_code)
