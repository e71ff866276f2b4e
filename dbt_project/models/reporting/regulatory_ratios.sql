-- reporting.regulatory_ratios: the concentration ratios of section G per portfolio and as-of date,
-- each with the numerator it uses (loans, credit or exposure), its own denominator (G7), limit,
-- headroom and status: within; warning from var concentration_warning_share of the limit; breach
-- above the limit (exactly at the limit is within). No capital delivered: no_denominator. The
-- real-estate caps (G5) are over RMB loans: a book without RMB loans has no denominator.
with

obligors as (
    select * from {{ ref('int_obligor_exposures') }}
),

groups as (
    -- Non-bank connected groups; interbank exposures have their own limit.
    select batch_id, group_key, sum(credit) as credit, sum(exposure) as exposure,
    from obligors
    where not is_bank
    group by all
),

related_groups as (
    select batch_id, group_key, sum(credit) as credit,
    from obligors
    where is_related_party
    group by all
),

interbank as (
    select batch_id, group_key, sum(exposure) as exposure,
    from obligors
    where is_bank
    group by all
),

batches as (
    select * from {{ ref('stg_landing__batches') }}
    where batch_kind = 'portfolio'
),

real_estate as (
    select
        snapshots.batch_id,
        sum(snapshots.outstanding_principal) filter (where snapshots.currency = 'CNY')
            as rmb_loans,
        sum(snapshots.outstanding_principal) filter (
            where snapshots.currency = 'CNY'
              and snapshots.borrower_type = 'retail' and snapshots.guarantee_type = 'mortgage'
        ) as personal_mortgages,
        sum(snapshots.outstanding_principal) filter (
            where snapshots.currency = 'CNY' and (
                (borrowers.industry_scheme like 'GB/T 4754%' and borrowers.industry_code like '70%')
                or (borrowers.industry_scheme like 'NAICS%' and borrowers.industry_code like '531%')
                or (snapshots.borrower_type = 'retail' and snapshots.guarantee_type = 'mortgage'))
        ) as real_estate_loans,
    from {{ ref('fct_loan_snapshots') }} as snapshots
    left join {{ ref('stg_landing__borrowers') }} as borrowers
        on borrowers.batch_id = snapshots.batch_id
        and borrowers.borrower_id = snapshots.borrower_id
    where snapshots.loan_status = 'outstanding'
    group by all
),

caps as (
    select real_estate_cap, mortgage_cap from {{ ref('real_estate_caps') }}
    where bank_tier = {{ var('bank_tier') }}
),

largest as (
    select
        batches.batch_id,
        (select max(loans) from obligors o where o.batch_id = batches.batch_id)
            as largest_customer_loans,
        (select arg_max(borrower_id, loans) from obligors o where o.batch_id = batches.batch_id)
            as largest_customer,
        (select max(credit) from groups g where g.batch_id = batches.batch_id)
            as largest_group_credit,
        (select arg_max(group_key, credit) from groups g where g.batch_id = batches.batch_id)
            as largest_group,
        (select sum(loans) from (
            select loans from obligors o where o.batch_id = batches.batch_id
            order by loans desc limit 10)) as top_ten_loans,
        (select max(credit) from obligors o
         where o.batch_id = batches.batch_id and o.is_related_party) as largest_related_credit,
        (select arg_max(borrower_id, credit) from obligors o
         where o.batch_id = batches.batch_id and o.is_related_party) as largest_related,
        (select sum(credit) from obligors o
         where o.batch_id = batches.batch_id and o.is_related_party) as related_credit,
        (select max(exposure) from obligors o
         where o.batch_id = batches.batch_id and not o.is_bank) as largest_exposure,
        (select arg_max(borrower_id, exposure) from obligors o
         where o.batch_id = batches.batch_id and not o.is_bank) as largest_exposure_customer,
        (select max(credit) from related_groups r where r.batch_id = batches.batch_id)
            as largest_related_group_credit,
        (select arg_max(group_key, credit) from related_groups r
         where r.batch_id = batches.batch_id) as largest_related_group,
        (select max(exposure) from interbank i where i.batch_id = batches.batch_id)
            as largest_interbank_exposure,
        (select arg_max(group_key, exposure) from interbank i
         where i.batch_id = batches.batch_id) as largest_interbank,
        (select max(exposure) from groups g where g.batch_id = batches.batch_id)
            as largest_group_exposure,
        (select arg_max(group_key, exposure) from groups g where g.batch_id = batches.batch_id)
            as largest_exposure_group,
    from batches
),

