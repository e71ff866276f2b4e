{#- The same SQL, as a table macro for any two dates: reporting.migration_between(portfolio_id,
    from_date, to_date). Relations are named without the catalog, so the macro keeps working
    when the build file is published under another name. -#}
{%- set between -%}
create or replace macro reporting.migration_between(p_portfolio_id, p_from_date, p_to_date)
as table
select * from {{ migration_matrix(
    "select p_portfolio_id as portfolio_id, 'chosen' as horizon,
        p_from_date::date as from_as_of_date, p_to_date::date as to_as_of_date",
    'reporting.class_snapshots', 'reference.five_classes', 'reference.migration_states') }}
order by from_class_rank, to_state_order
{%- endset -%}
{{ config(post_hook=[between]) }}
-- reporting.migration_matrix (K2): for each standard period (int_migration_counts), the share of
-- each start class's loans (count) and start balance in each end state: the five classes, then
-- repaid, written off and disposed of, so each row sums to one. Loans new in the period are left
-- out (closed cohort). Any other pair of dates: reporting.migration_between(portfolio, from, to).
select
    portfolio_id,
    horizon,
    from_as_of_date,
    to_as_of_date,
    currency,
    from_class,
    from_class_rank,
    to_state,
    to_state_order,
    loan_count,
    from_balance,
    row_loan_count,
    row_balance,
    count_share,
    balance_share,
from {{ migration_matrix_of_counts(ref('int_migration_counts'), ref('five_classes'),
                                 ref('migration_states')) }}
