-- One employer named in a quarter's list of illegal-working civil penalties,
-- standardised: canonical postcode, normalised names, the address split into
-- street and county or region, and the quarter's first and last day.

with source as (

    select * from {{ source('raw', 'illegal_working__penalties') }}

),

prepared as (

    select
        *,
        -- Trailing commas and spaces are publishing debris, not an empty last part.
        nullif(trim(regexp_replace(address, '[\s,]+$', '')), '') as address_trimmed,
        {{ canonical_postcode('postcode') }} as postcode_canonical,
        cast(left(period, 4) as integer) as period_year,
        cast(right(period, 1) as integer) as period_quarter

    from source

),

address_split as (

    select
        *,
        case
            when address_trimmed like '%,%'
                then trim(regexp_extract(address_trimmed, ',([^,]*)$', 1))
        end as area_as_published,
        case
            when address_trimmed like '%,%'
                then trim(regexp_replace(address_trimmed, ',[^,]*$', ''))
            else address_trimmed
        end as street_address

    from prepared

),

area_standardised as (

    select
        *,
        -- See doc illegal_working_county_or_region for the rules.
        case
            when lower(area_as_published) = 'yorkkshire' then 'Yorkshire'
            when lower(area_as_published) = 'cambs' then 'Cambridgeshire'
            when area_as_published in (lower(area_as_published), upper(area_as_published))
                then {{ capitalise_words('area_as_published') }}
            else area_as_published
        end as county_or_region

    from address_split

),

standardised as (

    select
        record_id,
        period,
        period_year,
        period_quarter,
        make_date(period_year, 3 * period_quarter - 2, 1) as period_start,
        last_day(make_date(period_year, 3 * period_quarter, 1)) as period_end,
        region,

        liable_party,
        {{ normalise_name('liable_party') }} as liable_party_normalised,
        trading_name,
        {{ normalise_name('trading_name') }} as trading_name_normalised,
        -- A company trading under its own name: the name then says nothing more
        -- about the shop front, which matters when matching to FHRS.
        coalesce(
            {{ normalise_name('liable_party') }} = {{ normalise_name('trading_name') }}, false
        ) as liable_party_is_trading_name,

        address,
        street_address,
        county_or_region,
        area_as_published as county_or_region_as_published,
        postcode as postcode_as_published,
        postcode_canonical as postcode,
        {{ postcode_district('postcode_canonical') }} as postcode_district,

        penalty_gbp,
        illegal_workers,

        _vintage as data_vintage,
        _source_file as source_file,
        _source_row as source_row

    from area_standardised

)

select * from standardised
