{#- Migration between two dates (domain rules K1, K2, K3), written once and used by every
    migration figure: reporting.migration_matrix, migration_rates and roll_rates read the counts
    of the standard periods (history.int_migration_counts), and the table macro
    reporting.migration_between(portfolio_id, from_date, to_date) that the dashboard and analysts
    call for any two dates runs the same SQL on the fly. `pairs` is a query with portfolio_id,
    horizon, from_as_of_date and to_as_of_date; `snapshots` is the relation holding the class
    snapshots.

    The cohort is closed (K2): only loans outstanding at the start date count, new loans are left
    out. A loan's end state is its row at the end date, or, when it left the book before, its
    closing row (repaid, written_off or disposed); the weight of a loan is its start balance. -#}
{% macro migration_transitions(pairs, snapshots) -%}
(
    with
    pairs as ({{ pairs }}),
    starts as (
        select pairs.portfolio_id, pairs.horizon, pairs.from_as_of_date, pairs.to_as_of_date,
            s.loan_id, s.currency, s.five_class as from_class, s.class_rank as from_class_rank,
            s.dpd_bucket as from_dpd_bucket, s.outstanding_principal as from_balance,
        from pairs
        inner join {{ snapshots }} as s
            on s.portfolio_id = pairs.portfolio_id and s.as_of_date = pairs.from_as_of_date
        where s.loan_status = 'outstanding'
    )
    select starts.*,
        case when ends.loan_status = 'outstanding' then ends.five_class
            else ends.loan_status end as to_state,
        ends.class_rank as to_class_rank,
        ends.loan_status as to_loan_status,
        ends.dpd_bucket as to_dpd_bucket,
    from starts
    asof inner join {{ snapshots }} as ends
        on ends.portfolio_id = starts.portfolio_id
        and ends.loan_id = starts.loan_id
        and starts.to_as_of_date >= ends.as_of_date
)
{%- endmacro %}

{#- The transitions counted: one row per pair, currency, start class and bucket, end state and
    bucket, with the loans and their start balance. Loans are counted once here, so the matrix,
    the migration rates and the roll rates do not each replay the loan-level join. -#}
{% macro migration_counts(transitions) -%}
(
    select portfolio_id, horizon, from_as_of_date, to_as_of_date, currency,
        from_class, from_class_rank, from_dpd_bucket,
        to_state, to_class_rank, to_loan_status, to_dpd_bucket,
        count(*) as loan_count,
        sum(from_balance) as from_balance,
    from {{ transitions }}
    group by all
)
{%- endmacro %}

{#- One row per pair, start class and end state (five classes, then repaid, written_off,
    disposed), zero cells included, with count and start-balance shares of the start class.
    `counts` is a relation or subquery shaped like migration_counts. -#}
{% macro migration_matrix_of_counts(counts, classes, states) -%}
(
    with
    counts as (select * from {{ counts }}),
    pairs as (
        select distinct portfolio_id, horizon, from_as_of_date, to_as_of_date, currency,
        from counts
    ),
    cells as (
        select pairs.*, classes.five_class as from_class, classes.class_rank as from_class_rank,
            states.to_state, states.state_order as to_state_order,
        from pairs
        cross join (select five_class, class_rank from {{ classes }}) as classes
        cross join (select to_state, state_order from {{ states }}) as states
    ),
    counted as (
        select cells.portfolio_id, cells.horizon, cells.from_as_of_date, cells.to_as_of_date,
            cells.currency, cells.from_class, cells.from_class_rank, cells.to_state,
            cells.to_state_order,
            coalesce(sum(t.loan_count), 0)::bigint as loan_count,
            coalesce(sum(t.from_balance), 0)::decimal(20, 2) as from_balance,
        from cells
        left join counts as t
            on t.portfolio_id = cells.portfolio_id and t.horizon = cells.horizon
            and t.from_as_of_date = cells.from_as_of_date
            and t.to_as_of_date = cells.to_as_of_date
            and t.from_class = cells.from_class and t.to_state = cells.to_state
        group by all
    )
    select counted.*,
        (sum(loan_count) over by_row)::bigint as row_loan_count,
        (sum(from_balance) over by_row)::decimal(20, 2) as row_balance,
        (loan_count / nullif(row_loan_count, 0))::decimal(12, 6) as count_share,
        (from_balance / nullif(row_balance, 0))::decimal(12, 6) as balance_share,
    from counted
    window by_row as (partition by portfolio_id, horizon, from_as_of_date, to_as_of_date,
                      from_class)
)
{%- endmacro %}

{#- The matrix for any pairs, from the loan-level snapshots (reporting.migration_between). -#}
{% macro migration_matrix(pairs, snapshots, classes, states) -%}
{{ migration_matrix_of_counts(migration_counts(migration_transitions(pairs, snapshots)),
                              classes, states) }}
{%- endmacro %}
