-- One enforcement event (grain: event_key = source|record_id): an employer on a Home
-- Office list of illegal-working civil penalties or named by the Department for Business
-- and Trade for not paying the minimum wage, with the business (linkage cluster) its
-- record belongs to. published_date is the day the event became public, the only date
-- the analysis may order events by: an indicator "as of" a date uses the events
-- published by then, never later ones.

with penalties as (

    select * from {{ ref('stg_illegal_working__penalties') }}

),

namings as (

    select * from {{ ref('stg_nmw_naming__named_employers') }}

),

businesses as (

    select source, record_id, business_id
    from {{ ref('bridge_business_records') }}

),

events as (

    select
        'illegal_working' as source,
        record_id,
        -- A quarter's list is published weeks after the quarter ends: its publication
        -- date (the list's vintage) when the file gives one, else the quarter's last day.
        coalesce(data_vintage, period_end) as published_date,
        period_start as event_period_start,
        period_end as event_period_end,
        cast(penalty_gbp as decimal(12, 2)) as amount_gbp,
        cast(illegal_workers as bigint) as workers,
        liable_party as employer_name,
        trading_name,
        postcode,
        postcode_district,
        data_vintage

    from penalties

    union all

    select
        'nmw_naming' as source,
        record_id,
        -- The round's press release: the day the employers were named.
        round_date as published_date,
        cast(null as date) as event_period_start,
        cast(null as date) as event_period_end,
        cast(arrears_gbp as decimal(12, 2)) as amount_gbp,
        cast(workers as bigint) as workers,
        employer_name,
        trading_name,
        postcode,
        postcode_district,
        data_vintage

    from namings

)

select
    events.source || '|' || events.record_id as event_key,
    events.source,
    events.record_id,
    events.published_date,
    events.event_period_start,
    events.event_period_end,
    events.amount_gbp,
    events.workers,
    businesses.business_id,
    events.employer_name,
    events.trading_name,
    events.postcode,
    events.postcode_district,
    events.data_vintage,
    {{ data_origin() }} as data_origin

from events
left join businesses
    on businesses.source = events.source
    and businesses.record_id = events.record_id
