{#- The legal form that ends a company name, for every source that names companies.
    Input: a name already through normalise_name ("abc foods ltd", "x l l p").
    legal_form_of gives one code shared by all sources (ltd, plc, llp, lp, cic, cio,
    unlimited; the codes stg_nmw_naming__named_employers also uses) or null;
    strip_legal_form gives the name without it (null when nothing is left, e.g. "! LTD").
    Only the end is looked at, so "limited edition cafe" keeps its word; an old
    register's "LIMITED(THE)" ending counts as the legal form. The Welsh forms
    are the register's own equivalents (Companies Act 2006 s.59, s.60). Order matters:
    llp before lp. Unit tests: staging/companies_house/_companies_house__models.yml. -#}

{% macro _legal_form_words() -%}
    {{ return({
        'llp': ['limited liability partnership', 'l l p', 'llp', 'partneriaeth atebolrwydd cyfyngedig'],
        'plc': ['public limited company', 'p l c', 'plc', 'cwmni cyfyngedig cyhoeddus'],
        'cic': ['community interest company', 'c i c', 'cic', 'cwmni buddiant cymunedol'],
        'cio': ['charitable incorporated organisation', 'cio', 'sefydliad corfforedig elusennol'],
        'lp': ['limited partnership', 'l p', 'lp', 'partneriaeth cyfyngedig'],
        'unlimited': ['unlimited', 'unltd'],
        'ltd': ['limited', 'ltd', 'l t d', 'cyfyngedig', 'cyf'],
    }) }}
{%- endmacro %}

{% macro legal_form_of(name_normalised) -%}
    case
    {%- for code, words in _legal_form_words().items() %}
        when {{ matches(name_normalised, "'(^|\\s)(" ~ words | join("|") ~ ")( the)?$'") }} then '{{ code }}'
    {%- endfor %}
    end
{%- endmacro %}

{% macro strip_legal_form(name_normalised) -%}
    {%- set all_words = [] -%}
    {%- for words in _legal_form_words().values() -%}{%- do all_words.extend(words) -%}{%- endfor -%}
    {#- RE2 takes the leftmost match, so the longest phrase ending the name wins. -#}
    nullif(trim(regexp_replace({{ name_normalised }}, '(^|\s)({{ all_words | join("|") }})( the)?$', '')), '')
{%- endmacro %}
