-- reporting.roll_rates (K3): month to month, for each DPD bucket at the start month-end.
--   roll  (tracked): loans in bucket b at t that are in the next bucket at t+1 / loans in b at t
--   cure  (tracked): loans in bucket b at t that are current (M0) at t+1 / loans in b at t
--   flow  (aggregate, not tracked): everything in the next bucket at t+1 / everything in b at t;
--         not given into the open-ended last bucket (M7 collects every older delinquency, so the
--         ratio would say nothing about the flow from b)
-- rate_kind labels which one a row is. Tracked rates follow the same loans (closed cohort; loans
-- that left the book stay in the denominator) and weigh them by their balance at t; both the
-- count and the balance basis are given.
with

snapshots as (
    select * from {{ ref('class_snapshots') }}
),

pairs as (
    select portfolio_id, from_as_of_date, to_as_of_date,
    from {{ ref('int_migration_pairs') }}
    where horizon = 'month'
),

buckets as (
    select dpd_bucket, min_dpd,
        lead(dpd_bucket) over (order by min_dpd) as next_bucket,
        lead(max_dpd is null) over (order by min_dpd) as next_is_open_ended,
        first_value(dpd_bucket) over (order by min_dpd) as current_bucket,
    from {{ ref('dpd_buckets') }}
),

-- The same loans at t and t+1 (closed cohort), counted once for every migration figure.
tracked as (
    select portfolio_id, from_as_of_date, to_as_of_date, currency,
        from_dpd_bucket as from_bucket, to_dpd_bucket as to_bucket, loan_count, from_balance,
    from {{ ref('int_migration_counts') }}
    where horizon = 'month'
),

ends as (
    select pairs.from_as_of_date, s.portfolio_id, s.dpd_bucket,
        count(*) as loans, sum(s.outstanding_principal) as balance,
    from pairs
    inner join snapshots as s
        on s.portfolio_id = pairs.portfolio_id and s.as_of_date = pairs.to_as_of_date
    where s.loan_status = 'outstanding'
    group by all
),

by_bucket as (
    select tracked.portfolio_id, tracked.from_as_of_date, tracked.to_as_of_date,
        any_value(tracked.currency) as currency, tracked.from_bucket,
        any_value(buckets.next_bucket) as next_bucket,
        any_value(buckets.next_is_open_ended) as next_is_open_ended,
        any_value(buckets.current_bucket) as current_bucket,
        sum(tracked.loan_count)::bigint as loans,
        sum(tracked.from_balance) as balance,
        coalesce(sum(tracked.loan_count) filter (where tracked.to_bucket = buckets.next_bucket),
                 0)::bigint as rolled_loans,
        coalesce(sum(tracked.from_balance) filter (where tracked.to_bucket = buckets.next_bucket),
                 0) as rolled_balance,
        coalesce(sum(tracked.loan_count) filter (where tracked.to_bucket = buckets.current_bucket),
                 0)::bigint as cured_loans,
        coalesce(sum(tracked.from_balance)
                 filter (where tracked.to_bucket = buckets.current_bucket), 0) as cured_balance,
    from tracked
    inner join buckets on buckets.dpd_bucket = tracked.from_bucket
    group by tracked.portfolio_id, tracked.from_as_of_date, tracked.to_as_of_date,
        tracked.from_bucket
),

kinds as (
    select portfolio_id, from_as_of_date, to_as_of_date, currency, from_bucket,
        next_bucket as to_bucket, 'roll' as rate_kind,
        rolled_loans as numerator_loans, loans as denominator_loans,
        rolled_balance as numerator_balance, balance as denominator_balance,
    from by_bucket where next_bucket is not null and from_bucket <> current_bucket
    union all
    select portfolio_id, from_as_of_date, to_as_of_date, currency, from_bucket,
        current_bucket, 'cure', cured_loans, loans, cured_balance, balance,
    from by_bucket where from_bucket <> current_bucket
    union all
    select b.portfolio_id, b.from_as_of_date, b.to_as_of_date, b.currency, b.from_bucket,
        b.next_bucket, 'flow', coalesce(ends.loans, 0), b.loans,
        coalesce(ends.balance, 0), b.balance,
    from by_bucket as b
    left join ends
        on ends.portfolio_id = b.portfolio_id and ends.from_as_of_date = b.from_as_of_date
        and ends.dpd_bucket = b.next_bucket
    where b.next_bucket is not null and not b.next_is_open_ended
)

select
    portfolio_id,
    from_as_of_date,
    to_as_of_date,
    currency,
    from_bucket,
    to_bucket,
    rate_kind,
    numerator_loans,
    denominator_loans,
    numerator_balance::decimal(20, 2) as numerator_balance,
    denominator_balance::decimal(20, 2) as denominator_balance,
    (numerator_loans / nullif(denominator_loans, 0))::decimal(12, 6) as count_rate,
    (numerator_balance / nullif(denominator_balance, 0))::decimal(12, 6) as balance_rate,
from kinds
