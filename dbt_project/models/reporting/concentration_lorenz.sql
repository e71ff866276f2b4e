-- reporting.concentration_lorenz: the Lorenz curve points per portfolio, as-of date, dimension
-- and level: names sorted by exposure ascending; cumulative share of names against cumulative
-- share of exposure. The curve starts at (0, 0), which is not stored.
select
    portfolio_id,
    as_of_date,
    dimension,
    level,
    row_number() over names_ascending as point,
    item,
    exposure::decimal(20, 2) as exposure,
    row_number() over names_ascending / count(*) over whole as cumulative_name_share,
    sum(exposure) over names_ascending / sum(exposure) over whole as cumulative_exposure_share,
from {{ ref('int_concentration_items') }}
window
    whole as (partition by portfolio_id, as_of_date, dimension, level),
    names_ascending as (
        partition by portfolio_id, as_of_date, dimension, level
        order by exposure asc, item
        rows between unbounded preceding and current row
    )
