{#- What every mart says about where its rows come from: 'synthetic sample' when the run
    read the embedded generated sample (var synthetic, set by the pipeline from
    HEYRICK_MODE), else 'official open data'. One definition for all marts. -#}
{% macro data_origin() -%}
    {{ "'synthetic sample'" if var('synthetic') else "'official open data'" }}
{%- endmacro %}
