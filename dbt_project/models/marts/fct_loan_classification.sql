-- Grain: one row per portfolio, as-of date and outstanding loan.
-- The five-level class (rules A6, B1-B15): the base class is the latest approved override, else
-- the bank's judgmental class, else 正常; the final class is the worst of the base class and every
-- floor that fired. Each floor is a row in `fired` with its rule id, so the reason for every class
-- is listed. Non-retail obligor rules (B3.4, B7) run on a preliminary class and spread NPL status
-- across the obligor's loans.
with

loans as (
    select snapshots.*, details.is_credit_impaired,
        details.ecl_amount, details.judgmental_class as judgmental_class_code,
        borrowers.bureau_total_debt, borrowers.bureau_debt_over_90dpd,
        borrowers.bureau_npl_elsewhere,
        dpd.principal_dpd, dpd.interest_dpd,
        least(dpd.oldest_unpaid_principal_due_date, dpd.oldest_unpaid_interest_due_date)
            as oldest_unpaid_due_date,
        snapshots.borrower_type in (
            {%- for t in var('non_retail_borrower_types') %}'{{ t }}'{{ ", " if not loop.last }}
            {%- endfor %}) as is_non_retail,
        details.product in (
            {%- for p in var('credit_card_products') %}'{{ p }}', {% endfor %}'') as is_credit_card,
    from {{ ref('fct_loan_snapshots') }} as snapshots
    inner join {{ ref('stg_landing__loans') }} as details
        on details.batch_id = snapshots.batch_id and details.loan_id = snapshots.loan_id
    left join {{ ref('stg_landing__borrowers') }} as borrowers
        on borrowers.batch_id = snapshots.batch_id
        and borrowers.borrower_id = snapshots.borrower_id
    left join {{ ref('int_loan_dpd') }} as dpd
        on dpd.batch_id = snapshots.batch_id and dpd.loan_id = snapshots.loan_id
    where snapshots.loan_status = 'outstanding'
),

classes as (
    select five_class, class_rank from {{ ref('five_classes') }}
),

floors as (
    select * from {{ ref('int_classification_dpd_floors') }}
),

events as (
    select batch_id, loan_id, event_type, event_date,
    from {{ ref('stg_landing__loan_events') }}
    where event_date <= as_of_date
),

overrides as (
    select batch_id, loan_id, override_class, approved_on, approver, reason,
    from {{ ref('stg_landing__classification_overrides') }}
    where approved_on <= as_of_date
    qualify row_number() over (partition by batch_id, loan_id order by approved_on desc) = 1
),

technical as (
    select distinct loans.batch_id, loans.loan_id,
    from loans
    inner join events using (batch_id, loan_id)
    where events.event_type = 'technical_delay'
      and events.event_date >= loans.oldest_unpaid_due_date
      and loans.dpd between 1 and {{ var('technical_delay_days') }}
),

dpd_fired as (
    select loans.batch_id, loans.loan_id, floors.rule_id, floors.floor_rank,
    from loans
    inner join floors
        on loans.dpd >= floors.min_dpd
        and (floors.scope = 'all' or (floors.scope = 'credit_card' and loans.is_credit_card))
    left join technical using (batch_id, loan_id)
    -- A technical delay (A4) exempts only the "any overdue" floors, and only up to 7 days.
    where not (
        floors.rule_id in ('CN23_DPD_OVERDUE', 'CN11_CARD_OVERDUE')
        and technical.loan_id is not null
    )
),

event_fired as (
    select distinct events.batch_id, events.loan_id,
        case events.event_type
            when 'unauthorised_use_change' then 'CN23_USE_CHANGE'
            when 'refinancing' then 'CN23_REFINANCING'
            when 'bankruptcy' then 'CN23_BANKRUPTCY'
        end as rule_id,
    from events
    where events.event_type in ('unauthorised_use_change', 'refinancing', 'bankruptcy')
),

flag_fired as (
    select batch_id, loan_id, 'CN23_CREDIT_IMPAIRED' as rule_id from loans
    where is_credit_impaired
    union all
    select batch_id, loan_id, 'CN23_ECL_50' from loans
    where is_credit_impaired
      and ecl_amount >= {{ var('ecl_doubtful_share') }} * outstanding_principal
    union all
    select batch_id, loan_id, 'CN23_ECL_90' from loans
    where is_credit_impaired
      and ecl_amount >= {{ var('ecl_loss_share') }} * outstanding_principal
    union all
    select batch_id, loan_id, 'CN23_BUREAU_NPL' from loans
    where is_non_retail and bureau_npl_elsewhere
    union all
    select batch_id, loan_id, 'CN23_BUREAU_OVER_20' from loans
    where is_non_retail and bureau_total_debt > 0
      and bureau_debt_over_90dpd > {{ var('bureau_over_90_share') }} * bureau_total_debt
    union all
    select batch_id, loan_id, 'CN23_NPL_CURE' from loans
    inner join {{ ref('int_loan_cures') }} as cures using (batch_id, loan_id)
    where loans.as_of_date < cures.earliest_upgrade_on
),

restructured as (
    select loans.batch_id, loans.loan_id, r.class_rank_before, r.restructured_again,
        r.observation_end,
    from loans
    inner join {{ ref('int_loan_restructurings') }} as r using (batch_id, loan_id)
    where r.in_observation
),

