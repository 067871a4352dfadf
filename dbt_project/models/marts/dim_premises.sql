-- One FHRS establishment: the premises Heyrick indicates on.
-- lsoa_code is filled once the ONS postcode directory joins in (sources issue);
-- until then it is null and says so in the column description.

with establishments as (

    select * from {{ ref('stg_fhrs__establishments') }}

)

select
    fhrsid,
    record_id,
    business_name,
    business_name_normalised,
    sector,
    business_type,
    address,
    postcode,
    postcode_district,
    postcode_sector,
    cast(null as varchar) as lsoa_code,
    la_code,
    la_name,
    rating_scheme,
    rating_status,
    rating_numeric,
    rating_date,
    score_hygiene,
    score_structural,
    score_confidence_in_management,
    score_total_points_lost,
    longitude,
    latitude,
    data_vintage,
    {{ "'synthetic sample'" if var('synthetic') else "'official open data'" }} as data_origin,
    source_file,
    source_row

from establishments
