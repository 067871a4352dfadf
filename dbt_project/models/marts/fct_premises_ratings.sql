-- One 0-5 food-hygiene inspection of a premises (grain: fhrsid, rating_date), as seen in
-- the latest FHRS file or in any earlier copy of it. The FSA publishes only each
-- premises' latest inspection, so this is the inspections that some kept copy showed,
-- not every inspection there was. Feeds the indicators rating_decline and the
-- inspection-history means (scores, points lost), which read only inspections dated on or
-- before their as-of date.

with observed as (

    select
        fhrsid, rating_date, rating_numeric,
        score_hygiene, score_structural, score_confidence_in_management,
        data_vintage as snapshot_date
    from {{ ref('stg_fhrs__establishments') }}
    where rating_numeric is not null and rating_date is not null
    union all
    select
        fhrsid, rating_date, rating_numeric,
        score_hygiene, score_structural, score_confidence_in_management,
        snapshot_date
    from {{ ref('stg_fhrs_history__ratings') }}
    where rating_numeric is not null and rating_date is not null

),

ranked as (

    select
        *,
        -- The same inspection shows the same rating in every copy; if not, the latest wins.
        row_number() over (
            partition by fhrsid, rating_date order by snapshot_date desc
        ) as newest_first,
        min(snapshot_date) over (partition by fhrsid, rating_date) as first_seen_on,
        count(*) over (partition by fhrsid, rating_date) as copies
    from observed

)

select
    cast(fhrsid as {{ dbt.type_string() }}) || '@' || cast(rating_date as {{ dbt.type_string() }})
        as inspection_id,
    fhrsid,
    rating_date,
    rating_numeric,
    -- Points lost (0 best) as that copy published them; null where a file gave no scores.
    score_hygiene,
    score_structural,
    score_confidence_in_management,
    first_seen_on,
    copies,
    {{ data_origin() }} as data_origin

from ranked
where newest_first = 1
