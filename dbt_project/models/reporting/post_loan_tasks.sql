-- reporting.post_loan_tasks: what each branch and officer must do and by when (section L), one
-- row per portfolio, as-of date and task.
--   maturity_notice    L1: by maturity - var maturity_notice_days_short (7) days for short-term
--                      loans, maturity - var maturity_notice_months_long (1) month for medium and
--                      long-term; listed from var maturity_notice_horizon_days before it is due
--   collection_notice  L2: by the latest missed due date + var collection_notice_days (5); done
--                      once a collection_demand event is logged on or after that due date
--   post_loan_check    L7: corporate and SME obligors, var post_loan_check_months (3) after the
--                      last post_loan_check event (or the first disbursement when none)
--   limitation_period  L5: overdue loans, 3 years after the last installment's due date or the
--                      last collection_demand, whichever is later
--   guarantee_claim    L6: guarantees of overdue loans, by the end of the guarantee period
-- Dates follow the Civil Code month arithmetic (A8): the same day of the target month, or its
-- last day when that day does not exist. status: open (due date not passed), overdue (passed;
-- for the legal deadlines: lapsed), done (a logged event shows it was done).
with

loans as (
    select * from {{ ref('int_monitoring_loans') }}
),

events as (
    select * from {{ ref('stg_landing__loan_events') }}
    where event_date <= as_of_date
),

settlement as (
    select * from {{ ref('int_installment_settlement') }}
),

edges as (
    select * from {{ ref('int_guarantee_edges') }}
),

maturity_notices as (
    select
        'maturity_notice' as task_type, loans.*,
        maturity_date as reference_date,
        case term_bucket
            when 'short' then maturity_date - {{ var('maturity_notice_days_short') }}
            else (maturity_date - to_months({{ var('maturity_notice_months_long') }}))::date
        end as due_date,
        null::boolean as is_done,
        'L1' as rule,
        term_bucket || '-term loan maturing ' || maturity_date as detail,
    from loans
    where maturity_date >= as_of_date
),

missed as (
    select batch_id, loan_id, max(due_date) as missed_due_date,
    from settlement
    where due_date < as_of_date and (principal_open or interest_open)
    group by all
),

collection_notices as (
    select
        'collection_notice' as task_type, loans.*,
        missed.missed_due_date as reference_date,
        missed.missed_due_date + {{ var('collection_notice_days') }} as due_date,
        exists (
            select 1 from events
            where events.batch_id = loans.batch_id and events.loan_id = loans.loan_id
              and events.event_type = 'collection_demand'
              and events.event_date > missed.missed_due_date
        ) as is_done,
        'L2' as rule,
        'installment due ' || missed.missed_due_date || ' unpaid' as detail,
    from loans
    inner join missed using (batch_id, loan_id)
),

checked_obligors as (
    select
        loans.portfolio_id, loans.as_of_date, loans.batch_id, loans.borrower_id,
        arg_max(loans.branch, loans.outstanding_principal) as branch,
        arg_max(loans.officer, loans.outstanding_principal) as officer,
        min(loans.disbursement_date) as first_disbursement_date,
        max(checks.event_date) as last_check_date,
    from loans
    left join events as checks
        on checks.batch_id = loans.batch_id and checks.loan_id = loans.loan_id
        and checks.event_type = 'post_loan_check'
    where loans.borrower_type in (
        {%- for t in var('post_loan_check_borrower_types') %}'{{ t }}'
        {{- ", " if not loop.last }}{% endfor %})
    group by all
),

post_loan_checks as (
    select
        'post_loan_check' as task_type, checked_obligors.*,
        coalesce(last_check_date, first_disbursement_date) as reference_date,
        (coalesce(last_check_date, first_disbursement_date)
            + to_months({{ var('post_loan_check_months') }}))::date as due_date,
        null::boolean as is_done,
        'L7' as rule,
        coalesce('last check ' || last_check_date,
            'no check logged; first disbursement ' || first_disbursement_date) as detail,
    from checked_obligors
),

last_demands as (
    select batch_id, loan_id, max(event_date) as last_demand_date,
    from events
    where event_type = 'collection_demand'
    group by all
),

limitation as (
    select
        'limitation_period' as task_type, loans.*,
        greatest(loans.last_installment_due_date,
            coalesce(last_demands.last_demand_date, loans.last_installment_due_date))
            as reference_date,
        (reference_date + to_years({{ var('limitation_years') }}))::date as due_date,
        null::boolean as is_done,
        'L5' as rule,
        'last installment ' || loans.last_installment_due_date
            || coalesce(', restarted by demand ' || last_demands.last_demand_date, '')
            as detail,
    from loans
    left join last_demands using (batch_id, loan_id)
    where loans.dpd >= 1
),

guarantee_claims as (
    select
        'guarantee_claim' as task_type, loans.*,
        edges.guarantee_id,
        edges.maturity_date as reference_date,
        edges.guarantee_period_end as due_date,
        null::boolean as is_done,
        'L6' as rule,
        'guarantor ' || edges.guarantor_id || coalesce(', agreed period end '
            || edges.agreed_period_end, ', no agreed period') as detail,
    from edges
    inner join loans using (batch_id, loan_id)
    where loans.dpd >= 1
),

unioned as (
    select * from maturity_notices
    where due_date <= as_of_date + {{ var('maturity_notice_horizon_days') }}
    union all by name select * from collection_notices
    union all by name select * from post_loan_checks
    union all by name select * from limitation
    union all by name select * from guarantee_claims
),

final as (
    select
        portfolio_id,
        as_of_date,
        task_type || ':' || coalesce(guarantee_id, loan_id, borrower_id) as task_id,
        task_type,
        borrower_id,
        loan_id,
        guarantee_id,
        branch,
        officer,
        reference_date,
        due_date,
        date_diff('day', as_of_date, due_date)::integer as days_to_due,
        case
            when is_done then 'done'
            when due_date < as_of_date then 'overdue'
            else 'open'
        end as status,
        rule,
        detail,
    from unioned
)

select * from final
