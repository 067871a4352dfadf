-- One record in a business cluster (grain: source + record_id). Records are linked into
-- one business only by accepted links; "possible" links never merge.

with clusters as (

    select * from {{ source('intermediate', 'int_business_clusters') }}

)

select
    concat_ws('|', source, record_id) as record_key,
    business_id,
    source,
    record_id
from clusters
