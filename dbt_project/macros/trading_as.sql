{#- A name carrying a trading name, "MUHAMMAD UMER T/A MABZ LTD", "ABC LTD (trading as
    XYZ)": name_before_trading_as gives the part before the marker (the whole name when
    there is none), name_after_trading_as the trading name (null when there is none).
    Markers: T/A, T/AS, T.A., "trading as", any case. A bare "TA" is not a marker: it is
    a word in real names. Works on the name as published, before normalise_name, which
    would turn "T/A" into two letters. -#}

{% macro _trading_as_pattern() -%}
    '(?i)^(.*?)[\s,(]+(?:t/as?|t\.a\.|trading as)[\s:]+(.*?)[\s)]*$'
{%- endmacro %}

{% macro name_before_trading_as(column) -%}
    case
        when {{ matches(column, _trading_as_pattern()) }}
            then nullif(trim(regexp_extract({{ column }}, {{ _trading_as_pattern() }}, 1)), '')
        else {{ column }}
    end
{%- endmacro %}

{% macro name_after_trading_as(column) -%}
    nullif(trim(regexp_extract({{ column }}, {{ _trading_as_pattern() }}, 2)), '')
{%- endmacro %}
