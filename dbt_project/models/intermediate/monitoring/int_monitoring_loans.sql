-- Grain: one row per portfolio, as-of date and outstanding loan. Key: (batch_id, loan_id).
-- What the early-warning rules and the task list read about a loan: its classification, days
-- past due on principal and interest, dates and term bucket (L4), booking branch and officer,
-- the obligor's net assets and bureau figures, and its class at the previous as-of date.
with

classified as (
    select * from {{ ref('fct_loan_classification') }}
),

details as (
    select batch_id, loan_id, officer, disbursement_date, maturity_date,
        original_maturity_date,
    from {{ ref('stg_landing__loans') }}
),

borrowers as (
    select batch_id, borrower_id, net_assets, bureau_total_debt, bureau_debt_over_90dpd,
        bureau_npl_elsewhere,
    from {{ ref('stg_landing__borrowers') }}
),

schedule as (
    select batch_id, loan_id, max(due_date) as last_installment_due_date,
    from {{ ref('stg_landing__repayment_schedule') }}
    group by all
),

previous as (
    select * from {{ ref('int_loan_previous_class') }}
),

final as (
    select
        classified.portfolio_id,
        classified.as_of_date,
        classified.batch_id,
        classified.loan_id,
        classified.borrower_id,
        classified.borrower_type,
        classified.product,
        classified.currency,
        classified.branch,
        details.officer,
        classified.outstanding_principal,
        classified.dpd,
        coalesce(classified.principal_dpd, 0) as principal_dpd,
        coalesce(classified.interest_dpd, 0) as interest_dpd,
        classified.final_class,
        classified.final_class_rank,
        classified.is_npl,
        details.disbursement_date,
        details.maturity_date,
        details.original_maturity_date,
        coalesce(schedule.last_installment_due_date, details.maturity_date)
            as last_installment_due_date,
        -- L4 on the original term: short <= 1 year, medium <= 5 years, long above.
        case
            when coalesce(details.original_maturity_date, details.maturity_date)
                <= (details.disbursement_date
                    + to_months({{ var('short_term_max_months') }}))::date
                then 'short'
            when coalesce(details.original_maturity_date, details.maturity_date)
                <= (details.disbursement_date
                    + to_months({{ var('medium_term_max_months') }}))::date
                then 'medium'
            else 'long'
        end as term_bucket,
        borrowers.net_assets,
        borrowers.bureau_total_debt,
        borrowers.bureau_debt_over_90dpd,
        borrowers.bureau_npl_elsewhere,
        previous.previous_as_of_date,
        previous.previous_class,
        previous.previous_class_rank,
    from classified
    inner join details using (batch_id, loan_id)
    left join borrowers using (batch_id, borrower_id)
    left join schedule using (batch_id, loan_id)
    left join previous
        on previous.portfolio_id = classified.portfolio_id
        and previous.as_of_date = classified.as_of_date
        and previous.loan_id = classified.loan_id
)

select * from final
