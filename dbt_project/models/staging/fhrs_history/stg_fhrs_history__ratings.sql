-- One establishment as an earlier copy of its authority's FHRS file showed it: the
-- inspection then latest, its 0-5 rating (null for FHIS, exempt and unrated), and the
-- copy's date.

with source as (

    select * from {{ source('raw', 'fhrs_history__ratings') }}

)

select
    cast(fhrsid as {{ dbt.type_string() }}) || '@' || cast(_vintage as {{ dbt.type_string() }})
        as record_id,
    fhrsid,
    local_authority_code as la_code,
    _vintage as snapshot_date,
    rating_date,
    case
        when {{ full_match('rating_key', "'fhrs_[0-5]_.*'") }}
            then cast(substr(rating_key, 6, 1) as integer)
    end as rating_numeric,
    score_hygiene,
    score_structural,
    score_confidence_in_management,
    _source_file as source_file,
    _source_row as source_row

from source
