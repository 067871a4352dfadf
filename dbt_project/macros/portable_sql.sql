{#- SQL that DuckDB and Spark spell differently, one macro per construct, dispatched on the
    adapter (duckdb__ for the pipeline's warehouse, spark__ for dbt-spark; see
    heyrick_dagster/spark/). Models call these instead of the DuckDB functions so that
    they also build on Spark; the duckdb__ variants render the SQL the models had before.

    Regular expressions: DuckDB's are RE2, Spark's are Java's; the patterns Heyrick uses
    mean the same in both (classes, anchors, (?i), non-greedy, \b on ASCII words). The
    spark target reads string literals without backslash escapes, as DuckDB does
    (spark.sql.parser.escapedStringLiterals in profiles.yml), so one literal serves both. -#}

{#- True when the whole of `value` matches `pattern` (DuckDB's regexp_full_match). -#}
{% macro full_match(value, pattern) -%}
    {{ return(adapter.dispatch('full_match')(value, pattern)) }}
{%- endmacro %}
{% macro duckdb__full_match(value, pattern) -%}
    regexp_full_match({{ value }}, {{ pattern }})
{%- endmacro %}
{% macro spark__full_match(value, pattern) -%}
    ({{ value }} rlike concat('^(?:', {{ pattern }}, ')$'))
{%- endmacro %}

{#- True when `pattern` matches somewhere in `value` (DuckDB's regexp_matches). -#}
{% macro matches(value, pattern) -%}
    {{ return(adapter.dispatch('matches')(value, pattern)) }}
{%- endmacro %}
{% macro duckdb__matches(value, pattern) -%}
    regexp_matches({{ value }}, {{ pattern }})
{%- endmacro %}
{% macro spark__matches(value, pattern) -%}
    ({{ value }} rlike {{ pattern }})
{%- endmacro %}

{#- Every match of `pattern` in `value` replaced (DuckDB replaces the first unless told 'g';
    Spark always replaces every match). A pattern anchored at the end matches once, so
    plain regexp_replace(value, pattern, replacement) means the same on both. -#}
{% macro replace_all(value, pattern, replacement) -%}
    {{ return(adapter.dispatch('replace_all')(value, pattern, replacement)) }}
{%- endmacro %}
{% macro duckdb__replace_all(value, pattern, replacement) -%}
    regexp_replace({{ value }}, {{ pattern }}, {{ replacement }}, 'g')
{%- endmacro %}
{% macro spark__replace_all(value, pattern, replacement) -%}
    regexp_replace({{ value }}, {{ pattern }}, {{ replacement }})
{%- endmacro %}

{#- A list of the `items` (SQL expressions) that are not null, and not '' when
    `drop_empty`, in their order. -#}
{% macro list_of_present(items, drop_empty=false) -%}
    {{ return(adapter.dispatch('list_of_present')(items, drop_empty)) }}
{%- endmacro %}
{% macro duckdb__list_of_present(items, drop_empty) -%}
    list_filter(
        [{{ items | join(', ') }}],
        lambda item: item is not null{% if drop_empty %} and item <> ''{% endif %}
    )
{%- endmacro %}
{% macro spark__list_of_present(items, drop_empty) -%}
    filter(
        array({{ items | join(', ') }}),
        item -> item is not null{% if drop_empty %} and item <> ''{% endif %}
    )
{%- endmacro %}

{#- The first element of a list, null when it is empty. -#}
{% macro list_first(list) -%}
    {{ return(adapter.dispatch('list_first')(list)) }}
{%- endmacro %}
{% macro duckdb__list_first(list) -%}
    {{ list }}[1]
{%- endmacro %}
{% macro spark__list_first(list) -%}
    try_element_at({{ list }}, 1)
{%- endmacro %}

{#- True when the list shares an element with `values` (a list of strings, in Jinja). -#}
{% macro list_has_any(list, values) -%}
    {{ return(adapter.dispatch('list_has_any')(list, values)) }}
{%- endmacro %}
{% macro duckdb__list_has_any(list, values) -%}
    len(list_intersect({{ list }}, {{ values }})) > 0
{%- endmacro %}
{% macro spark__list_has_any(list, values) -%}
    size(array_intersect({{ list }}, array('{{ values | join("', '") }}'))) > 0
{%- endmacro %}

{#- Each space-separated word of `value` with a capital first letter and the rest in lower
    case ("NORTH YORKSHIRE" -> "North Yorkshire"); spaces are kept as they are. -#}
{% macro capitalise_words(value) -%}
    {{ return(adapter.dispatch('capitalise_words')(value)) }}
{%- endmacro %}
{% macro duckdb__capitalise_words(value) -%}
    list_aggr(
        list_transform(
            string_split(lower({{ value }}), ' '),
            lambda word: upper(left(word, 1)) || substr(word, 2)
        ),
        'string_agg', ' '
    )
{%- endmacro %}
{% macro spark__capitalise_words(value) -%}
    array_join(
        transform(split(lower({{ value }}), ' '), word -> upper(left(word, 1)) || substr(word, 2)),
        ' '
    )
{%- endmacro %}

{#- A quote inside a string literal written by dbt (unit-test fixtures, seeds) doubled, as
    in DuckDB and standard SQL. dbt-spark's own variant writes \' , which the spark target
    reads as a backslash and a quote, since its literals take no backslash escapes. -#}
{% macro spark__escape_single_quotes(expression) -%}
    {{ expression | replace("'", "''") }}
{%- endmacro %}

{#- A sum of money shared among `count` (an integer, null or positive), to the nearest penny,
    half a penny up, exactly: in whole pence with integer division, never through a double
    (DuckDB divides a decimal by an integer as a double, so round(258.45 / 2, 2) gives
    129.22 for the exact 129.225). A decimal(16, 2) of pounds; null when `count` is null. -#}
{% macro money_per_head(amount, count) -%}
    cast({{ integer_divide(
        "2 * cast(" ~ amount ~ " * 100 as bigint) + " ~ count, "2 * " ~ count
    ) }} as decimal(16, 0)) * 0.01
{%- endmacro %}

{#- a // b for integers, rounding down. -#}
{% macro integer_divide(a, b) -%}
    {{ return(adapter.dispatch('integer_divide')(a, b)) }}
{%- endmacro %}
{% macro duckdb__integer_divide(a, b) -%}
    ({{ a }}) // ({{ b }})
{%- endmacro %}
{% macro spark__integer_divide(a, b) -%}
    ({{ a }}) div ({{ b }})
{%- endmacro %}
