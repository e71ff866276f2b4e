-- Grain: one row per portfolio, history date (int_history_dates: month-ends and delivered as-of
-- dates) and loan on the book at it, plus the loan's closing row. Key: (portfolio_id,
-- as_of_date, loan_id).
-- Balances and DPD are replayed from the schedule, payments and events (int_loan_history_grid,
-- int_loan_history_dpd). The class: at a batch's own as-of date it is the full five-level class
-- of fct_loan_classification (class_basis 'delivered'); at earlier dates it is replayed from what
-- the history proves (class_basis 'replayed'): the override in force at that date, the DPD floors
-- of the active rule set, the event floors (refinancing, unauthorised change of use,
-- bankruptcy), at least 关注 within the observation period after a restructuring (B12), and the
-- non-retail obligor rules (B3.4, B7). Judgements only known at delivery (the bank's own class,
-- impairment, ECL, credit bureau) are not pushed back in time.
-- The joins over every loan-date are keyed by batch_key (stg_landing__batches), not batch_id.
with

grid as (
    select * from {{ ref('int_loan_history_grid') }}
),

dpd as (
    select * from {{ ref('int_loan_history_dpd') }}
),

details as (
    select loans.batch_key, loans.loan_id, loans.product, loans.currency, loans.branch,
        borrowers.borrower_type,
        borrowers.borrower_type in (
            {%- for t in var('non_retail_borrower_types') %}'{{ t }}'{{ ", " if not loop.last }}
            {%- endfor %}) as is_non_retail,
        loans.product in (
            {%- for p in var('credit_card_products') %}'{{ p }}', {% endfor %}'') as is_credit_card,
        {{ provenance_rank('loans.provenance') }} as provenance_rank,
    from {{ ref('stg_landing__loans') }} as loans
    left join {{ ref('stg_landing__borrowers') }} as borrowers
        on borrowers.batch_id = loans.batch_id and borrowers.borrower_id = loans.borrower_id
),

classes as (
    select five_class, class_rank, is_npl from {{ ref('five_classes') }}
),

rows as (
    select
        grid.*,
        details.* exclude (batch_key, loan_id),
        coalesce(dpd.principal_dpd, 0) as principal_dpd,
        coalesce(dpd.interest_dpd, 0) as interest_dpd,
        greatest(coalesce(dpd.principal_dpd, 0), coalesce(dpd.interest_dpd, 0)) as all_dpd,
    from grid
    inner join details using (batch_key, loan_id)
    left join dpd using (batch_key, loan_id, as_of_date)
),

replayed as (
    select * from rows
    where loan_status = 'outstanding' and not is_delivered_as_of
),

overrides as (
    select replayed.batch_key, replayed.loan_id, replayed.as_of_date,
        arg_max(classes.class_rank, o.approved_on) as override_rank,
    from replayed
    inner join {{ ref('stg_landing__classification_overrides') }} as o
        on o.batch_key = replayed.batch_key and o.loan_id = replayed.loan_id
        and o.approved_on <= replayed.as_of_date
    inner join classes on classes.five_class = o.override_class
    group by all
),

events as (
    select batch_key, loan_id, event_type, event_date,
    from {{ ref('stg_landing__loan_events') }}
    where event_type in ('unauthorised_use_change', 'refinancing', 'bankruptcy',
                         'restructuring')
),

fired as (
    select replayed.batch_key, replayed.loan_id, replayed.as_of_date, floors.floor_rank,
    from replayed
    inner join {{ ref('int_classification_dpd_floors') }} as floors
        on replayed.all_dpd >= floors.min_dpd
        and (floors.scope = 'all' or (floors.scope = 'credit_card' and replayed.is_credit_card))
    union all
    select replayed.batch_key, replayed.loan_id, replayed.as_of_date,
        case when events.event_type = 'restructuring'
            -- B12: inside the observation period, at least 关注.
            then case when replayed.as_of_date
                < events.event_date + to_months({{ var('observation_months') }}) then 2 end
            else classes.class_rank end,
    from replayed
    inner join events
        on events.batch_key = replayed.batch_key and events.loan_id = replayed.loan_id
        and events.event_date <= replayed.as_of_date
    left join {{ ref('classification_rules') }} as rules
        on rules.rule_id = case events.event_type
            when 'unauthorised_use_change' then 'CN23_USE_CHANGE'
            when 'refinancing' then 'CN23_REFINANCING'
            when 'bankruptcy' then 'CN23_BANKRUPTCY' end
    left join classes on classes.five_class = rules.floor_class
),

