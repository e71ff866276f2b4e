-- reporting.portfolio_quality: per portfolio, as-of date and class, with the book's ratios.
-- Ratios follow F1-F4 and K7: allowance = specific provisions (reference rates) + general reserve
-- (var general_reserve_rate of loans); coverage = allowance / NPL; loan-provision ratio =
-- allowance / loans; required allowance = max(coverage requirement x NPL, loan-provision
-- requirement x loans); deviation = loans more than 90 days past due / NPL. The MoF 2012
-- potential-risk estimate (F2) is shown for reference; it is not part of the allowance.
with

loans as (
    select * from {{ ref('loan_classification') }}
),

classes as (
    select five_class, class_rank, is_npl from {{ ref('five_classes') }}
),

books as (
    select
        portfolio_id,
        as_of_date,
        any_value(currency) as currency,
        sum(outstanding_principal) as total_balance,
        coalesce(sum(outstanding_principal) filter (where is_npl), 0) as npl_balance,
        coalesce(sum(outstanding_principal) filter (where dpd > 90), 0) as dpd_over_90_balance,
        sum(specific_provision) as specific_provision,
        round(sum(outstanding_principal) * {{ var('general_reserve_rate') }}, 2)
            as general_reserve,
        sum(bank_ecl_amount) as bank_ecl_amount,
        sum(outstanding_principal * mof_risk_rate) as mof_potential_risk_estimate,
        max({{ provenance_rank('provenance') }}) as provenance_rank,
    from loans
    inner join {{ ref('provision_rates') }} as rates on rates.five_class = loans.final_class
    group by all
),

by_class as (
    select
        books.portfolio_id,
        books.as_of_date,
        classes.five_class,
        classes.class_rank,
        count(loans.loan_id) as loan_count,
        coalesce(sum(loans.outstanding_principal), 0) as balance,
        coalesce(sum(loans.specific_provision), 0) as class_specific_provision,
    from books
    cross join classes
    left join loans
        on loans.portfolio_id = books.portfolio_id
        and loans.as_of_date = books.as_of_date
        and loans.final_class = classes.five_class
    group by all
),

final as (
    select
        by_class.portfolio_id,
        by_class.as_of_date,
        books.currency,
        by_class.five_class,
        by_class.class_rank,
        by_class.loan_count,
        by_class.balance::decimal(20, 2) as balance,
        (by_class.balance / nullif(books.total_balance, 0))::decimal(12, 6) as balance_share,
        by_class.class_specific_provision::decimal(20, 2) as specific_provision,
        books.total_balance::decimal(20, 2) as total_balance,
        books.npl_balance::decimal(20, 2) as npl_balance,
        (books.npl_balance / nullif(books.total_balance, 0))::decimal(12, 6) as npl_ratio,
        books.specific_provision::decimal(20, 2) as total_specific_provision,
        books.general_reserve::decimal(20, 2) as general_reserve,
        (books.specific_provision + books.general_reserve)::decimal(20, 2) as allowance,
        ((books.specific_provision + books.general_reserve) / nullif(books.npl_balance, 0))
            ::decimal(12, 6) as coverage_ratio,
        ((books.specific_provision + books.general_reserve) / nullif(books.total_balance, 0))
            ::decimal(12, 6) as loan_provision_ratio,
        {{ var('coverage_requirement') }}::decimal(12, 6) as coverage_requirement,
        {{ var('loan_provision_requirement') }}::decimal(12, 6) as loan_provision_requirement,
        greatest(
            round(books.npl_balance * {{ var('coverage_requirement') }}, 2),
            round(books.total_balance * {{ var('loan_provision_requirement') }}, 2)
        )::decimal(20, 2) as required_allowance,
        books.specific_provision + books.general_reserve >= required_allowance
            as allowance_meets_requirement,
        books.dpd_over_90_balance::decimal(20, 2) as dpd_over_90_balance,
        (books.dpd_over_90_balance / nullif(books.npl_balance, 0))::decimal(12, 6)
            as dpd_over_90_to_npl,
        books.bank_ecl_amount::decimal(20, 2) as bank_ecl_amount,
        round(books.mof_potential_risk_estimate, 2)::decimal(20, 2)
            as mof_potential_risk_estimate,
        {{ provenance_of_rank('books.provenance_rank') }} as provenance,
    from by_class
    inner join books using (portfolio_id, as_of_date)
)

select * from final
