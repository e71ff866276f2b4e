-- Grain: one row per batch and obligor (borrower) with outstanding loans or undrawn commitments.
-- Three numerators, because the ratios differ (G7): loans (outstanding principal only), credit
-- (loans + undrawn commitments: 授信 including off-balance) and exposure (loans + undrawn x
-- var undrawn_ccf). The group is the borrower's group_id, or the borrower itself when it has none.
-- is_bank marks interbank counterparties (borrower_type bank), which have their own limit (G3).
with

loans as (
    select
        snapshots.batch_id,
        snapshots.portfolio_id,
        snapshots.as_of_date,
        snapshots.borrower_id,
        snapshots.outstanding_principal,
        case when snapshots.loan_status = 'outstanding' then coalesce(details.undrawn_amount, 0)
            else 0 end as undrawn_amount,
    from {{ ref('fct_loan_snapshots') }} as snapshots
    inner join {{ ref('stg_landing__loans') }} as details
        on details.batch_id = snapshots.batch_id and details.loan_id = snapshots.loan_id
),

borrowers as (
    select batch_id, borrower_id, group_id, is_related_party, borrower_type,
    from {{ ref('stg_landing__borrowers') }}
)

select
    loans.batch_id,
    any_value(loans.portfolio_id) as portfolio_id,
    any_value(loans.as_of_date) as as_of_date,
    loans.borrower_id,
    coalesce(any_value(borrowers.group_id), loans.borrower_id) as group_key,
    coalesce(any_value(borrowers.is_related_party), false) as is_related_party,
    coalesce(any_value(borrowers.borrower_type) = 'bank', false) as is_bank,
    sum(loans.outstanding_principal) as loans,
    sum(loans.outstanding_principal + loans.undrawn_amount) as credit,
    round(sum(loans.outstanding_principal + loans.undrawn_amount * {{ var('undrawn_ccf') }}), 2)
        ::decimal(20, 2) as exposure,
from loans
left join borrowers
    on borrowers.batch_id = loans.batch_id and borrowers.borrower_id = loans.borrower_id
group by loans.batch_id, loans.borrower_id
having sum(loans.outstanding_principal + loans.undrawn_amount) > 0