ratios as (
    select b.portfolio_id, b.as_of_date, b.currency,
        'single_customer_loans' as ratio, 'loans' as numerator_basis,
        'net_capital' as denominator_basis, l.largest_customer as counterparty,
        l.largest_customer_loans as numerator, b.net_capital as denominator,
        {{ var('limit_single_customer_loans') }} as limit_share, 'G2' as rule
    from batches b join largest l using (batch_id)
    union all
    select b.portfolio_id, b.as_of_date, b.currency, 'single_group_credit', 'credit',
        'net_capital', l.largest_group, l.largest_group_credit, b.net_capital,
        {{ var('limit_single_group_credit') }}, 'G2'
    from batches b join largest l using (batch_id)
    union all
    select b.portfolio_id, b.as_of_date, b.currency, 'top_ten_customers_loans', 'loans',
        'net_capital', null, l.top_ten_loans, b.net_capital, null, 'G2'
    from batches b join largest l using (batch_id)
    union all
    select b.portfolio_id, b.as_of_date, b.currency, 'single_related_party_credit', 'credit',
        'net_capital_prev_quarter', l.largest_related, coalesce(l.largest_related_credit, 0),
        b.net_capital_prev_quarter, {{ var('limit_single_related_party') }}, 'G4'
    from batches b join largest l using (batch_id)
    union all
    select b.portfolio_id, b.as_of_date, b.currency, 'related_group_credit', 'credit',
        'net_capital_prev_quarter', l.largest_related_group,
        coalesce(l.largest_related_group_credit, 0), b.net_capital_prev_quarter,
        {{ var('limit_related_group') }}, 'G4'
    from batches b join largest l using (batch_id)
    union all
    select b.portfolio_id, b.as_of_date, b.currency, 'all_related_parties_credit', 'credit',
        'net_capital_prev_quarter', null, coalesce(l.related_credit, 0),
        b.net_capital_prev_quarter, {{ var('limit_all_related_parties') }}, 'G4'
    from batches b join largest l using (batch_id)
    union all
    select b.portfolio_id, b.as_of_date, b.currency, 'large_exposure_single', 'exposure',
        'net_tier1_capital', l.largest_exposure_customer, l.largest_exposure,
        b.net_tier1_capital, {{ var('limit_large_exposure_single') }}, 'G3'
    from batches b join largest l using (batch_id)
    union all
    select b.portfolio_id, b.as_of_date, b.currency, 'large_exposure_group', 'exposure',
        'net_tier1_capital', l.largest_exposure_group, l.largest_group_exposure,
        b.net_tier1_capital, {{ var('limit_large_exposure_group') }}, 'G3'
    from batches b join largest l using (batch_id)
    union all
    select b.portfolio_id, b.as_of_date, b.currency, 'large_exposure_interbank', 'exposure',
        'net_tier1_capital', l.largest_interbank, coalesce(l.largest_interbank_exposure, 0),
        b.net_tier1_capital, {{ var('limit_large_exposure_interbank') }}, 'G3'
    from batches b join largest l using (batch_id)
    union all
    select b.portfolio_id, b.as_of_date, b.currency, 'real_estate_loans', 'loans', 'rmb_loans',
        null, coalesce(r.real_estate_loans, 0), r.rmb_loans, c.real_estate_cap, 'G5'
    from batches b left join real_estate r using (batch_id) cross join caps c
    union all
    select b.portfolio_id, b.as_of_date, b.currency, 'personal_mortgages', 'loans', 'rmb_loans',
        null, coalesce(r.personal_mortgages, 0), r.rmb_loans, c.mortgage_cap, 'G5'
    from batches b left join real_estate r using (batch_id) cross join caps c
)

select
    portfolio_id,
    as_of_date,
    currency,
    ratio,
    rule,
    numerator_basis,
    denominator_basis,
    counterparty,
    coalesce(numerator, 0)::decimal(20, 2) as numerator,
    denominator::decimal(20, 2) as denominator,
    (coalesce(numerator, 0) / nullif(denominator, 0))::decimal(12, 6) as value,
    limit_share::decimal(12, 6) as limit_share,
    (limit_share * denominator - coalesce(numerator, 0))::decimal(20, 2) as headroom,
    case
        when denominator is null or denominator = 0 then 'no_denominator'
        when limit_share is null then 'reported'
        when coalesce(numerator, 0) > limit_share * denominator then 'breach'
        when coalesce(numerator, 0)
            >= {{ var('concentration_warning_share') }} * limit_share * denominator then 'warning'
        else 'within'
    end as status,
from ratios
