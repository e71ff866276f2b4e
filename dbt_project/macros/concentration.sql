{#- Concentration indices of section H over rows (partition, item, exposure). Shares s_i are
    exposure / total; HHI = sum s_i^2 (H1); normalised HHI (H2, 1 when N = 1); effective number of
    names 1 / HHI; Gini in the population form 2 sum(i x_(i)) / (N sum x) - (N+1)/N with x sorted
    ascending, and the small-sample form x N/(N-1) (H3); Shannon entropy -sum s ln s in nats and
    normalised by ln N (H4, empty when N = 1); top-1/5/10/20 shares (H5).
    Sums of shares (floating point) add up in a fixed order, largest share first
    (list_sum over an ordered list): a parallel sum adds in whatever order the threads finish, and
    two builds of one batch then differed in the last digits. -#}
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
),

sums as (
    select
        {{ partition_by | join(', ') }},
        any_value(names) as names,
        any_value(total_exposure) as total_exposure,
        list_sum(list(share * share order by descending_rank)) as sum_squares,
        -list_sum(list(share * ln(share) order by descending_rank)) as entropy,
        sum(ascending_rank * exposure) as rank_weighted_exposure,
        {%- for n in [1, 5, 10, 20] %}
        list_sum(list(share order by descending_rank) filter (where descending_rank <= {{ n }}))
            as top_{{ n }}_share,
        {%- endfor %}
    from ranked
    group by all
)

select
    {{ partition_by | join(', ') }},
    names,
    total_exposure,
    sum_squares as hhi,
    case when names = 1 then 1.0
        else (sum_squares - 1.0 / names) / (1 - 1.0 / names) end as hhi_normalised,
    1 / sum_squares as effective_names,
    2 * rank_weighted_exposure / (names * total_exposure) - (names + 1.0) / names as gini,
    case when names > 1 then
        (2 * rank_weighted_exposure / (names * total_exposure) - (names + 1.0) / names)
        * names / (names - 1)
    end as gini_small_sample,
    entropy,
    case when names > 1 then entropy / ln(names) end as entropy_normalised,
    top_1_share,
    top_5_share,
    top_10_share,
    top_20_share,
from sums
{%- endmacro %}
