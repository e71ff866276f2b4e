-- reporting.early_warning_coverage: the signal catalogue of section J for every portfolio and
-- as-of date: each signal's rule (threshold, severity, action, source, from seed
-- early_warning_rules), whether it could be computed from what the portfolio delivers, the data
-- it needs when it could not, and how many entities were measured and fired.
--   computed         the portfolio carries the data; the signal was evaluated
--   no_data          the landing contract has the data, but this portfolio does not deliver it
--   not_in_contract  the landing contract has no such data (J4 repayment-account balance, J19
--                    account turnover)
--   not_wired        the input comes from another part of the warehouse not yet connected
with

rules as (
    select * from {{ ref('early_warning_rules') }}
),

batches as (
    select portfolio_id, as_of_date, batch_id, net_capital, net_tier1_capital, absent_entities,
    from {{ ref('stg_landing__batches') }}
    where batch_kind = 'portfolio'
),

dates as (
    select * from {{ ref('int_monitoring_as_of_dates') }}
),

-- What the batch delivers: an entity declared absent in the manifest (with its reason) differs
-- from an entity delivered with no rows (nothing happened: the signal is computed and finds
-- nothing). Columns the contract makes optional count as missing when empty on every row.
counts as (
    select
        batches.batch_id,
        json_extract_string(batches.absent_entities, '$.repayment_schedule')
            as schedule_absent,
        json_extract_string(batches.absent_entities, '$.loan_events') as events_absent,
        json_extract_string(batches.absent_entities, '$.collateral') as collateral_absent,
        json_extract_string(batches.absent_entities, '$.guarantees') as guarantees_absent,
        (select count(*) from {{ ref('stg_landing__loans') }} as l
            where l.batch_id = batches.batch_id and l.original_maturity_date is not null)
            as original_maturity_rows,
        (select count(*) from (
            select collateral_id from {{ ref('stg_landing__collateral') }} as c
            where c.batch_id = batches.batch_id
            group by collateral_id having count(*) >= 2)) as reappraised_items,
        (select count(*) from {{ ref('stg_landing__guarantees') }} as g
            inner join {{ ref('stg_landing__borrowers') }} as b
                on b.batch_id = g.batch_id and b.borrower_id = g.guarantor_id
            where g.batch_id = batches.batch_id) as guarantors_known,
        (select count(*) from {{ ref('stg_landing__guarantees') }} as g
            inner join {{ ref('stg_landing__borrowers') }} as b
                on b.batch_id = g.batch_id and b.borrower_id = g.guarantor_id
            where g.batch_id = batches.batch_id and b.net_assets is not null)
            as guarantors_with_net_assets,
        (select count(*) from {{ ref('stg_landing__borrowers') }} as b
            where b.batch_id = batches.batch_id
              and (b.bureau_total_debt is not null or b.bureau_npl_elsewhere is not null))
            as bureau_rows,
        (select count(*) from {{ ref('stg_landing__borrowers') }} as b
            where b.batch_id = batches.batch_id and b.industry_code is not null)
            as industry_rows,
    from batches
),

measured as (
    select portfolio_id, as_of_date, signal_code, count(*) as entities_measured,
    from {{ ref('int_early_warning_measures') }}
    group by all
),

fired as (
    select portfolio_id, as_of_date, signal_code, count(*) as signals_fired,
        count(*) filter (where severity = 'red') as signals_red,
    from {{ ref('early_warnings') }}
    group by all
),

evaluated as (
    select
        batches.portfolio_id,
        batches.as_of_date,
        rules.signal_code,
        rules.signal,
        rules.needs,
        case
            when rules.signal_code in ('J1', 'J2', 'J3', 'J15') then counts.schedule_absent
            when rules.signal_code = 'J6' then counts.events_absent
            when rules.signal_code in ('J8', 'J9', 'J10') then counts.collateral_absent
            when rules.signal_code in ('J11', 'J12', 'J13', 'J14')
                then counts.guarantees_absent
        end as absent_reason,
        case
            when rules.status <> 'computed' then rules.status
            when absent_reason is not null then 'no_data'
            when rules.signal_code = 'J7' and counts.original_maturity_rows = 0 then 'no_data'
            when rules.signal_code = 'J9' and counts.reappraised_items = 0 then 'no_data'
            when rules.signal_code = 'J11' and counts.guarantors_known = 0 then 'no_data'
            when rules.signal_code = 'J12' and counts.guarantors_with_net_assets = 0
                then 'no_data'
            when rules.signal_code = 'J17' and counts.bureau_rows = 0 then 'no_data'
            when rules.signal_code = 'J16' and counts.industry_rows = 0 then 'no_data'
            when rules.signal_code = 'J18' and dates.previous_as_of_date is null then 'no_data'
            -- J20 is always measured: the real-estate caps (G5) need loans only; the capital
            -- ratios (G2-G4) and industry limits (I3) join in when the batch delivers them.
            else 'computed'
        end as coverage_status,
    from batches
    inner join counts using (batch_id)
    inner join dates using (portfolio_id, as_of_date)
    cross join rules
),

final as (
    select
        evaluated.portfolio_id,
        evaluated.as_of_date,
        evaluated.signal_code,
        evaluated.signal,
        evaluated.coverage_status,
        case when evaluated.coverage_status <> 'computed'
            then evaluated.needs
                || coalesce('; declared absent: ' || evaluated.absent_reason, '')
        end as missing_data,
        rules.entity_type,
        rules.threshold,
        rules.comparison,
        rules.red_threshold,
        rules.severity,
        rules.action,
        rules.source,
        coalesce(measured.entities_measured, 0) as entities_measured,
        coalesce(fired.signals_fired, 0) as signals_fired,
        coalesce(fired.signals_red, 0) as signals_red,
    from evaluated
    inner join rules using (signal_code)
    left join measured using (portfolio_id, as_of_date, signal_code)
    left join fired using (portfolio_id, as_of_date, signal_code)
)

select * from final
