-- One employer named for not paying the National Minimum Wage, standardised:
-- names without their legal form and normalised, postcode or postcode district,
-- arrears per worker. "trading as" and "(ceased trading)" were split off at ingest.

with source as (

    select * from {{ source('raw', 'nmw_naming__named_employers') }}

),

-- The legal form ends the name ("G1 Venues Ltd", "Kings Group LLP", "Hope Kitchen
-- C.I.C."); only the end is looked at, so "Limited Edition Cafe" keeps its word.
legal_forms as (

    select
        *,
        '(?i)[\s,]*\b(limited liability partnership|public limited company|community interest company|limited|ltd\.?|plc|l\.?l\.?p\.?|c\.?i\.?c\.?)\s*$'
            as legal_form_pattern
    from source

),

split as (

    select
        *,
        lower(replace(regexp_extract(employer_name, legal_form_pattern, 1), '.', '')) as legal_form_words,
        nullif(trim(regexp_replace(employer_name, legal_form_pattern, '')), '') as employer_name_base,
        nullif(trim(regexp_replace(trading_name, legal_form_pattern, '')), '') as trading_name_base,
        {{ canonical_postcode('postcode') }} as postcode_canonical,
        upper(trim(postcode)) as postcode_trimmed

    from legal_forms

),

standardised as (

    select
        record_id,
        round,
        round_date,

        employer_name,
        case
            when legal_form_words in ('limited', 'ltd') then 'ltd'
            when legal_form_words in ('plc', 'public limited company') then 'plc'
            when legal_form_words in ('llp', 'limited liability partnership') then 'llp'
            when legal_form_words in ('cic', 'community interest company') then 'cic'
        end as employer_legal_form,
        -- A name that is nothing but a legal form keeps its whole text.
        {{ normalise_name('coalesce(employer_name_base, employer_name)') }} as employer_name_normalised,
        trading_name,
        {{ normalise_name('coalesce(trading_name_base, trading_name)') }} as trading_name_normalised,
        ceased_trading,

        location,
        postcode as postcode_as_published,
        postcode_canonical as postcode,
        case
            when postcode_canonical is not null then {{ postcode_district('postcode_canonical') }}
            -- Since 2020 the lists publish the district only ("AL7").
            when {{ full_match('postcode_trimmed', "'[A-Z]{1,2}[0-9][A-Z0-9]?'") }} then postcode_trimmed
        end as postcode_district,

        -- Money stays decimal(12, 2) from the parser on: pounds and pence, exactly.
        arrears_gbp,
        workers,
        cast({{ money_per_head('arrears_gbp', 'nullif(workers, 0)') }} as decimal(12, 2))
            as arrears_per_worker_gbp,

        _vintage as data_vintage,
        _source_file as source_file,
        _source_row as source_row

    from split

)

select * from standardised
