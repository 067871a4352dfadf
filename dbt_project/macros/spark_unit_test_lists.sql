{#- Unit-test fixtures on Spark: a list written as DuckDB shows one ("[56103]",
    "[68209, 47110]", "[]") becomes array('56103', ...) for an array<string> column, so
    the unit tests in the models' yml files serve both engines. Anything else is cast as
    dbt-spark's own spark__safe_cast casts it (unquoted for array, map and struct). -#}
{% macro spark__safe_cast(field, type) %}
    {%- set text = field.strip("'") if field is string else none -%}
    {%- if type | lower == 'array<string>' and text and text.startswith('[') and text.endswith(']') -%}
        {%- set items = text[1:-1].split(',') | map('trim') | reject('equalto', '') | list -%}
        cast(array({% for item in items %}'{{ item }}'{% if not loop.last %}, {% endif %}{% endfor %}) as array<string>)
    {%- elif field is string and cast_from_string_unsupported_for(type) -%}
        cast({{ field.strip('"').strip("'") }} as {{ type }})
    {%- else -%}
        cast({{ field }} as {{ type }})
    {%- endif -%}
{% endmacro %}
