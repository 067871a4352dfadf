{#- True for the sectors Heyrick indicates on: hot-food takeaways and convenience stores
    (the values of classify_sector; restaurant_cafe and other are context, not targets).
    One definition for dim_premises and the area marts. -#}
{% macro is_target_sector(sector) -%}
    coalesce({{ sector }} in ('hot_food_takeaway', 'convenience_store'), false)
{%- endmacro %}
