-- reporting.migration_rates (K1): the regulator's migration rates (迁徙率) for each standard
-- period. Only the stock at the start counts; the denominator nets off the start balance of loans
-- that left the book in the period (repaid, written off, disposed of: 期间减少); balances are
-- start balances.
--   正常类 pass: start 正常 now 关注 or worse / (start 正常 - reduced)
--   关注类 special_mention: start 关注 now NPL / (start 关注 - reduced)
--   次级类 substandard: start 次级 now 可疑 or 损失 / (start 次级 - reduced)
--   可疑类 doubtful: start 可疑 now 损失 / (start 可疑 - reduced)
--   正常贷款 normal_loans: (start 正常 or 关注 now NPL) / (start 正常 + 关注 - their reduced)
with

counts as (
    select * from {{ ref('int_migration_counts') }}
),

pairs as (
    select distinct portfolio_id, horizon, from_as_of_date, to_as_of_date, currency,
    from counts
),

rates as (
    select * from (values
        ('pass', 1, '正常类迁徙率', 'Pass migration rate', 1, 1, 2),
        ('special_mention', 2, '关注类迁徙率', 'Special mention migration rate', 2, 2, 3),
        ('substandard', 3, '次级类迁徙率', 'Substandard migration rate', 3, 3, 4),
        ('doubtful', 4, '可疑类迁徙率', 'Doubtful migration rate', 4, 4, 5),
        ('normal_loans', 5, '正常贷款迁徙率', 'Normal loans migration rate', 1, 2, 3)
    ) as r(rate_code, rate_order, label_zh, label_en, from_rank_min, from_rank_max,
           migrated_rank_min)
),

measured as (
    select pairs.portfolio_id, pairs.horizon, pairs.from_as_of_date, pairs.to_as_of_date,
        pairs.currency, rates.rate_code, rates.rate_order, rates.label_zh, rates.label_en,
        coalesce(sum(t.from_balance), 0)::decimal(20, 2) as start_balance,
        coalesce(sum(t.from_balance) filter (where t.to_loan_status <> 'outstanding'), 0)
            ::decimal(20, 2) as reduced_balance,
        coalesce(sum(t.from_balance) filter (
            where t.to_loan_status = 'outstanding'
            and t.to_class_rank >= rates.migrated_rank_min), 0)::decimal(20, 2)
            as migrated_balance,
        coalesce(sum(t.loan_count), 0)::bigint as start_loans,
    from pairs
    cross join rates
    left join counts as t
        on t.portfolio_id = pairs.portfolio_id and t.horizon = pairs.horizon
        and t.from_as_of_date = pairs.from_as_of_date and t.to_as_of_date = pairs.to_as_of_date
        and t.from_class_rank between rates.from_rank_min and rates.from_rank_max
    group by all
)

select *,
    (migrated_balance / nullif(start_balance - reduced_balance, 0))::decimal(12, 6)
        as migration_rate,
from measured
