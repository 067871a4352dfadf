{#- The Heyrick sector of an FHRS establishment, from the FSA BusinessType and
    words in the business name. Documented in models/staging/fhrs/_fhrs__docs.md
    and unit-tested in _fhrs__models.yml; change the rules there and here together.

    Why name words: the FSA types are coarse. "Retailers - other" holds
    convenience stores and pharmacies alike; "Takeaway/sandwich shop" holds
    kebab shops and coffee chains; councils file some takeaways as
    "Restaurant/Cafe/Canteen". -#}

{% macro _sector_words(kind) -%}
    {%- set words = {
        'cafe': '(sandwich|coffee|cafe|café|bakery|baker|bakers|deli|greggs|subway|pret|costa|starbucks|bagel)',
        'takeaway': '(takeaway|take away|take-away|kebab|fried chicken|chippy|fish bar|chicken (&|and) ribs|peri peri|peri-peri)',
        'convenience': '(convenience|mini ?market|mini ?mart|food (&|and) wine|off licen[cs]e|news|newsagents?|grocers?|grocery|express|local|supermarket|stores?|food centre|wines|booze|costcutter|londis|nisa|premier|spar|one stop|best[ -]?one|mace|budgens)',
        'small_supermarket': '(express|local|metro|mini|convenience)',
    } -%}
    {{ "'\\b" ~ words[kind] ~ "\\b'" }}
{%- endmacro %}

{% macro classify_sector(business_type, business_name) -%}
    case
        when {{ business_type }} = 'Takeaway/sandwich shop'
            then case when {{ matches("lower(coalesce(" ~ business_name ~ ", ''))", _sector_words('cafe')) }}
                      then 'restaurant_cafe' else 'hot_food_takeaway' end
        when {{ business_type }} = 'Restaurant/Cafe/Canteen'
            then case when {{ matches("lower(coalesce(" ~ business_name ~ ", ''))", _sector_words('takeaway')) }}
                      then 'hot_food_takeaway' else 'restaurant_cafe' end
        when {{ business_type }} = 'Retailers - other'
            then case when {{ matches("lower(coalesce(" ~ business_name ~ ", ''))", _sector_words('convenience')) }}
                      then 'convenience_store' else 'other' end
        when {{ business_type }} = 'Retailers - supermarkets/hypermarkets'
            then case when {{ matches("lower(coalesce(" ~ business_name ~ ", ''))", _sector_words('small_supermarket')) }}
                      then 'convenience_store' else 'other' end
        else 'other'
    end
{%- endmacro %}
