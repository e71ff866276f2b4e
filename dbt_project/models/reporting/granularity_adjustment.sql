-- reporting.granularity_adjustment: the name-concentration add-on (H7) per portfolio and date.
select
    portfolio_id::varchar as portfolio_id,
    as_of_date::date as as_of_date,
    names::bigint as names,
    effective_names::double as effective_names,
    total_ead::double as total_ead,
    k_star::double as k_star,
    ga_full::double as ga_full,
    ga_simplified::double as ga_simplified,
    capital_add_on::double as capital_add_on,
    meaningful::boolean as meaningful,
    nullif(note::varchar, '') as note,
from {{ ref('fct_granularity_adjustment') }}
