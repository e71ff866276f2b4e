-- Grain: one row per batch and restructured loan (the latest restructuring on or before as-of).
-- Rules B11-B13: a restructuring event, or an extension or refinancing granted while the loan was
-- overdue (a sign of financial difficulty), makes the loan restructured. Its observation period
-- starts at the first repayment date under the new terms and lasts at least
-- var observation_months and var observation_periods repayment periods; a missed payment inside
-- it restarts it from the missed date. Restructuring again inside a running period means at
-- least 可疑. The class before restructuring is the DPD floor at the event date.
with

events as (
    select batch_id, loan_id, as_of_date, event_date, event_type,
    from {{ ref('stg_landing__loan_events') }}
    where event_type in ('restructuring', 'extension', 'refinancing')
      and event_date <= as_of_date
),

-- Only the loans with such an event: the rest of the book's installments are never read here.
installments as (
    select
        settlement.*,
        -- The due date that completes var observation_periods periods starting here.
        {{ due_date_completing_periods(var('observation_periods')) }} as periods_complete_on,
    from {{ ref('int_installment_settlement') }} as settlement
    semi join events
        on settlement.batch_id = events.batch_id and settlement.loan_id = events.loan_id
),

floors as (
    select min_dpd, floor_rank
    from {{ ref('int_classification_dpd_floors') }}
    where scope = 'all'
),

-- Days past due on the event date: the oldest installment due before it and not settled by it.
event_dpd as (
    select
        events.batch_id,
        events.loan_id,
        events.as_of_date,
        events.event_date,
        events.event_type,
        min(installments.due_date) as oldest_unpaid_on_event_date,
    from events
    left join installments
        on events.batch_id = installments.batch_id
        and events.loan_id = installments.loan_id
        and installments.due_date < events.event_date
        and (installments.settled_on is null or installments.settled_on > events.event_date)
    group by all
),

event_dpd_days as (
    select
        *,
        coalesce(date_diff('day', oldest_unpaid_on_event_date, event_date), 0) as dpd_at_event,
    from event_dpd
),

restructurings as (
    select
        event_dpd_days.*,
        coalesce(
            (select max(floors.floor_rank) from floors where floors.min_dpd <= dpd_at_event), 1
        ) as class_rank_before,
    from event_dpd_days
    where event_type = 'restructuring' or dpd_at_event > 0
),

periods as (
    select
        restructurings.*,
        (
            select min(i.due_date) from installments as i
            where i.batch_id = restructurings.batch_id and i.loan_id = restructurings.loan_id
              and i.due_date > restructurings.event_date
        ) as observation_start,
    from restructurings
),

with_missed as (
    select
        periods.*,
        (
            select max(i.due_date) from installments as i
            where i.batch_id = periods.batch_id and i.loan_id = periods.loan_id
              and i.due_date >= periods.observation_start
              and i.due_date < periods.as_of_date
              and (i.settled_on is null or i.settled_on > i.due_date)
        ) as last_missed_due_date,
    from periods
),

anchored as (
    select
        with_missed.*,
        coalesce(last_missed_due_date, observation_start) as period_anchor,
    from with_missed
),

ends as (
    select
        anchored.*,
        greatest(
            period_anchor + to_months({{ var('observation_months') }}),
            coalesce((
                select min(i.periods_complete_on) from installments as i
                where i.batch_id = anchored.batch_id and i.loan_id = anchored.loan_id
                  and i.due_date >= anchored.period_anchor
            ), period_anchor)
        )::date as observation_end,
    from anchored
),

sequenced as (
    select
        ends.*,
        lag(observation_end) over (
            partition by batch_id, loan_id order by event_date
        ) as previous_observation_end,
        coalesce(event_date < previous_observation_end, false) as restructured_again,
    from ends
),

final as (
    select
        batch_id,
        loan_id,
        event_date as restructured_on,
        event_type as restructured_by,
        dpd_at_event,
        class_rank_before,
        observation_start,
        last_missed_due_date,
        observation_end,
        restructured_again,
        observation_start is not null and as_of_date < observation_end as in_observation,
    from sequenced
    qualify row_number() over (partition by batch_id, loan_id order by event_date desc) = 1
)

select * from final