-- The highest floor fired per loan and date, grouped over the few loan-dates where one fired
-- (not over every replayed loan-date).
fired_ranks as (
    select batch_key, loan_id, as_of_date, max(floor_rank) as floor_rank,
    from fired
    group by all
),

preliminary as (
    select
        replayed.batch_key, replayed.loan_id, replayed.as_of_date, replayed.borrower_id,
        replayed.is_non_retail, replayed.outstanding_principal,
        greatest(coalesce(overrides.override_rank, 1),
                 coalesce(fired_ranks.floor_rank, 1)) as preliminary_rank,
    from replayed
    left join overrides using (batch_key, loan_id, as_of_date)
    left join fired_ranks using (batch_key, loan_id, as_of_date)
),

obligors as (
    select batch_key, as_of_date, borrower_id,
        coalesce(sum(outstanding_principal) filter (where preliminary_rank >= 3), 0)
            as npl_balance,
        sum(outstanding_principal) as balance,
        count(*) filter (where preliminary_rank >= 3) as npl_loans,
    from preliminary
    where is_non_retail
    group by all
),

replayed_classes as (
    select preliminary.batch_key, preliminary.loan_id, preliminary.as_of_date,
        greatest(
            preliminary.preliminary_rank,
            -- B7: more than 10% of the obligor's claims here are NPL: all of them are.
            case when obligors.npl_balance > {{ var('obligor_npl_share') }} * obligors.balance
                then 3 else 1 end,
            -- B3.4: another loan of the obligor is NPL: at least 关注.
            case when obligors.npl_loans > 0 then 2 else 1 end
        ) as class_rank,
    from preliminary
    left join obligors using (batch_key, as_of_date, borrower_id)
),

delivered_classes as (
    select batches.batch_key, classification.loan_id, classification.as_of_date,
        classification.final_class_rank as class_rank,
    from {{ ref('fct_loan_classification') }} as classification
    inner join {{ ref('stg_landing__batches') }} as batches using (batch_id)
),

buckets as (
    select * from {{ ref('dpd_buckets') }}
),

final as (
    select
        rows.portfolio_id,
        rows.as_of_date,
        rows.loan_id,
        rows.batch_id,
        -- The build's integer for batch_id (stg_landing__batches): for joins inside the build.
        rows.batch_key,
        rows.borrower_id,
        rows.borrower_type,
        rows.product,
        rows.currency,
        rows.branch,
        rows.disbursement_date,
        rows.contract_amount,
        date_trunc('month', rows.disbursement_date)::date as origination_month,
        -- K4: calendar month-ends since the origination month (a January loan is at MOB 6 at
        -- the end of July).
        date_diff('month', date_trunc('month', rows.disbursement_date),
                  date_trunc('month', rows.as_of_date))::integer as months_on_book,
        rows.is_month_end,
        rows.is_delivered_as_of,
        rows.loan_status,
        rows.outstanding_principal,
        rows.overdue_principal,
        rows.overdue_interest,
        case when rows.loan_status = 'outstanding' then rows.principal_dpd end::integer
            as principal_dpd,
        case when rows.loan_status = 'outstanding' then rows.interest_dpd end::integer
            as interest_dpd,
        case when rows.loan_status = 'outstanding' then rows.all_dpd end::integer as dpd,
        buckets.dpd_bucket,
        classes.five_class,
        classes.class_rank,
        classes.is_npl,
        case when rows.loan_status <> 'outstanding' then null
            when rows.is_delivered_as_of then 'delivered' else 'replayed' end as class_basis,
        {{ provenance_of_rank('rows.provenance_rank') }} as provenance,
    from rows
    left join replayed_classes using (batch_key, loan_id, as_of_date)
    left join delivered_classes using (batch_key, loan_id, as_of_date)
    left join classes
        on rows.loan_status = 'outstanding'
        and classes.class_rank = coalesce(delivered_classes.class_rank,
                                          replayed_classes.class_rank)
    left join buckets
        on rows.loan_status = 'outstanding'
        and rows.all_dpd >= buckets.min_dpd
        and (buckets.max_dpd is null or rows.all_dpd <= buckets.max_dpd)
)

select * from final
