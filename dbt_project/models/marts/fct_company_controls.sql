-- One person with significant control of a company (grain: record_id), pseudonymised,
-- with what the business indicators need of the company: whether it is on the register
-- extract (a company number of the PSC snapshot absent from it is dissolved, or outside
-- the extract's food sector and areas), its business (linkage cluster), food sector,
-- incorporation date and registered postcode. No name or birth date exists upstream:
-- controller_id is the keyed hash made at ingest. Dates are kept so that the analysis
-- can ask who controlled what on any given day.

with controls as (

    select * from {{ ref('stg_psc__persons_with_significant_control') }}
    where controller_id is not null

),

companies as (

    select
        company_number,
        business_id,
        is_food_sector,
        is_distressed,
        incorporation_date,
        postcode
    from {{ ref('dim_companies') }}

)

select
    controls.record_id,
    controls.company_number,
    controls.controller_id,
    controls.is_individual,
    controls.notified_on,
    controls.ceased_on,
    controls.address_postcode,
    companies.company_number is not null as company_on_register,
    companies.business_id,
    companies.is_food_sector,
    companies.is_distressed,
    companies.incorporation_date,
    companies.postcode as company_postcode,
    controls.data_vintage,
    {{ data_origin() }} as data_origin

from controls
left join companies on companies.company_number = controls.company_number
