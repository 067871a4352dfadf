-- match_probability is a probability; an accepted Splink link never scores below a
-- possible one of the same link type (the thresholds are one cut per link type).

with bounds as (
    select
        left_source,
        right_source,
        min(match_probability) filter (where link_status = 'accepted') as lowest_accepted,
        max(match_probability) filter (where link_status = 'possible') as highest_possible
    from {{ ref('fct_record_links') }}
    where match_rule = 'splink'
    group by 1, 2
)

select link_key, match_probability
from {{ ref('fct_record_links') }}
where match_probability < 0 or match_probability > 1 or match_probability is null

union all

select left_source || '->' || right_source, highest_possible
from bounds
where highest_possible >= lowest_accepted
