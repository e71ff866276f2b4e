{#- Concentration indices of section H over rows (partition, item, exposure). Shares s_i are
    exposure / total; HHI = sum s_i^2 (H1); normalised HHI (H2, 1 when N = 1); effective number of
    names 1 / HHI; Gini in the population form 2 sum(i x_(i)) / (N sum x) - (N+1)/N with x sorted
    ascending, and the small-sample form x N/(N-1) (H3); Shannon entropy -sum s ln s in nats and
    normalised by ln N (H4, empty when N = 1); top-1/5/10/20 shares (H5). -#}
{% macro concentration_indices(relation, partition_by) -%}
with

ranked as (
    select
        *,
        exposure / sum(exposure) over part as share,
        row_number() over (partition by {{ partition_by | join(', ') }}
                           order by exposure asc, item) as ascending_rank,
        row_number() over (partition by {{ partition_by | join(', ') }}
                           order by exposure desc, item) as descending_rank,
        count(*) over part as names,
        sum(exposure) over part as total_exposure,
    from {{ relation }}
    window part as (partition by {{ partition_by | join(', ') }})
)

select
    {{ partition_by | join(', ') }},
    any_value(names) as names,
    any_value(total_exposure) as total_exposure,
    sum(share * share) as hhi,
    case when any_value(names) = 1 then 1.0
        else (sum(share * share) - 1.0 / any_value(names)) / (1 - 1.0 / any_value(names))
    end as hhi_normalised,
    1 / sum(share * share) as effective_names,
    2 * sum(ascending_rank * exposure) / (any_value(names) * any_value(total_exposure))
        - (any_value(names) + 1.0) / any_value(names) as gini,
    case when any_value(names) > 1 then
        (2 * sum(ascending_rank * exposure) / (any_value(names) * any_value(total_exposure))
            - (any_value(names) + 1.0) / any_value(names))
        * any_value(names) / (any_value(names) - 1)
    end as gini_small_sample,
    -sum(share * ln(share)) as entropy,
    case when any_value(names) > 1 then -sum(share * ln(share)) / ln(any_value(names)) end
        as entropy_normalised,
    sum(share) filter (where descending_rank <= 1) as top_1_share,
    sum(share) filter (where descending_rank <= 5) as top_5_share,
    sum(share) filter (where descending_rank <= 10) as top_10_share,
    sum(share) filter (where descending_rank <= 20) as top_20_share,
from ranked
group by all
{%- endmacro %}
