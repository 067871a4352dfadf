-- One candidate link between two source records (grain: the record pair).
-- Exact tiers: accepted, probability 1.0, no weights. Splink tier: the trained model's
-- probability, accepted or possible by the thresholds of heyrick_dagster/linkage/thresholds.json,
-- and the match weight (log2 Bayes factor) of each comparison: why the pair scored as it did.

with links as (

    select * from {{ source('intermediate', 'int_links__cascade') }}

)

select
    concat_ws('|', left_source, left_record_id, right_source, right_record_id) as link_key,
    left_source,
    left_record_id,
    right_source,
    right_record_id,
    match_probability,
    match_rule,
    link_status,
    match_weight,
    weight_name,
    weight_location,
    weight_activity
from links
