{#- A company number as the register keys it: 8 characters, digits zero-padded, or a
    2-letter prefix (SC, NI, OC...) and 6 digits; a spreadsheet round trip drops the
    zeros. The same rule as stg_companies_house__companies. -#}
{% macro canonical_company_number(column) -%}
    {%- set compact = "upper(" ~ replace_all("coalesce(" ~ column ~ ", '')", "'\\s'", "''") ~ ")" -%}
    case
        when {{ full_match(compact, "'[0-9]{1,8}'") }} then lpad({{ compact }}, 8, '0')
        when {{ full_match(compact, "'[A-Z]{2}[0-9]{1,6}'") }}
            then left({{ compact }}, 2) || lpad(substr({{ compact }}, 3), 6, '0')
        else nullif({{ compact }}, '')
    end
{%- endmacro %}
