-- One LSOA that holds at least one premises (grain: lsoa_code): how many premises and
-- how many in the target sectors it holds, beside its deprivation (IoD 2019, England
-- only: Welsh and Scottish areas have no IMD row and keep null scores).

with premises as (

    select lsoa_code, la_code, business_id, is_target_sector
    from {{ ref('dim_premises') }}
    where lsoa_code is not null

),

deprivation as (

    select * from {{ ref('stg_imd__lsoa_deprivation') }}

),

counts as (

    select
        lsoa_code,
        count(*) as n_premises,
        cast(sum(case when is_target_sector then 1 else 0 end) as bigint) as n_target_premises,
        count(distinct business_id) as n_businesses

    from premises
    group by lsoa_code

),

-- An LSOA lies in one local authority, but a premises near a boundary may be filed by
-- the neighbouring council: the LSOA goes to the council that files most of its
-- premises (the lower code on a tie), so that every LSOA sits in one authority.
authorities as (

    select lsoa_code, la_code
    from (
        select
            lsoa_code,
            la_code,
            row_number() over (partition by lsoa_code order by count(*) desc, la_code) as rank_in_lsoa
        from premises
        group by lsoa_code, la_code
    ) as ranked
    where rank_in_lsoa = 1

)

select
    counts.lsoa_code,
    deprivation.lsoa_name,
    authorities.la_code,
    deprivation.lad_code,
    counts.n_premises,
    counts.n_target_premises,
    counts.n_businesses,
    deprivation.imd_rank,
    deprivation.imd_decile,
    deprivation.imd_quintile,
    deprivation.imd_score,
    deprivation.income_rate,
    deprivation.employment_rate,
    deprivation.population_mid_2015 as population,
    case
        when deprivation.population_mid_2015 > 0
            then cast(counts.n_target_premises as double) * 1000 / deprivation.population_mid_2015
    end as target_premises_per_1000_residents,
    deprivation.data_vintage as imd_vintage,
    {{ data_origin() }} as data_origin

from counts
inner join authorities on authorities.lsoa_code = counts.lsoa_code
left join deprivation on deprivation.lsoa_code = counts.lsoa_code
