{#- Fails with one row per key value that occurs more than once. -#}
{% test unique_combination_of_columns(model, combination) %}
select {{ combination | join(', ') }}, count(*) as occurrences
from {{ model }}
group by all
having count(*) > 1
{% endtest %}
