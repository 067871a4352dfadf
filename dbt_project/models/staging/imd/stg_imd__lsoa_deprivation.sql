-- One English LSOA (2011) with its Index of Multiple Deprivation 2019 position.

with source as (

    select * from {{ source('raw', 'imd__lsoa_deprivation') }}

),

renamed as (

    select
        lsoa_code,
        lsoa_name,
        lad_code,
        lad_name,

        imd_rank,
        imd_decile,
        -- Quintiles pair the published deciles (1-2 -> 1, ..., 9-10 -> 5): area
        -- statistics for small places are stratified by quintile, not decile.
        cast(ceil(imd_decile / 2.0) as integer) as imd_quintile,
        imd_score,
        income_score as income_rate,
        employment_score as employment_rate,
        population as population_mid_2015,
        imd_score is not null as has_domain_scores,

        _vintage as data_vintage,
        _source_file as source_file,
        _source_row as source_row

    from source

)

select * from renamed
