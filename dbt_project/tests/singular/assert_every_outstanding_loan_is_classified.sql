{{ config(meta={"dagster": {"ref": {"name": "loan_classification"}}}) }}

-- Every outstanding loan has exactly one class. A rule set named in the vars that has no floors
-- in the seed, or a class missing from a seed, would otherwise drop loans from the
-- classification silently. Each failing row is a portfolio and date whose counts differ.
with

outstanding as (
    select portfolio_id, as_of_date, count(*) as loans
    from {{ ref('fct_loan_snapshots') }}
    where loan_status = 'outstanding'
    group by all
),

classified as (
    select portfolio_id, as_of_date, count(*) as loans
    from {{ ref('loan_classification') }}
    group by all
)

select outstanding.portfolio_id, outstanding.as_of_date, outstanding.loans,
    coalesce(classified.loans, 0) as classified_loans
from outstanding
left join classified using (portfolio_id, as_of_date)
where outstanding.loans <> coalesce(classified.loans, 0)
