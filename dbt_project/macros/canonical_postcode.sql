{#- A UK postcode in its canonical form ("SE13 6JG"), or null when the value
    cannot be a full postcode. Published postcodes arrive in lower case, without
    the space, or with extra spaces; the inward code is always the last three
    characters, so the space goes before them. Partial postcodes (e.g. "W1U")
    give null: they cannot be joined to the postcode directory. -#}
{% macro canonical_postcode(column) -%}
    case
        when {{ full_match(
            "upper(" ~ replace_all("coalesce(" ~ column ~ ", '')", "'[^A-Za-z0-9]'", "''") ~ ")",
            "'[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}'"
        ) }}
        then
            left(upper({{ replace_all(column, "'[^A-Za-z0-9]'", "''") }}),
                 length({{ replace_all(column, "'[^A-Za-z0-9]'", "''") }}) - 3)
            || ' '
            || right(upper({{ replace_all(column, "'[^A-Za-z0-9]'", "''") }}), 3)
    end
{%- endmacro %}

{#- The outward code ("SE13") of a canonical postcode. -#}
{% macro postcode_district(canonical) -%}
    split_part({{ canonical }}, ' ', 1)
{%- endmacro %}

{#- The sector ("SE13 6") of a canonical postcode. -#}
{% macro postcode_sector(canonical) -%}
    case when {{ canonical }} is not null then left({{ canonical }}, length({{ canonical }}) - 2) end
{%- endmacro %}
