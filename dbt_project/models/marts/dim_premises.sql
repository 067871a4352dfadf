-- One FHRS establishment: the premises Heyrick indicates on, placed in its
-- postcode's LSOA and local authority (ONS postcode directory) and that
-- LSOA's deprivation (IoD 2019, England only), with the business (linkage
-- cluster) it belongs to and whether its sector is one Heyrick indicates on.

with establishments as (

    select * from {{ ref('stg_fhrs__establishments') }}

),

postcodes as (

    select * from {{ ref('stg_postcodes__postcodes') }}

),

deprivation as (

    select * from {{ ref('stg_imd__lsoa_deprivation') }}

),

businesses as (

    select record_id, business_id
    from {{ ref('bridge_business_records') }}
    where source = 'fhrs'

)

select
    establishments.fhrsid,
    establishments.record_id,
    businesses.business_id,
    establishments.business_name,
    establishments.business_name_normalised,
    establishments.sector,
    {{ is_target_sector('establishments.sector') }} as is_target_sector,
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
    deprivation.imd_quintile,
    deprivation.imd_score,
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
    {{ data_origin() }} as data_origin,
    establishments.source_file,
    establishments.source_row

from establishments
left join postcodes on postcodes.postcode = establishments.postcode
left join deprivation on deprivation.lsoa_code = postcodes.lsoa_code
left join businesses on businesses.record_id = establishments.record_id
