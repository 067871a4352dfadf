-- One person with significant control of a company, standardised: canonical company
-- number and service-address postcode, typed dates, and whether the control lasts.
-- People arrive pseudonymised (controller_id); there is nothing to drop here.

with source as (

    select * from {{ source('raw', 'psc__persons_with_significant_control') }}

)

select
    record_id,
    {{ canonical_company_number('company_number') }} as company_number,
    company_number as company_number_as_published,
    kind,
    controller_id,
    is_individual,
    natures_of_control,
    notified_on,
    ceased_on,
    ceased_on is null as is_current,
    {{ canonical_postcode('address_postcode') }} as address_postcode,
    _vintage as data_vintage,
    _source_file as source_file,
    _source_row as source_row

from source
