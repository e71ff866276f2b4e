-- reporting.watchlist: obligors under closer watch (观察名单), one row per portfolio, as-of
-- date and obligor that is on the list at that date or left it since the previous as-of date.
-- Severity score: every signal code fired on the obligor, its loans, collateral or guarantees
-- counts once at its worst severity, var watchlist_points_red (3) for red and
-- var watchlist_points_amber (1) for amber; score_basis spells the sum out. An obligor is on the
-- list while its score is above 0. watch_status against the previous as-of date: entered,
-- escalated (score up), de_escalated (score down), unchanged, cleared (off the list now).
with

signals as (
    select * from {{ ref('early_warnings') }}
    where borrower_id is not null
),

dates as (
    select * from {{ ref('int_monitoring_as_of_dates') }}
),

per_code as (
    select
        portfolio_id, as_of_date, borrower_id, signal_code,
        case when bool_or(severity = 'red') then 'red' else 'amber' end as severity,
        count(*) as entities,
    from signals
    group by all
),

scored as (
    select
        portfolio_id,
        as_of_date,
        borrower_id,
        sum(case severity when 'red' then {{ var('watchlist_points_red') }}
            else {{ var('watchlist_points_amber') }} end)::integer as severity_score,
        count(*) filter (where severity = 'red')::integer as red_signals,
        count(*) filter (where severity = 'amber')::integer as amber_signals,
        string_agg(signal_code, ', ' order by signal_code) as signal_codes,
        string_agg(signal_code || ' ' || severity || ' ' || case severity
            when 'red' then {{ var('watchlist_points_red') }}
            else {{ var('watchlist_points_amber') }} end, ' + '
            order by signal_code) as score_basis,
    from per_code
    group by all
),

on_list as (
    select scored.*, dates.as_of_index, dates.previous_as_of_date,
    from scored
    inner join dates using (portfolio_id, as_of_date)
),

-- Every obligor on the list now, and those on it at the previous as-of date (to report clearing).
grid as (
    select portfolio_id, as_of_date, borrower_id from on_list
    union
    select dates.portfolio_id, dates.as_of_date, previous_list.borrower_id,
    from on_list as previous_list
    inner join dates
        on dates.portfolio_id = previous_list.portfolio_id
        and dates.previous_as_of_date = previous_list.as_of_date
),

runs as (
    select
        on_list.*,
        as_of_index - row_number() over (
            partition by portfolio_id, borrower_id order by as_of_date
        ) as run_key,
    from on_list
),

entered as (
    select *, min(as_of_date) over (partition by portfolio_id, borrower_id, run_key)
        as date_entered,
    from runs
),

owners as (
    select portfolio_id, as_of_date, borrower_id,
        arg_max(branch, outstanding_principal) as branch,
        arg_max(officer, outstanding_principal) as officer,
        sum(outstanding_principal) as outstanding_principal,
    from {{ ref('int_monitoring_loans') }}
    group by all
),

final as (
    select
        grid.portfolio_id,
        grid.as_of_date,
        grid.borrower_id,
        owners.branch,
        owners.officer,
        coalesce(owners.outstanding_principal, 0)::decimal(20, 2) as outstanding_principal,
        current_list.borrower_id is not null as on_watchlist,
        case
            when current_list.borrower_id is null then 'cleared'
            when previous_list.borrower_id is null then 'entered'
            when current_list.severity_score > previous_list.severity_score then 'escalated'
            when current_list.severity_score < previous_list.severity_score then 'de_escalated'
            else 'unchanged'
        end as watch_status,
        case
            when current_list.red_signals > 0 then 'red'
            when current_list.amber_signals > 0 then 'amber'
        end as watch_level,
        coalesce(current_list.severity_score, 0) as severity_score,
        previous_list.severity_score as previous_score,
        coalesce(current_list.red_signals, 0) as red_signals,
        coalesce(current_list.amber_signals, 0) as amber_signals,
        current_list.signal_codes,
        current_list.score_basis,
        coalesce(current_list.date_entered, previous_list.date_entered) as date_entered,
        dates.previous_as_of_date,
    from grid
    inner join dates using (portfolio_id, as_of_date)
    left join entered as current_list
        on current_list.portfolio_id = grid.portfolio_id
        and current_list.as_of_date = grid.as_of_date
        and current_list.borrower_id = grid.borrower_id
    left join entered as previous_list
        on previous_list.portfolio_id = grid.portfolio_id
        and previous_list.as_of_date = dates.previous_as_of_date
        and previous_list.borrower_id = grid.borrower_id
    left join owners
        on owners.portfolio_id = grid.portfolio_id
        and owners.as_of_date = grid.as_of_date
        and owners.borrower_id = grid.borrower_id
)

select * from final
