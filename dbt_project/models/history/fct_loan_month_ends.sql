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
-- Cost at the 1,000,000-loan bank (23 million loan-dates): the joins over every loan-date are
-- keyed by batch_key (stg_landing__batches), not batch_id; they carry only the narrow columns
-- the classes need (the per-loan text columns join at the end); what lifts a class is found
-- from the few loans it concerns; and each loan-date's class is computed where the row is, not
-- in a second table of every loan-date joined back.
-- A daily build copies the rows of the loans int_reused_loans marks copies_history at the dates
-- of int_reused_history_dates from the published warehouse (int_loan_history_grid leaves them
-- out): neither the loan nor any loan of its borrower changed, and the rules are the same.
-- depends_on: {{ ref('int_reused_loans') }}
-- depends_on: {{ ref('int_reused_history_dates') }}
{%- set reuse = reuse_batches() %}
with

grid as (
    select * from {{ ref('int_loan_history_grid') }}
),

dpd as (
    select * from {{ ref('int_loan_history_dpd') }}
),

-- What does not change from one history date to the next, one row per loan: joined to the
-- loan-dates at the end (final), so the wide text columns are not carried through the joins
-- over every loan-date.
details as (
    select loans.batch_key, loans.loan_id, loans.portfolio_id, loans.batch_id,
        loans.disbursement_date, loans.contract_amount,
        loans.product, loans.currency, loans.branch,
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

-- The loan-dates with what the classes below need (narrow: 23 million of them at the
-- 1,000,000-loan bank).
rows as (
    select
        grid.batch_key, grid.loan_id, grid.as_of_date, grid.borrower_id, grid.is_month_end,
        grid.is_delivered_as_of, grid.loan_status, grid.outstanding_principal,
        grid.overdue_principal, grid.overdue_interest,
        details.is_non_retail,
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

history_dates as (
    select batch_key, as_of_date, from {{ ref('int_history_dates') }}
),

-- What lifts a replayed class above 正常, per loan and history date, found from the few loans
-- it concerns (overrides, delinquent loan-dates, events) and the batch's history dates, not by
-- scanning every loan-date: the override in force (the latest approved by the date) ...
overrides as (
    select dates.batch_key, o.loan_id, dates.as_of_date,
        arg_max(classes.class_rank, o.approved_on) as lift_rank,
    from {{ ref('stg_landing__classification_overrides') }} as o
    inner join history_dates as dates
        on dates.batch_key = o.batch_key and o.approved_on <= dates.as_of_date
    inner join classes on classes.five_class = o.override_class
    group by all
),

-- ... the DPD floors of the active rule set: int_loan_history_dpd holds only the loan-dates with
-- DPD of 1 or more, and every floor starts at 1 day or more (tested on the seed) ...
dpd_floors as (
    select dpd.batch_key, dpd.loan_id, dpd.as_of_date, floors.floor_rank as lift_rank,
    from {{ ref('int_loan_history_dpd') }} as dpd
    inner join details using (batch_key, loan_id)
    inner join {{ ref('int_classification_dpd_floors') }} as floors
        on greatest(coalesce(dpd.principal_dpd, 0), coalesce(dpd.interest_dpd, 0))
            >= floors.min_dpd
        and (floors.scope = 'all' or (floors.scope = 'credit_card' and details.is_credit_card))
),

-- ... and the event floors (refinancing, unauthorised change of use, bankruptcy) from the event
-- on, and at least 关注 within the observation period after a restructuring (B12).
event_floors as (
    select dates.batch_key, events.loan_id, dates.as_of_date,
        case when events.event_type = 'restructuring' then 2 else classes.class_rank end
            as lift_rank,
    from {{ ref('stg_landing__loan_events') }} as events
    inner join history_dates as dates
        on dates.batch_key = events.batch_key and events.event_date <= dates.as_of_date
        and (events.event_type <> 'restructuring'
             or dates.as_of_date
                < events.event_date + to_months({{ var('observation_months') }}))
    left join {{ ref('classification_rules') }} as rules
        on rules.rule_id = case events.event_type
            when 'unauthorised_use_change' then 'CN23_USE_CHANGE'
            when 'refinancing' then 'CN23_REFINANCING'
            when 'bankruptcy' then 'CN23_BANKRUPTCY' end
    left join classes on classes.five_class = rules.floor_class
    where events.event_type in ('unauthorised_use_change', 'refinancing', 'bankruptcy',
                                'restructuring')
),

-- The preliminary rank of a replayed loan-date: the highest of its override and floors (1,
-- 正常, where there is none; the rows without a match in this table).
lifted as (
    select batch_key, loan_id, as_of_date, max(lift_rank) as preliminary_rank,
    from (
        select * from overrides
        union all
        select * from dpd_floors
        union all
        select * from event_floors
    )
    group by all
),

obligors as (
    select replayed.batch_key, replayed.as_of_date, replayed.borrower_id,
        coalesce(sum(replayed.outstanding_principal)
                 filter (where lifted.preliminary_rank >= 3), 0) as npl_balance,
        sum(replayed.outstanding_principal) as balance,
        count(*) filter (where lifted.preliminary_rank >= 3) as npl_loans,
    from replayed
    left join lifted using (batch_key, loan_id, as_of_date)
    where replayed.is_non_retail
    group by all
),

delivered_classes as (
    select batches.batch_key, classification.loan_id, classification.as_of_date,
        classification.final_class_rank as class_rank,
    from {{ ref('fct_loan_classification') }} as classification
    inner join {{ ref('stg_landing__batches') }} as batches using (batch_id)
),

-- Each row's class rank: the delivered class at a batch's own as-of date; at earlier dates the
-- replayed one, the preliminary rank raised by the obligor rules. Computed on the rows in one
-- pass: the few loan-dates with an override or a floor, the obligor totals and the delivered
-- classes are the small sides of the joins, so the 23 million loan-dates of the
-- 1,000,000-loan bank are not joined with a second table of their own size.
ranked as (
    select rows.*,
        case
            when rows.loan_status <> 'outstanding' then null
            when rows.is_delivered_as_of then delivered_classes.class_rank
            else greatest(
                coalesce(lifted.preliminary_rank, 1),
                -- B7: more than 10% of the obligor's claims here are NPL: all of them are.
                case when obligors.npl_balance > {{ var('obligor_npl_share') }} * obligors.balance
                    then 3 else 1 end,
                -- B3.4: another loan of the obligor is NPL: at least 关注.
                case when obligors.npl_loans > 0 then 2 else 1 end)
        end as replayed_or_delivered_rank,
    from rows
    left join lifted using (batch_key, loan_id, as_of_date)
    left join obligors
        on obligors.batch_key = rows.batch_key and obligors.as_of_date = rows.as_of_date
        and obligors.borrower_id = rows.borrower_id
    left join delivered_classes using (batch_key, loan_id, as_of_date)
),

buckets as (
    select * from {{ ref('dpd_buckets') }}
),

final as (
    select
        details.portfolio_id,
        rows.as_of_date,
        rows.loan_id,
        details.batch_id,
        -- The build's integer for batch_id (stg_landing__batches): for joins inside the build.
        rows.batch_key,
        rows.borrower_id,
        details.borrower_type,
        details.product,
        details.currency,
        details.branch,
        details.disbursement_date,
        details.contract_amount,
        date_trunc('month', details.disbursement_date)::date as origination_month,
        -- K4: calendar month-ends since the origination month (a January loan is at MOB 6 at
        -- the end of July).
        date_diff('month', date_trunc('month', details.disbursement_date),
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
        {{ provenance_of_rank('details.provenance_rank') }} as provenance,
    from ranked as rows
    inner join details using (batch_key, loan_id)
    left join classes on classes.class_rank = rows.replayed_or_delivered_rank
    left join buckets
        on rows.loan_status = 'outstanding'
        and rows.all_dpd >= buckets.min_dpd
        and (buckets.max_dpd is null or rows.all_dpd <= buckets.max_dpd)
)

select * from final
{%- if reuse %}
union all
{{ published_rows(['batch_id', 'batch_key'], history=true) }}
{%- endif %}
