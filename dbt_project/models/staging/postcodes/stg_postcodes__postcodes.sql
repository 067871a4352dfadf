-- One postcode unit, live or terminated, with the areas it lies in.

with source as (

    select * from {{ source('raw', 'postcodes__postcodes') }}

),

renamed as (

    select
        -- Already canonical in the directory; the macro keeps one definition of
        -- "canonical" for every source that joins on it.
        {{ canonical_postcode('postcode') }} as postcode,
        {{ postcode_district(canonical_postcode('postcode')) }} as postcode_district,
        {{ postcode_sector(canonical_postcode('postcode')) }} as postcode_sector,
        postcode_7,

        introduced as introduced_on,
        terminated as terminated_on,
        -- Terminated postcodes stay: addresses in other sources still carry them.
        terminated is not null as is_terminated,
        usertype = 1 as is_large_user,

        oa11 as oa11_code,
        lsoa11 as lsoa_code,
        msoa11 as msoa11_code,
        lsoa21 as lsoa21_code,
        lad_code,
        pfa_code,
        country as country_code,
        latitude,
        longitude,

        layout,
        _vintage as data_vintage,
        _source_file as source_file,
        _source_row as source_row

    from source

)

select * from renamed
