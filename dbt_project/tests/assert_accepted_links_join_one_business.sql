{{ config(meta={"dagster": {"ref": {"name": "bridge_business_records"}}}) }}

-- Every accepted link's two records are members of the same business in
-- bridge_business_records (the clusters are built from the accepted links alone).
-- Returns the links that break this.

select links.link_key
from {{ ref('fct_record_links') }} as links
left join {{ ref('bridge_business_records') }} as l
    on l.source = links.left_source and l.record_id = links.left_record_id
left join {{ ref('bridge_business_records') }} as r
    on r.source = links.right_source and r.record_id = links.right_record_id
where links.link_status = 'accepted'
  and (l.business_id is null or r.business_id is null or l.business_id <> r.business_id)
