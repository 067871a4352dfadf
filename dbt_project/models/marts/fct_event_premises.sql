-- One enforcement event attributed to one premises (grain: event_key + fhrsid), with
-- the probability that the premises belongs to the business the event names. The
-- linkage publishes accepted links (merged into businesses) and possible ones (kept
-- apart, with their match probability); an event reaches a premises along one of:
--   same_business          the premises is in the event's business cluster: 1.0;
--   possible_premises_link a possible link event -> premises: its match probability;
--   via_company            event -> company -> premises, where each hop is either
--                          membership of one business (1.0) or a possible link (its
--                          probability): the product of the two.
-- The most probable path is kept (on a tie, the first in the order above). Expected
-- event counts downstream are sums of attribution_probability: a premises that only
-- possibly belongs to a penalised business counts as a fraction of an event.

with events as (

    select event_key, source, record_id, business_id, published_date
    from {{ ref('fct_enforcement_events') }}

),

members as (

    select business_id, source, record_id
    from {{ ref('bridge_business_records') }}

),

possible_links as (

    select left_source, left_record_id, right_source, right_record_id, match_probability
    from {{ ref('fct_record_links') }}
    where link_status = 'possible'

),

premises as (

    select fhrsid, record_id, business_id
    from {{ ref('dim_premises') }}

),

same_business as (

    select
        events.event_key,
        premises.record_id as premises_record_id,
        cast(null as {{ dbt.type_string() }}) as via_company_number,
        cast(1 as double) as attribution_probability,
        'same_business' as attribution_rule,
        1 as rule_order

    from events
    inner join premises on premises.business_id = events.business_id

),

possible_premises_links as (

    select
        events.event_key,
        possible_links.right_record_id as premises_record_id,
        cast(null as {{ dbt.type_string() }}) as via_company_number,
        possible_links.match_probability as attribution_probability,
        'possible_premises_link' as attribution_rule,
        2 as rule_order

    from events
    inner join possible_links
        on possible_links.left_source = events.source
        and possible_links.left_record_id = events.record_id
        and possible_links.right_source = 'fhrs'

),

-- The companies an event reaches: those of its own business, and possible links.
event_companies as (

    select
        events.event_key,
        members.record_id as company_number,
        cast(1 as double) as probability

    from events
    inner join members
        on members.business_id = events.business_id
        and members.source = 'companies_house'

    union all

    select
        events.event_key,
        possible_links.right_record_id as company_number,
        possible_links.match_probability as probability

    from events
    inner join possible_links
        on possible_links.left_source = events.source
        and possible_links.left_record_id = events.record_id
        and possible_links.right_source = 'companies_house'

),

-- The premises a company reaches: those of its own business, and possible links
-- (published as premises -> company).
company_premises as (

    select
        members.record_id as company_number,
        premises.record_id as premises_record_id,
        cast(1 as double) as probability

    from members
    inner join premises on premises.business_id = members.business_id
    where members.source = 'companies_house'

    union all

    select
        right_record_id as company_number,
        left_record_id as premises_record_id,
        match_probability as probability

    from possible_links
    where left_source = 'fhrs' and right_source = 'companies_house'

),

via_company as (

    select
        event_companies.event_key,
        company_premises.premises_record_id,
        event_companies.company_number as via_company_number,
        event_companies.probability * company_premises.probability as attribution_probability,
        'via_company' as attribution_rule,
        3 as rule_order

    from event_companies
    inner join company_premises
        on company_premises.company_number = event_companies.company_number

),

paths as (

    select * from same_business
    union all
    select * from possible_premises_links
    union all
    select * from via_company

),

ranked as (

    select
        *,
        row_number() over (
            partition by event_key, premises_record_id
            order by attribution_probability desc, rule_order, via_company_number
        ) as path_rank

    from paths

)

select
    ranked.event_key || '|' || ranked.premises_record_id as event_premises_key,
    ranked.event_key,
    premises.fhrsid,
    events.source,
    events.published_date,
    ranked.attribution_probability,
    ranked.attribution_rule,
    ranked.via_company_number,
    {{ data_origin() }} as data_origin

from ranked
inner join events on events.event_key = ranked.event_key
inner join premises on premises.record_id = ranked.premises_record_id
where ranked.path_rank = 1
