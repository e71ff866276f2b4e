-- Grain: one row per portfolio, as-of date, signal (J1-J18) and entity measured. Key:
-- (portfolio_id, as_of_date, signal_code, entity_type, entity_id).
-- The measured value of each early-warning signal of section J the landing data supports, before
-- the thresholds of seed early_warning_rules are applied (reporting.early_warnings does that).
--   row_threshold  a threshold that depends on the entity (J7: the loan's legal extension limit)
--   also_fires     fires whatever the value (J11 guarantor NPL or downgraded, J12 net assets not
--                  positive, J17 NPL at another bank)
--   force_red      red whatever the value (J11 guarantor NPL)
with

loans as (
    select * from {{ ref('int_monitoring_loans') }}
),

-- The obligor's largest outstanding loan gives its branch and officer.
obligors as (
    select
        portfolio_id, as_of_date, batch_id, borrower_id,
        arg_max(branch, outstanding_principal) as branch,
        arg_max(officer, outstanding_principal) as officer,
        sum(outstanding_principal) as outstanding_principal,
        max(dpd) as dpd,
        bool_or(is_npl) as is_npl,
        bool_or(final_class_rank > previous_class_rank) as downgraded,
        any_value(net_assets) as net_assets,
        any_value(bureau_total_debt) as bureau_total_debt,
        any_value(bureau_debt_over_90dpd) as bureau_debt_over_90dpd,
        any_value(bureau_npl_elsewhere) as bureau_npl_elsewhere,
    from loans
    group by all
),

borrowers as (
    select batch_id, borrower_id, net_assets,
    from {{ ref('stg_landing__borrowers') }}
),

settlement as (
    select * from {{ ref('int_installment_settlement') }}
),

events as (
    select * from {{ ref('stg_landing__loan_events') }}
    where event_date <= as_of_date
),

appraisals as (
    select
        *,
        row_number() over (
            partition by batch_id, collateral_id order by appraisal_date desc
        ) as recency,
    from {{ ref('stg_landing__collateral') }}
    where appraisal_date <= as_of_date
),

edges as (
    select * from {{ ref('int_guarantee_edges') }}
),

circles as (
    select * from {{ ref('fct_guarantee_cycles') }}
),

loan_signal_base as (
    select portfolio_id, as_of_date, batch_id, loan_id, borrower_id, branch, officer,
    from loans
),

-- J1, J2: days past due on principal and on interest (A1, A2).
j1_j2 as (
    select 'J1' as signal_code, loan_id as entity_id, principal_dpd::decimal(20, 6) as value,
        null as detail, loans.*,
    from loans
    union all by name
    select 'J2' as signal_code, loan_id as entity_id, interest_dpd::decimal(20, 6) as value,
        null as detail, loans.*,
    from loans
),

-- J3: months of the last 12 (as-of excluded from nothing: due dates in (as-of - 12 months,
-- as-of)) with an installment that was paid late or is still open.
j3 as (
    select
        'J3' as signal_code, loans.loan_id as entity_id,
        count(distinct date_trunc('month', settlement.due_date))::decimal(20, 6) as value,
        null as detail, any_value(loans.portfolio_id) as portfolio_id,
        any_value(loans.as_of_date) as as_of_date,
    from loans
    inner join settlement using (batch_id, loan_id)
    where settlement.due_date < loans.as_of_date
      and settlement.due_date
          > (loans.as_of_date - to_months({{ var('monitoring_lookback_months') }}))::date
      and (settlement.settled_on is null or settlement.days_late_when_settled >= 1)
    group by loans.batch_id, loans.loan_id
),

-- J5: share of the obligor's balance maturing in the next var maturity_wall_days days.
j5_obligor as (
    select
        'J5' as signal_code, 'obligor' as entity_type, borrower_id as entity_id,
        portfolio_id, as_of_date, batch_id, borrower_id, null as loan_id,
        (sum(outstanding_principal) filter (
            where maturity_date > as_of_date
              and maturity_date <= as_of_date + {{ var('maturity_wall_days') }}
        ) / sum(outstanding_principal))::decimal(20, 6) as value,
        null as detail,
    from loans
    group by portfolio_id, as_of_date, batch_id, borrower_id
    having sum(outstanding_principal) > 0
),

j5_portfolio as (
    select
        'J5' as signal_code, 'portfolio' as entity_type, portfolio_id as entity_id,
        portfolio_id, as_of_date, batch_id, null as borrower_id, null as loan_id,
        (coalesce(sum(outstanding_principal) filter (
            where maturity_date > as_of_date
              and maturity_date <= as_of_date + {{ var('maturity_wall_days') }}
        ), 0) / sum(outstanding_principal))::decimal(20, 6) as value,
        null as detail,
    from loans
    group by portfolio_id, as_of_date, batch_id
    having sum(outstanding_principal) > 0
),

-- J6: extensions, refinancings and restructurings in the last 12 months.
j6 as (
    select
        'J6' as signal_code, loans.loan_id as entity_id,
        count(*)::decimal(20, 6) as value,
        string_agg(events.event_type || ' ' || events.event_date, ', '
            order by events.event_date, events.event_type) as detail,
        any_value(loans.portfolio_id) as portfolio_id, any_value(loans.as_of_date) as as_of_date,
    from loans
    inner join events using (batch_id, loan_id)
    where events.event_type in ('extension', 'refinancing', 'restructuring')
      and events.event_date
          > (loans.as_of_date - to_months({{ var('monitoring_lookback_months') }}))::date
    group by loans.batch_id, loans.loan_id
),

-- J7 / L3: cumulative extension (maturity - original maturity, days) against the limit of the
-- original term: short-term the original term, medium-term half of it, long-term 3 years.
j7 as (
    select
        'J7' as signal_code, loan_id as entity_id,
        date_diff('day', original_maturity_date, maturity_date)::decimal(20, 6) as value,
        case term_bucket
            when 'short' then date_diff('day', disbursement_date, original_maturity_date)
            when 'medium' then date_diff('day', disbursement_date, original_maturity_date) // 2
            else date_diff('day', original_maturity_date, (original_maturity_date
                + to_years({{ var('long_term_extension_years') }}))::date)
        end::decimal(20, 6) as row_threshold,
        term_bucket || '-term, originally due ' || original_maturity_date
            || ', now due ' || maturity_date as detail,
        loans.*,
    from loans
    where original_maturity_date is not null
),

latest_values as (
    select batch_id, loan_id, sum(appraised_value) as collateral_value,
    from appraisals
    where recency = 1
    group by all
),

-- J8: LTV = balance / latest appraised value of the loan's collateral.
j8 as (
    select
        'J8' as signal_code, loans.loan_id as entity_id,
        (loans.outstanding_principal / latest_values.collateral_value)::decimal(20, 6) as value,
        'collateral value ' || latest_values.collateral_value as detail,
        loans.*,
    from loans
    inner join latest_values using (batch_id, loan_id)
    where latest_values.collateral_value > 0
),

collateral_items as (
    select
        latest.batch_id, latest.collateral_id, latest.loan_id, latest.collateral_type,
        latest.appraised_value as latest_value, latest.appraisal_date as latest_date,
        previous.appraised_value as previous_value, previous.appraisal_date as previous_date,
    from appraisals as latest
    left join appraisals as previous
        on previous.batch_id = latest.batch_id
        and previous.collateral_id = latest.collateral_id
        and previous.recency = 2
    where latest.recency = 1
),

-- J9: decline between the two latest appraisals; J10: days since the latest appraisal.
j9_j10 as (
    select
        'J9' as signal_code, 'collateral' as entity_type, items.collateral_id as entity_id,
        ((items.previous_value - items.latest_value) / items.previous_value)::decimal(20, 6)
            as value,
        items.previous_value || ' (' || items.previous_date || ') -> '
            || items.latest_value || ' (' || items.latest_date || ')' as detail,
        loans.* exclude (loan_id), items.loan_id,
    from collateral_items as items
    inner join loans using (batch_id, loan_id)
    where items.previous_value > 0
    union all by name
    select
        'J10' as signal_code, 'collateral' as entity_type, items.collateral_id as entity_id,
        date_diff('day', items.latest_date, loans.as_of_date)::decimal(20, 6) as value,
        items.collateral_type || ' appraised ' || items.latest_date as detail,
        loans.* exclude (loan_id), items.loan_id,
    from collateral_items as items
    inner join loans using (batch_id, loan_id)
    where items.collateral_type in (
        {%- for c in var('stale_appraisal_collateral_types') %}'{{ c }}'
        {{- ", " if not loop.last }}{% endfor %})
),

-- J11: the guarantor's own loans here: worst DPD, NPL, class moved down.
j11 as (
    select
        'J11' as signal_code, 'guarantee' as entity_type, edges.guarantee_id as entity_id,
        guarantor.dpd::decimal(20, 6) as value,
        guarantor.is_npl or coalesce(guarantor.downgraded, false) as also_fires,
        guarantor.is_npl as force_red,
        'guarantor ' || edges.guarantor_id
            || case when guarantor.is_npl then ' is NPL' else '' end
            || case when guarantor.downgraded then ', class moved down' else '' end as detail,
        loans.*,
    from edges
    inner join obligors as guarantor
        on guarantor.batch_id = edges.batch_id and guarantor.borrower_id = edges.guarantor_id
    inner join loans on loans.batch_id = edges.batch_id and loans.loan_id = edges.loan_id
),

-- J12: guarantees of outstanding loans / the guarantor's net assets.
j12 as (
    select
        'J12' as signal_code, 'obligor' as entity_type, edges.guarantor_id as entity_id,
        any_value(edges.portfolio_id) as portfolio_id,
        any_value(edges.as_of_date) as as_of_date,
        edges.batch_id,
        edges.guarantor_id as borrower_id,
        case when any_value(borrowers.net_assets) > 0
            then (sum(edges.guaranteed_amount) / any_value(borrowers.net_assets))
                ::decimal(20, 6)
        end as value,
        any_value(borrowers.net_assets) <= 0 as also_fires,
        'guarantees ' || sum(edges.guaranteed_amount) || ', net assets '
            || any_value(borrowers.net_assets) as detail,
    from edges
    inner join borrowers
        on borrowers.batch_id = edges.batch_id and borrowers.borrower_id = edges.guarantor_id
    where borrowers.net_assets is not null
    group by edges.batch_id, edges.guarantor_id
),

-- J13: members of a guarantee circle.
j13 as (
    select
        'J13' as signal_code, 'obligor' as entity_type, borrower_id::varchar as entity_id,
        portfolio_id::varchar as portfolio_id, as_of_date::date as as_of_date,
        batch_id::varchar as batch_id, borrower_id::varchar as borrower_id,
        cycle_size::decimal(20, 6) as value,
        'circle ' || cycle_id::varchar as detail,
    from circles
),

-- J14: days to the end of the guarantee period while the guaranteed debt is overdue.
j14 as (
    select
        'J14' as signal_code, 'guarantee' as entity_type, edges.guarantee_id as entity_id,
        date_diff('day', edges.as_of_date, edges.guarantee_period_end)::decimal(20, 6) as value,
        'guarantor ' || edges.guarantor_id || ', period ends ' || edges.guarantee_period_end
            as detail,
        loans.*,
    from edges
    inner join loans using (batch_id, loan_id)
    where loans.dpd >= 1 and edges.guarantee_period_end >= edges.as_of_date
),

last_demands as (
    select batch_id, loan_id, max(event_date) as last_demand_date,
    from events
    where event_type = 'collection_demand'
    group by all
),

-- J15: days to the end of the limitation period (L5) while the debt is overdue.
j15 as (
    select
        'J15' as signal_code, loans.loan_id as entity_id,
        date_diff('day', loans.as_of_date, (greatest(
            loans.last_installment_due_date,
            coalesce(last_demands.last_demand_date, loans.last_installment_due_date)
        ) + to_years({{ var('limitation_years') }}))::date)::decimal(20, 6) as value,
        'last installment ' || loans.last_installment_due_date
            || coalesce(', last demand ' || last_demands.last_demand_date, '') as detail,
        loans.*,
    from loans
    left join last_demands using (batch_id, loan_id)
    where loans.dpd >= 1 and value >= 0
),

-- J17: credit bureau: share of the obligor's debts at all banks > 90 DPD; NPL elsewhere.
j17 as (
    select
        'J17' as signal_code, 'obligor' as entity_type, borrower_id as entity_id,
        portfolio_id, as_of_date, batch_id, borrower_id, branch, officer,
        case when bureau_total_debt > 0
            then (coalesce(bureau_debt_over_90dpd, 0) / bureau_total_debt)::decimal(20, 6)
        end as value,
        coalesce(bureau_npl_elsewhere, false) as also_fires,
        case when bureau_npl_elsewhere then 'NPL at another bank' end as detail,
    from obligors
    where bureau_total_debt is not null or bureau_npl_elsewhere is not null
),

-- J18: five-level class moved down since the previous as-of date (notches).
j18 as (
    select
        'J18' as signal_code, loan_id as entity_id,
        (final_class_rank - previous_class_rank)::decimal(20, 6) as value,
        previous_class || ' (' || previous_as_of_date || ') -> ' || final_class as detail,
        loans.*,
    from loans
    where previous_class_rank is not null
),

loan_level as (
    select * from j1_j2
    union all by name select * from j7
    union all by name select * from j8
    union all by name select * from j15
    union all by name select * from j18
),

loan_level_grouped as (
    select j3.*, base.* exclude (portfolio_id, as_of_date),
    from j3
    inner join loan_signal_base as base
        on base.portfolio_id = j3.portfolio_id and base.as_of_date = j3.as_of_date
        and base.loan_id = j3.entity_id
    union all by name
    select j6.*, base.* exclude (portfolio_id, as_of_date),
    from j6
    inner join loan_signal_base as base
        on base.portfolio_id = j6.portfolio_id and base.as_of_date = j6.as_of_date
        and base.loan_id = j6.entity_id
),

obligor_level as (
    select j5_obligor.* exclude (loan_id), obligors.branch, obligors.officer,
    from j5_obligor
    inner join obligors using (batch_id, borrower_id)
    union all by name
    select j12.*, obligors.branch, obligors.officer,
    from j12
    left join obligors using (batch_id, borrower_id)
    union all by name
    select j13.*, obligors.branch, obligors.officer,
    from j13
    left join obligors using (batch_id, borrower_id)
    union all by name
    select * from j17
),

unioned as (
    select 'loan' as entity_type, * from loan_level
    union all by name select 'loan' as entity_type, * from loan_level_grouped
    union all by name select * from j9_j10
    union all by name select * from j11
    union all by name select * from j14
    union all by name select * from obligor_level
    union all by name select * exclude (loan_id) from j5_portfolio
),

final as (
    select
        portfolio_id,
        as_of_date,
        batch_id,
        signal_code,
        entity_type,
        entity_id,
        borrower_id,
        loan_id,
        branch,
        officer,
        value,
        row_threshold,
        coalesce(also_fires, false) as also_fires,
        coalesce(force_red, false) as force_red,
        detail,
    from unioned
)

select * from final