loan_fired as (
    select batch_id, loan_id, rule_id, floor_rank from dpd_fired
    union all
    select fired.batch_id, fired.loan_id, fired.rule_id, classes.class_rank
    from (select * from event_fired union all select * from flag_fired) as fired
    inner join {{ ref('classification_rules') }} as rules using (rule_id)
    inner join classes on classes.five_class = rules.floor_class
    union all
    -- No upgrade inside the observation period: at least 关注, at least the class before.
    select batch_id, loan_id, 'CN23_RESTRUCTURED', greatest(2, class_rank_before)
    from restructured
    union all
    select batch_id, loan_id, 'CN23_RESTRUCTURED_AGAIN', 4
    from restructured where restructured_again
),

based as (
    select
        loans.*,
        overrides.override_class,
        overrides.approved_on as override_approved_on,
        overrides.approver as override_approver,
        coalesce(overrides.override_class, loans.judgmental_class_code, 'pass') as base_class,
        base_classes.class_rank as base_rank,
    from loans
    left join overrides using (batch_id, loan_id)
    left join classes as base_classes
        on base_classes.five_class
        = coalesce(overrides.override_class, loans.judgmental_class_code, 'pass')
),

loan_rule_rank as (
    select batch_id, loan_id, max(floor_rank) as loan_rule_rank,
    from loan_fired
    group by all
),

preliminary as (
    select
        based.*,
        greatest(based.base_rank, coalesce(loan_rule_rank.loan_rule_rank, 1))
            as preliminary_rank,
    from based
    left join loan_rule_rank using (batch_id, loan_id)
),

obligors as (
    select
        batch_id,
        borrower_id,
        sum(outstanding_principal) filter (where preliminary_rank >= 3) as npl_balance,
        sum(outstanding_principal) as balance,
        count(*) filter (where preliminary_rank >= 3) as npl_loans,
    from preliminary
    where is_non_retail
    group by all
),

obligor_fired as (
    select p.batch_id, p.loan_id, 'CN23_OBLIGOR_OVER_10' as rule_id, 3 as floor_rank,
    from preliminary as p
    inner join obligors as o using (batch_id, borrower_id)
    where o.npl_balance > {{ var('obligor_npl_share') }} * o.balance
    union all
    select p.batch_id, p.loan_id, 'CN23_OBLIGOR_NPL_HERE', 2
    from preliminary as p
    inner join obligors as o using (batch_id, borrower_id)
    where o.npl_loans > 0 and p.preliminary_rank < 3
),

all_fired as (
    select * from loan_fired
    union all
    select * from obligor_fired
),

fired_per_loan as (
    select
        batch_id,
        loan_id,
        max(floor_rank) as rule_rank,
        string_agg(rule_id, ', ' order by floor_rank desc, rule_id) as rules_fired,
    from all_fired
    group by all
),

us_retail as (
    select loans.batch_id, loans.loan_id, max(classes.class_rank) as us_rank,
    from loans
    inner join {{ ref('classification_dpd_floors') }} as us
        on us.rule_set = 'us_retail'
        and loans.dpd >= us.min_dpd
        and not loans.is_non_retail
        and (us.scope = 'retail'
             or (us.scope = 'open_end' and loans.is_credit_card)
             or (us.scope = 'closed_end' and not loans.is_credit_card))
    inner join classes on classes.five_class = us.floor_class
    group by all
),

rule_set as (
    select distinct rule_set, rule_set_version from floors
),

final as (
    select
        p.portfolio_id,
        p.as_of_date,
        p.loan_id,
        p.batch_id,
        p.borrower_id,
        p.borrower_type,
        p.product,
        p.currency,
        p.branch,
        p.outstanding_principal,
        p.dpd,
        p.principal_dpd,
        p.interest_dpd,
        p.dpd_bucket,
        p.reported_status,
        p.judgmental_class_code as judgmental_class,
        p.override_class,
        p.override_approved_on,
        p.override_approver,
        p.base_class,
        rule_classes.five_class as rule_class,
        final_classes.five_class as final_class,
        final_classes.class_rank as final_class_rank,
        final_classes.class_rank >= 3 as is_npl,
        coalesce(fired.rules_fired, '')
            || case when technical.loan_id is not null
                then case when fired.rules_fired is null then '' else ', ' end
                    || 'CN23_TECHNICAL_DELAY_EXEMPT'
                else '' end as rules_fired,
        technical.loan_id is not null as technical_delay_exempt,
        p.override_class is not null and p.base_rank < coalesce(fired.rule_rank, 1)
            as override_below_floor,
        restructured.loan_id is not null as in_restructuring_observation,
        restructured.observation_end as restructuring_observation_end,
        us_classes.five_class as us_retail_class,
        case
            when p.is_credit_impaired or p.dpd >= {{ var('ifrs9_stage3_min_dpd') }} then 3
            when p.dpd >= {{ var('ifrs9_stage2_min_dpd') }} then 2
            else 1
        end as ifrs9_stage,
        rule_set.rule_set,
        rule_set.rule_set_version,
        p.ecl_amount as bank_ecl_amount,
        p.provenance,
    from preliminary as p
    left join fired_per_loan as fired using (batch_id, loan_id)
    left join technical using (batch_id, loan_id)
    left join restructured using (batch_id, loan_id)
    left join us_retail using (batch_id, loan_id)
    left join classes as rule_classes on rule_classes.class_rank = coalesce(fired.rule_rank, 1)
    left join classes as final_classes
        on final_classes.class_rank = greatest(p.base_rank, coalesce(fired.rule_rank, 1))
    left join classes as us_classes
        on us_classes.class_rank = case
            when p.is_non_retail then null else coalesce(us_retail.us_rank, 1) end
    cross join rule_set
)

select * from final
