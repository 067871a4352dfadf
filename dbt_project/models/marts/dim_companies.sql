-- One company on the register extract (grain: company_number), with the business
-- (linkage cluster) it belongs to and the facts the business indicators read: when it
-- was incorporated, whether it is in distress, and how many companies share its
-- registered postcode and address. Many companies at one address is what formation
-- agents and accountants look like, and also what a chain of "phoenix" companies
-- re-incorporated at the same shop looks like: the count is context, not a verdict.
-- Status and counts are as at the extract's vintage, not as at any earlier date.

with companies as (

    select * from {{ ref('stg_companies_house__companies') }}

),

businesses as (

    select record_id, business_id
    from {{ ref('bridge_business_records') }}
    where source = 'companies_house'

),

classified as (

    select
        *,
        {{ normalise_name('address_line_1') }} as address_line_1_normalised,
        -- Liquidation, a proposal to strike off, administration, receivership and a
        -- voluntary arrangement (the register's words for insolvency procedures).
        case
            when company_status is null then null
            when lower(company_status) like '%liquidation%'
                or lower(company_status) like '%strike off%'
                or lower(company_status) like '%administration%'
                or lower(company_status) like '%receiver%'
                or lower(company_status) like '%voluntary arrangement%'
                then true
            else false
        end as is_distressed

    from companies

),

counted as (

    select
        *,
        -- Counted within the extract (the food-sector companies of the register and
        -- every company registered in the areas in scope), this company included.
        case
            when postcode is not null then count(*) over (partition by postcode)
        end as companies_at_postcode,
        case
            when postcode is not null and address_line_1_normalised is not null
                then count(*) over (partition by postcode, address_line_1_normalised)
        end as companies_at_address,
        case
            when postcode is not null and address_line_1_normalised is not null
                then cast(
                    sum(case when is_distressed then 1 else 0 end)
                        over (partition by postcode, address_line_1_normalised)
                    - case when is_distressed then 1 else 0 end
                as bigint)
        end as other_distressed_companies_at_address

    from classified

)

select
    counted.company_number,
    counted.record_id,
    businesses.business_id,
    counted.company_name,
    counted.company_name_normalised,
    counted.trading_name,
    counted.legal_form,
    counted.company_category,
    counted.company_status,
    counted.company_status_group,
    counted.is_distressed,
    counted.incorporation_date,
    counted.dissolution_date,
    counted.previous_company_names,
    counted.last_name_change_date,
    counted.sic_codes,
    counted.primary_sic_code,
    counted.is_food_sector,
    counted.address_line_1,
    counted.address_line_1_normalised,
    counted.address,
    counted.postcode,
    counted.postcode_district,
    counted.companies_at_postcode,
    counted.companies_at_address,
    counted.other_distressed_companies_at_address,
    counted.accounts_overdue,
    counted.conf_stmt_overdue,
    counted.data_vintage,
    {{ data_origin() }} as data_origin,
    counted.source_file,
    counted.source_row

from counted
left join businesses on businesses.record_id = counted.record_id
