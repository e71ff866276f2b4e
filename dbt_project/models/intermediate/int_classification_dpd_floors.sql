-- Grain: one row per DPD floor of the active rule set (var classification_rule_set), with the
-- floor's class rank. Read by every model that maps days past due to a class.
select
    floors.rule_set,
    floors.rule_set_version,
    floors.effective_from,
    floors.rule_id,
    floors.scope,
    floors.min_dpd,
    floors.floor_class,
    classes.class_rank as floor_rank,
    floors.source,
from {{ ref('classification_dpd_floors') }} as floors
inner join {{ ref('five_classes') }} as classes on classes.five_class = floors.floor_class
where floors.rule_set = '{{ var("classification_rule_set") }}'
