-- One candidate link between two source records (grain: the record pair).
-- Today: the exact tiers only (every link accepted, probability 1.0).

with links as (

    select * from {{ source('intermediate', 'int_links__exact') }}

)

select
    concat_ws('|', left_source, left_record_id, right_source, right_record_id) as link_key,
    left_source,
    left_record_id,
    right_source,
    right_record_id,
    match_probability,
    match_rule,
    link_status
from links
