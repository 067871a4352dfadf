{#- A business name for comparison: lower case, "&" as "and", apostrophes
    dropped ("Tony's" -> "tonys"), other punctuation as space, white space
    collapsed. Legal forms and trading-as parts are split off later, in
    linkage, where the other sources' names need the same care. -#}
{% macro normalise_name(column) -%}
    {%- set no_apostrophes = replace_all("replace(lower(" ~ column ~ "), '&', ' and ')", "'[''’`]'", "''") -%}
    {%- set spaced = replace_all(no_apostrophes, "'[^a-z0-9 ]'", "' '") -%}
    nullif(trim({{ replace_all(spaced, "'\\s+'", "' '") }}), '')
{%- endmacro %}
