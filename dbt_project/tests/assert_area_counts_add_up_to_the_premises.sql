{{ config(meta={"dagster": {"ref": {"name": "area_local_authority"}}}) }}

-- Every premises is counted once in its authority, and once in its LSOA when it has
-- one: the area marts add up to dim_premises. Returns the totals that disagree.

with premises as (

    select
        count(*) as n_premises,
        count(lsoa_code) as n_premises_in_an_lsoa

    from {{ ref('dim_premises') }}

),

authorities as (

    select coalesce(sum(n_premises), 0) as n_premises from {{ ref('area_local_authority') }}

),

lsoas as (

    select coalesce(sum(n_premises), 0) as n_premises from {{ ref('area_lsoa') }}

)

select 'area_local_authority' as area_level, authorities.n_premises, premises.n_premises as expected
from authorities cross join premises
where authorities.n_premises <> premises.n_premises

union all

select 'area_lsoa', lsoas.n_premises, premises.n_premises_in_an_lsoa
from lsoas cross join premises
where lsoas.n_premises <> premises.n_premises_in_an_lsoa
