-- match_probability is a probability; an accepted Splink link never scores below a
-- possible one of the same link type (the thresholds are one cut per link type), except
-- a possible link whose left record has another link of that type at least as probable:
-- a premises keeps one company accepted (cascade.one_company_per_premises), and a
-- possible link without a name that agrees: however probable, its evidence may not carry
-- it (cascade.acceptable_pairs: an enforcement entry needs a name; a premises and a
-- company without one need a full address that pairs them alone).

with outranked as (
    select p.link_key
    from {{ ref('fct_record_links') }} as p
    join {{ ref('fct_record_links') }} as q
        on q.left_source = p.left_source
        and q.right_source = p.right_source
        and q.left_record_id = p.left_record_id
        and q.right_record_id <> p.right_record_id
        and q.match_probability >= p.match_probability
    where p.link_status = 'possible'
),

bounds as (
    select
        left_source,
        right_source,
        min(match_probability) filter (where link_status = 'accepted') as lowest_accepted,
        max(match_probability) filter (where link_status = 'possible') as highest_possible
    from {{ ref('fct_record_links') }}
    where match_rule = 'splink'
        and link_key not in (select link_key from outranked)
        and not (link_status = 'possible' and coalesce(weight_name, 0) <= 0)
    group by 1, 2
)

select link_key, match_probability
from {{ ref('fct_record_links') }}
where match_probability < 0 or match_probability > 1 or match_probability is null

union all

select left_source || '->' || right_source, highest_possible
from bounds
where highest_possible >= lowest_accepted
