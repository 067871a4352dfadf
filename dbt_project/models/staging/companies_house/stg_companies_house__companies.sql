-- One company on the register (food sector, as kept at ingest), standardised:
-- canonical company number, name split into registered name, legal form and
-- trading name, canonical postcode, SIC codes as a list and the food-sector flag.

{# The SIC 2007 codes of heyrick_dagster/sources/companies_house.py FOOD_SIC_CODES,
    where each is justified (a test checks the two lists agree). Raw also holds
    companies kept for their postcode district alone: the flag tells them apart. #}
{% set food_sic_codes = [
    '56101', '56102', '56103', '56210', '56290', '56301', '56302',
    '47110', '47190', '47210', '47220', '47230', '47240', '47250', '47260', '47290',
    '10710', '46390',
] %}

with source as (

    select * from {{ source('raw', 'companies_house__companies') }}

),

split as (

    select
        *,
        upper({{ replace_all("coalesce(company_number, '')", "'\\s'", "''") }}) as number_compact,
        {{ name_before_trading_as('company_name') }} as registered_part,
        {{ name_after_trading_as('company_name') }} as trading_part,
        {{ canonical_postcode('reg_address_postcode') }} as postcode_canonical,
        -- "56103 - Take-away food shops..." -> '56103'; "None Supplied" and the few
        -- 4-digit SIC 2003 codes still on old companies give nothing.
        {{ list_of_present([
            "regexp_extract(sic_code_sic_text_1, '^([0-9]{5})( - |$)', 1)",
            "regexp_extract(sic_code_sic_text_2, '^([0-9]{5})( - |$)', 1)",
            "regexp_extract(sic_code_sic_text_3, '^([0-9]{5})( - |$)', 1)",
            "regexp_extract(sic_code_sic_text_4, '^([0-9]{5})( - |$)', 1)",
        ], drop_empty=true) }} as sic_code_list

    from source

),

named as (

    select
        *,
        {{ normalise_name('company_name') }} as full_name_normalised,
        {{ normalise_name('registered_part') }} as registered_part_normalised,
        {{ normalise_name('trading_part') }} as trading_part_normalised

    from split

),

standardised as (

    select
        -- Numbers are 8 characters: digits zero-padded, or a 2-letter prefix (SC, NI,
        -- OC...) and 6 digits; a spreadsheet round trip drops the zeros.
        case
            when {{ full_match('number_compact', "'[0-9]{1,8}'") }} then lpad(number_compact, 8, '0')
            when {{ full_match('number_compact', "'[A-Z]{2}[0-9]{1,6}'") }}
                then left(number_compact, 2) || lpad(substr(number_compact, 3), 6, '0')
            else nullif(number_compact, '')
        end as company_number,
        company_number as company_number_as_published,

        company_name,
        -- The legal form usually ends the registered part ("ABC FOODS LTD T/A GOLDEN
        -- FRY"), but may end the whole name ("MUHAMMAD UMER T/A MABZ LTD").
        coalesce(
            {{ legal_form_of('registered_part_normalised') }},
            {{ legal_form_of('full_name_normalised') }}
        ) as legal_form,
        {{ strip_legal_form('registered_part_normalised') }} as company_name_normalised,
        trading_part as trading_name,
        {{ strip_legal_form('trading_part_normalised') }} as trading_name_normalised,
        {{ list_of_present([
            'previous_name_1_company_name', 'previous_name_2_company_name',
            'previous_name_3_company_name', 'previous_name_4_company_name',
            'previous_name_5_company_name', 'previous_name_6_company_name',
            'previous_name_7_company_name', 'previous_name_8_company_name',
            'previous_name_9_company_name', 'previous_name_10_company_name',
        ]) }} as previous_company_names,
        previous_name_1_condate as last_name_change_date,

        company_category,
        company_status,
        case
            when company_status = 'Active' then 'active'
            when company_status = 'Active - Proposal to Strike off' then 'proposal_to_strike_off'
            when company_status is not null then 'insolvency'
        end as company_status_group,
        country_of_origin,
        incorporation_date,
        dissolution_date,

        sic_code_list as sic_codes,
        {{ list_first('sic_code_list') }} as primary_sic_code,
        {{ list_has_any('sic_code_list', food_sic_codes) }} as is_food_sector,

        reg_address_care_of as care_of,
        reg_address_po_box as po_box,
        reg_address_line_1 as address_line_1,
        reg_address_line_2 as address_line_2,
        reg_address_post_town as post_town,
        reg_address_county as county,
        reg_address_country as country_as_published,
        nullif(concat_ws(', ', reg_address_line_1, reg_address_line_2, reg_address_post_town), '')
            as address,
        reg_address_postcode as postcode_as_published,
        postcode_canonical as postcode,
        {{ postcode_district('postcode_canonical') }} as postcode_district,
        {{ postcode_sector('postcode_canonical') }} as postcode_sector,
        -- The country field is blank for a third of companies and says ENGLAND or
        -- UNITED KINGDOM for the rest; a UK postcode settles a blank one, and null
        -- means unknown (blank country, no readable postcode).
        case
            when upper(trim(reg_address_country)) in (
                'ENGLAND', 'WALES', 'SCOTLAND', 'NORTHERN IRELAND', 'UNITED KINGDOM',
                'GREAT BRITAIN', 'ENGLAND AND WALES', 'UK'
            ) then true
            when nullif(trim(reg_address_country), '') is not null then false
            when postcode_canonical is not null then true
        end as is_uk_address,

        accounts_account_ref_day as accounts_ref_day,
        accounts_account_ref_month as accounts_ref_month,
        accounts_account_category as accounts_category,
        accounts_last_made_up_date,
        accounts_next_due_date,
        accounts_next_due_date < _vintage as accounts_overdue,
        conf_stmt_last_made_up_date,
        conf_stmt_next_due_date,
        conf_stmt_next_due_date < _vintage as conf_stmt_overdue,
        returns_last_made_up_date,
        returns_next_due_date,
        mortgages_num_mort_charges as mortgage_charges,
        mortgages_num_mort_outstanding as mortgage_charges_outstanding,
        mortgages_num_mort_part_satisfied as mortgage_charges_part_satisfied,
        mortgages_num_mort_satisfied as mortgage_charges_satisfied,
        limited_partnerships_num_gen_partners as general_partners,
        limited_partnerships_num_lim_partners as limited_partners,
        uri,

        _vintage as data_vintage,
        _source_file as source_file,
        _source_row as source_row

    from named

),

keyed as (

    -- The company number is also the record id that linkage and the sample truth use.
    select company_number as record_id, * from standardised

)

select * from keyed
