{#- A business name for comparison: lower case, "&" as "and", apostrophes
    dropped ("Tony's" -> "tonys"), other punctuation as space, white space
    collapsed. Legal forms and trading-as parts are split off later, in
    linkage, where the other sources' names need the same care. -#}
{% macro normalise_name(column) -%}
    nullif(trim(regexp_replace(
        regexp_replace(
            regexp_replace(replace(lower({{ column }}), '&', ' and '), '[''’`]', '', 'g'),
            '[^a-z0-9 ]', ' ', 'g'),
        '\s+', ' ', 'g'
    )), '')
{%- endmacro %}
