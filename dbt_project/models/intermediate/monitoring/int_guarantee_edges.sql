-- Grain: one row per batch and guarantee of an outstanding loan. Key: (batch_id, guarantee_id).
-- The guarantee graph: an edge from the guarantor to the borrower of the guaranteed loan, with
-- the end of the guarantee period (L6, 民法典 Art. 692): the agreed end when it falls after the
-- main debt's maturity, otherwise var guarantee_period_months after that maturity (Civil Code
-- month arithmetic: from 31 August plus 6 months is the last day of February).
with

guarantees as (
    select * from {{ ref('stg_landing__guarantees') }}
),

loans as (
    select * from {{ ref('int_monitoring_loans') }}
),

final as (
    select
        loans.portfolio_id,
        loans.as_of_date,
        guarantees.batch_id,
        guarantees.guarantee_id,
        guarantees.guarantor_id,
        loans.borrower_id,
        guarantees.loan_id,
        guarantees.guaranteed_amount,
        loans.maturity_date,
        loans.dpd as loan_dpd,
        guarantees.guarantee_period_end as agreed_period_end,
        case
            when guarantees.guarantee_period_end > loans.maturity_date
                then guarantees.guarantee_period_end
            else (loans.maturity_date + to_months({{ var('guarantee_period_months') }}))::date
        end as guarantee_period_end,
    from guarantees
    inner join loans using (batch_id, loan_id)
)

select * from final
