-- Grain: one row per batch and loan that went through an NPL episode by days past due and has
-- since cleared its arrears.
-- Rule B10: upgrading from NPL needs the arrears repaid and then normal payment for at least
-- var cure_periods repayment periods or var cure_months months, whichever is longer. An episode
-- is an installment settled more than 90 days late (the loan was then at DPD > 90, i.e. NPL under
-- B4). A later late payment restarts the clock from the date it was settled. Only the NPL cause
-- visible in the data (days past due) is covered; other causes rest with the bank's own class.
with

episodes as (
    select batch_id, loan_id, max(settled_on) as npl_arrears_cleared_on,
    from {{ ref('int_installment_settlement') }}
    where days_late_when_settled > 90
    group by all
),

-- Only the loans with an episode: the rest of the book's installments are never read here.
installments as (
    select
        settlement.*,
        {{ due_date_completing_periods(var('cure_periods')) }} as periods_complete_on,
    from {{ ref('int_installment_settlement') }} as settlement
    semi join episodes
        on settlement.batch_id = episodes.batch_id and settlement.loan_id = episodes.loan_id
),

restarts as (
    select
        episodes.batch_id,
        episodes.loan_id,
        episodes.npl_arrears_cleared_on,
        max(installments.settled_on) as normal_payment_since,
    from episodes
    inner join installments
        on episodes.batch_id = installments.batch_id
        and episodes.loan_id = installments.loan_id
        and installments.settled_on >= episodes.npl_arrears_cleared_on
        and installments.days_late_when_settled > 0
    group by all
),

final as (
    select
        restarts.*,
        greatest(
            normal_payment_since + to_months({{ var('cure_months') }}),
            coalesce((
                select min(i.periods_complete_on) from installments as i
                where i.batch_id = restarts.batch_id and i.loan_id = restarts.loan_id
                  and i.due_date > restarts.normal_payment_since
            ), normal_payment_since + to_months({{ var('cure_months') }}))
        )::date as earliest_upgrade_on,
    from restarts
)

select * from final
