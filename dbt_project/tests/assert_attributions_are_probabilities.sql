-- attribution_probability is in (0, 1], and it is 1 exactly for the premises of the
-- event's own business: possible links score below the accept threshold, so no path
-- through one can reach 1. Returns the attributions that break this.

select event_premises_key, attribution_probability, attribution_rule
from {{ ref('fct_event_premises') }}
where attribution_probability is null
    or attribution_probability <= 0
    or attribution_probability > 1
    or (attribution_rule = 'same_business') <> (attribution_probability = 1)
