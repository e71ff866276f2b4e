-- Grain: one row per batch and obligor with outstanding exposure: the inputs of the
-- granularity adjustment (H7). EAD = the obligor's exposure (int_obligor_exposures); PD from the
-- worst final class of its loans (seed ga_pd_by_class); expected LGD = EAD-weighted by guarantee
-- type (seed ga_lgd_by_guarantee); asset correlation segment: retail or corporate (H6).
with

loans as (
    select
        classified.batch_id,
        classified.borrower_id,
        classified.borrower_type,
        classified.outstanding_principal,
        classified.final_class_rank,
        -- Exact decimals, so the weighted sum does not depend on the order the loans are
        -- added in (as doubles, two builds of one batch could differ in the last digit).
        lgd.elgd::decimal(12, 8) as elgd,
    from {{ ref('fct_loan_classification') }} as classified
    inner join {{ ref('fct_loan_snapshots') }} as snapshots
        on snapshots.batch_id = classified.batch_id and snapshots.loan_id = classified.loan_id
    inner join {{ ref('ga_lgd_by_guarantee') }} as lgd
        on lgd.guarantee_type = snapshots.guarantee_type
),

per_obligor as (
    select
        batch_id,
        borrower_id,
        any_value(borrower_type) = 'retail' as is_retail,
        max(final_class_rank) as worst_class_rank,
        sum(elgd * outstanding_principal) / nullif(sum(outstanding_principal), 0) as elgd,
    from loans
    group by all
)

select
    exposures.portfolio_id,
    exposures.as_of_date,
    exposures.batch_id,
    exposures.borrower_id,
    exposures.exposure::double as ead,
    pd.pd,
    coalesce(per_obligor.elgd, 0.45) as elgd,
    coalesce(per_obligor.is_retail, false) as is_retail,
from {{ ref('int_obligor_exposures') }} as exposures
inner join per_obligor using (batch_id, borrower_id)
inner join {{ ref('five_classes') }} as classes on classes.class_rank = per_obligor.worst_class_rank
inner join {{ ref('ga_pd_by_class') }} as pd on pd.five_class = classes.five_class
where exposures.exposure > 0
