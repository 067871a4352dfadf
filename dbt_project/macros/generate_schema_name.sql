{#- Use the configured schema as it is (staging, marts, ...), not dbt's
    default "<target schema>_<custom schema>", so the DuckDB schemas are the
    ones DESIGN.md names. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}{{ target.schema }}{%- else -%}{{ custom_schema_name | trim }}{%- endif -%}
{%- endmacro %}
