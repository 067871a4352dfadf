{{ config(meta={"dagster": {"ref": {"name": "fct_event_premises"}}}) }}

-- An attribution by same_business joins an event to a premises of its own business
-- (both business_ids from bridge_business_records), and every premises of an event's
-- business is attributed to it at 1.0. Returns the pairs that break either rule.

with attributions as (

    select * from {{ ref('fct_event_premises') }}

),

events as (

    select event_key, business_id from {{ ref('fct_enforcement_events') }}

),

premises as (

    select fhrsid, business_id from {{ ref('dim_premises') }}

)

select attributions.event_key, attributions.fhrsid, 'same_business without a shared business' as problem
from attributions
inner join events on events.event_key = attributions.event_key
inner join premises on premises.fhrsid = attributions.fhrsid
where attributions.attribution_rule = 'same_business'
    and events.business_id <> premises.business_id

union all

select events.event_key, premises.fhrsid, 'premises of the business not attributed at 1.0'
from events
inner join premises on premises.business_id = events.business_id
left join attributions
    on attributions.event_key = events.event_key
    and attributions.fhrsid = premises.fhrsid
    and attributions.attribution_rule = 'same_business'
where attributions.event_key is null
