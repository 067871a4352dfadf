-- One count of NRM referrals per area, exploitation type, age group, table and
-- quarter, with police force area names mapped to their GSS codes through the seed
-- nrm__police_force_areas (which lists each force under every name the tables use).

with source as (

    select * from {{ source('raw', 'nrm__referrals') }}

),

force_areas as (

    select
        published_name,
        pfa_code,
        pfa_name,
        country,
        force_kind,
        {{ normalise_name('published_name') }} as name_key

    from {{ ref('nrm__police_force_areas') }}

),

keyed as (

    select
        *,
        {{ normalise_name('geography_name') }} as name_key

    from source

),

joined as (

    select
        keyed.*,
        force_areas.published_name as pfa_matched_name,
        force_areas.pfa_code as pfa_code_from_name,
        force_areas.pfa_name,
        force_areas.country as pfa_country,
        force_areas.force_kind

    from keyed
    -- Only police force areas are looked up: a county called "Durham" is not the force.
    left join force_areas
        on keyed.geography_type = 'pfa'
        and keyed.name_key = force_areas.name_key

),

standardised as (

    select
        concat_ws('|', period, table_id, geography_type, geography_name,
            exploitation_type, age_group) as record_id,
        period,
        cast(left(period, 4) as integer) as period_year,
        cast(right(period, 1) as integer) as period_quarter,
        make_date(cast(left(period, 4) as integer),
            cast(right(period, 1) as integer) * 3 - 2, 1) as period_start,
        table_id,
        geography_type,
        geography_name,
        geography_code as geography_code_as_published,

        case
            when geography_type = 'pfa'
                then coalesce(geography_code, pfa_code_from_name)
        end as pfa_code,
        pfa_name,
        pfa_country,
        pfa_matched_name,
        -- British Transport Police and "not known" rows are forces or categories
        -- without an area: kept, but never joined to an area.
        force_kind,
        coalesce(force_kind = 'territorial', false) as is_police_force_area,
        case when geography_type = 'local_authority' then geography_code end as la_code,

        exploitation_type,
        age_group,
        referrals,
        suppressed as is_suppressed,

        _vintage as data_vintage,
        _source_file as source_file,
        _source_row as source_row

    from joined

)

select * from standardised
