-- reporting.concentration_indices: every index of section H per portfolio, as-of date,
-- dimension and level, over outstanding exposure. See _concentration.yml.
{{ concentration_indices(ref('int_concentration_items'),
                         ['portfolio_id', 'as_of_date', 'dimension', 'level']) }}
