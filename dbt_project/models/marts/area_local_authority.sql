-- One local authority (grain: la_code, the FSA code that files the premises): how many
-- premises, businesses and target-sector premises it holds, how deprived the places
-- its premises sit in are, and the NRM referrals for labour exploitation where they
-- are published.
--
-- NRM: the Home Office publishes labour-exploitation referrals by police force area
-- (PFA), not by local authority. An authority lies in one PFA (taken from the ONS
-- postcode directory's PFA of its premises' postcodes), but a PFA holds several
-- authorities (the Metropolitan Police, 32 boroughs), so a force's count cannot be
-- split among them: nrm_referrals_labour is null unless a table publishes the
-- authority itself, and nrm_referrals_labour_pfa is the whole force area's count, to be
-- compared only with other force areas. Suppressed cells are left out of the sums
-- (never read as zero) and counted beside them.

with premises as (

    select la_code, la_name, lad_code, pfa_code, business_id, is_target_sector, imd_decile, imd_score
    from {{ ref('dim_premises') }}

),

referrals as (

    select * from {{ ref('stg_nrm__referrals') }}

),

authorities as (

    select
        la_code,
        max(la_name) as la_name,
        count(*) as n_premises,
        cast(sum(case when is_target_sector then 1 else 0 end) as bigint) as n_target_premises,
        count(distinct business_id) as n_businesses,
        count(imd_decile) as n_premises_with_imd,
        avg(cast(imd_score as double)) as mean_imd_score,
        avg(cast(imd_decile as double)) as mean_imd_decile,
        case
            when count(imd_decile) > 0
                then cast(sum(case when imd_decile = 1 then 1 else 0 end) as double) / count(imd_decile)
        end as share_premises_imd_decile_1,
        case
            when count(imd_decile) > 0
                then cast(sum(case when imd_decile <= 2 then 1 else 0 end) as double) / count(imd_decile)
        end as share_premises_imd_quintile_1

    from premises
    group by la_code

),

-- The ONS district and police force area of an authority: those of most of its
-- premises' postcodes (a few premises near a boundary carry the neighbour's).
districts as (

    select la_code, lad_code
    from (
        select
            la_code,
            lad_code,
            row_number() over (partition by la_code order by count(*) desc, lad_code) as rank_in_la
        from premises
        where lad_code is not null
        group by la_code, lad_code
    ) as ranked
    where rank_in_la = 1

),

force_areas as (

    select la_code, pfa_code
    from (
        select
            la_code,
            pfa_code,
            row_number() over (partition by la_code order by count(*) desc, pfa_code) as rank_in_la
        from premises
        where pfa_code is not null
        group by la_code, pfa_code
    ) as ranked
    where rank_in_la = 1

),

labour_cells as (

    select
        geography_type,
        case when geography_type = 'pfa' then pfa_code else la_code end as area_code,
        period,
        table_id,
        age_group,
        referrals,
        is_suppressed,
        max(case when age_group = 'All' then 1 else 0 end) over (
            partition by geography_type, pfa_code, la_code, period, table_id
        ) as has_all_ages

    from referrals
    where exploitation_type = 'Labour'
        and (
            (geography_type = 'pfa' and is_police_force_area)
            or (geography_type = 'local_authority' and la_code is not null)
        )

),

-- One count per area and quarter: the all-ages cell when published, else the sum of
-- the age groups; two tables publishing the same area and quarter give the larger
-- count, never the sum of both.
labour_quarters as (

    select
        geography_type,
        area_code,
        period,
        max(referrals) as referrals,
        max(suppressed_cells) as suppressed_cells

    from (
        select
            geography_type,
            area_code,
            period,
            table_id,
            cast(sum(referrals) as bigint) as referrals,
            cast(sum(case when is_suppressed then 1 else 0 end) as bigint) as suppressed_cells
        from labour_cells
        where (has_all_ages = 1 and age_group = 'All') or (has_all_ages = 0 and age_group <> 'All')
        group by geography_type, area_code, period, table_id
    ) as per_table
    group by geography_type, area_code, period

),

labour_areas as (

    select
        geography_type,
        area_code,
        cast(coalesce(sum(referrals), 0) as bigint) as referrals,
        cast(sum(suppressed_cells) as bigint) as suppressed_cells,
        min(period) as first_period,
        max(period) as last_period

    from labour_quarters
    group by geography_type, area_code

)

select
    authorities.la_code,
    authorities.la_name,
    districts.lad_code,
    force_areas.pfa_code,
    authorities.n_premises,
    authorities.n_target_premises,
    authorities.n_businesses,
    authorities.n_premises_with_imd,
    authorities.mean_imd_score,
    authorities.mean_imd_decile,
    authorities.share_premises_imd_decile_1,
    authorities.share_premises_imd_quintile_1,
    la_labour.referrals as nrm_referrals_labour,
    pfa_labour.referrals as nrm_referrals_labour_pfa,
    pfa_labour.suppressed_cells as nrm_labour_suppressed_cells_pfa,
    pfa_labour.first_period as nrm_first_period_pfa,
    pfa_labour.last_period as nrm_last_period_pfa,
    {{ data_origin() }} as data_origin

from authorities
left join districts on districts.la_code = authorities.la_code
left join force_areas on force_areas.la_code = authorities.la_code
left join labour_areas as la_labour
    on la_labour.geography_type = 'local_authority'
    and la_labour.area_code = districts.lad_code
left join labour_areas as pfa_labour
    on pfa_labour.geography_type = 'pfa'
    and pfa_labour.area_code = force_areas.pfa_code
