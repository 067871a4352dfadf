{#- Use the configured schema as it is (staging, marts, ...), not dbt's
    default "<target schema>_<custom schema>", so the DuckDB schemas are the
    ones DESIGN.md names.

    Write-audit-publish: a model whose schema is listed in the var
    `candidate_schemas` is built as a candidate under `audit_<schema>`
    (`audit_marts.dim_premises`), where its tests run; heyrick_dagster/publishing.py
    moves the candidates that passed over the published tables afterwards
    (CANDIDATE_PREFIX there must match `audit_` here). Without the var (a hand-run
    `dbt build`, the Spark build) every model is built in place. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- set schema = target.schema if custom_schema_name is none else custom_schema_name | trim -%}
    {%- if node.resource_type == 'model' and schema in var('candidate_schemas', []) -%}
        audit_{{ schema }}
    {%- else -%}
        {{ schema }}
    {%- endif -%}
{%- endmacro %}
