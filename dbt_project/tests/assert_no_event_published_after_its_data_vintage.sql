-- An event cannot be public after the list it was read from was published (its
-- data_vintage), and a quarter's penalty list is not public before the quarter ends:
-- either would put the event on the wrong side of an "as of" cut. Returns the events
-- that break this.

select event_key, published_date, data_vintage, event_period_end
from {{ ref('fct_enforcement_events') }}
where published_date > data_vintage
    or published_date < event_period_end
