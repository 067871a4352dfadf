-- One FHRS establishment: the premises Heyrick indicates on, placed in its
-- postcode's LSOA and local authority (ONS postcode directory) and that
-- LSOA's deprivation (IoD 2019, England only).

with establishments as (

    select * from {{ ref('stg_fhrs__establishments') }}

),

postcodes as (

    select * from {{ ref('stg_postcodes__postcodes') }}

),

deprivation as (

    select * from {{ ref('stg_imd__lsoa_deprivation') }}

)

select
    establishments.fhrsid,
    establishments.record_id,
    establishments.business_name,
    establishments.business_name_normalised,
    establishments.sector,
    establishments.business_type,
    establishments.address,
    establishments.postcode,
    establishments.postcode_district,
    establishments.postcode_sector,
    postcodes.lsoa_code,
    postcodes.lad_code,
    postcodes.pfa_code,
    postcodes.is_terminated as postcode_is_terminated,
    deprivation.imd_rank,
    deprivation.imd_decile,
    establishments.la_code,
    establishments.la_name,
    establishments.rating_scheme,
    establishments.rating_status,
    establishments.rating_numeric,
    establishments.rating_date,
    establishments.score_hygiene,
    establishments.score_structural,
    establishments.score_confidence_in_management,
    establishments.score_total_points_lost,
    coalesce(establishments.longitude, postcodes.longitude) as longitude,
    coalesce(establishments.latitude, postcodes.latitude) as latitude,
    establishments.data_vintage,
    {{ "'synthetic sample'" if var('synthetic') else "'official open data'" }} as data_origin,
    establishments.source_file,
    establishments.source_row

from establishments
left join postcodes on postcodes.postcode = establishments.postcode
left join deprivation on deprivation.lsoa_code = postcodes.lsoa_code
