-- One FHRS establishment, standardised: canonical postcode, normalised name,
-- one rating vocabulary for both schemes, and Heyrick's sector.

with source as (

    select * from {{ source('raw', 'fhrs__establishments') }}

),

keyed as (

    select
        *,
        -- RatingKey has one vocabulary across English and Welsh files
        -- (fhrs_4_en-GB and fhrs_4_cy-GB are the same rating); RatingValue does not.
        lower(regexp_replace(rating_key, '(?i)_(en|cy)-gb$', '')) as rating_key_normalised,
        {{ canonical_postcode('postcode') }} as postcode_canonical

    from source

),

standardised as (

    select
        fhrsid,
        cast(fhrsid as {{ dbt.type_string() }}) as record_id,
        local_authority_business_id,
        business_name,
        {{ normalise_name('business_name') }} as business_name_normalised,
        business_type,
        business_type_id,
        {{ classify_sector('business_type', 'business_name') }} as sector,

        address_line_1,
        address_line_2,
        address_line_3,
        address_line_4,
        nullif(concat_ws(', ', address_line_1, address_line_2, address_line_3, address_line_4), '')
            as address,
        postcode as postcode_as_published,
        postcode_canonical as postcode,
        {{ postcode_district('postcode_canonical') }} as postcode_district,
        {{ postcode_sector('postcode_canonical') }} as postcode_sector,

        split_part(rating_key_normalised, '_', 1) as rating_scheme,
        rating_key_normalised as rating_key,
        rating_value as rating_value_as_published,
        case
            when {{ full_match('rating_key_normalised', "'fhrs_[0-5]'") }}
                then cast(right(rating_key_normalised, 1) as integer)
        end as rating_numeric,
        case
            when {{ full_match('rating_key_normalised', "'fhrs_[0-5]'") }} then 'rated'
            when rating_key_normalised = 'fhrs_awaitinginspection' then 'awaiting_inspection'
            when rating_key_normalised = 'fhrs_awaitingpublication' then 'awaiting_publication'
            when rating_key_normalised = 'fhrs_exempt' then 'exempt'
            when rating_key_normalised like 'fhis_%' then substr(rating_key_normalised, 6)
        end as rating_status,
        rating_date,

        -- Points lost at inspection: 0 is best. Hygiene and structural out of
        -- 25, confidence in management out of 30.
        score_hygiene,
        score_structural,
        score_confidence_in_management,
        score_hygiene + score_structural + score_confidence_in_management as score_total_points_lost,

        local_authority_code as la_code,
        local_authority_name as la_name,
        scheme_type,
        new_rating_pending,
        longitude,
        latitude,

        _vintage as data_vintage,
        _source_file as source_file,
        _source_row as source_row

    from keyed

)

select * from standardised
