"""Business names for matching: one raw name in, comparable forms out.

`parse_name("G&G PHOENIX FOODS LTD T/A Golden Kebab House")` gives

- registered part "g and g phoenix foods" (full) / "g and g phoenix" (core),
- trading part    "golden kebab house"    (full) / "golden" (core),
- legal form      "ltd".

Steps, in order:

1. "T/A", "T/AS", "T.A.", "trading as" split the registered name from the trading
   name (as the dbt macro `trading_as` does; a bare "TA" is a word, not a marker).
2. `normalise`: accents folded, lower case, "&" -> "and", apostrophes dropped
   ("Tony's" -> "tonys"), other punctuation -> space, white space collapsed; the
   dbt macro `normalise_name` does the same except that it has no accent folding
   ("café" becomes "caf" there, "cafe" here).
3. The legal form that ends a name is split off (`LEGAL_FORMS`, the list of the dbt
   macro `company_legal_form`), with an old register's "(THE)" after it.
   What is left is the `full` form.
4. The `core` form also drops: words in parentheses ("(LEWISHAM)", "(UK)"), the
   qualifiers a registrant adds to make a name unique ("UK", "GB", "GROUP"..., a
   year: "2022"),
   a leading "the", and `LOW_IDENTITY_PHRASES` / `LOW_IDENTITY_WORDS`: the trade
   words that half the takeaways in a street share. "Golden Kebab House" and
   "Golden Kebab" both have the core "golden". A core that nothing is left of is
   None: "Food & Wine" has a full form and no core, and never links on its core.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import polars as pl

# Legal form code -> the words that spell it at the end of a normalised name
# (longest phrases first within each code; llp before lp, as in company_legal_form.sql).
LEGAL_FORMS: dict[str, tuple[str, ...]] = {
    "llp": ("limited liability partnership", "partneriaeth atebolrwydd cyfyngedig", "l l p", "llp"),
    "plc": ("public limited company", "cwmni cyfyngedig cyhoeddus", "p l c", "plc"),
    "cic": ("community interest company", "cwmni buddiant cymunedol", "c i c", "cic"),
    "cio": ("charitable incorporated organisation", "sefydliad corfforedig elusennol", "cio"),
    "lp": ("limited partnership", "partneriaeth cyfyngedig", "l p", "lp"),
    "unlimited": ("unlimited", "unltd"),
    "ltd": ("limited", "l t d", "ltd", "cyfyngedig", "cyf"),
}

# Trade phrases removed before single words, so "food and wine" goes whole and
# the "and" of "s and b" stays.
LOW_IDENTITY_PHRASES: tuple[str, ...] = (
    "food and wine",
    "food and wines",
    "fish and chips",
    "chicken and ribs",
    "chicken and pizza",
    "pizza and kebab",
    "kebab and pizza",
    "burger and chicken",
    "off licence",
    "off license",
    "mini market",
    "mini mart",
    "super market",
    "take away",
    "fish bar",
    "peri peri",
    "fried chicken",
    "food centre",
    "food center",
    "food services",
    "food service",
    "convenience store",
    "news and booze",
)

# Words that say what kind of shop it is, not which one. Deliberately not here:
# words that name a business as often as they describe it ("golden", "royal",
# "star", "best", place names) -- they are the identity the core keeps.
LOW_IDENTITY_WORDS: frozenset[str] = frozenset(
    """
    kebab kebabs kebabish pizza pizzas pizzeria pizzeria express food foods chicken chickens
    fried grill grills house cafe caffe coffee store stores minimarket minimart supermarket
    market mart takeaway takeaways restaurant restaurants bar burger burgers chippy chips
    fish diner kitchen bakery bakers baker catering caterers convenience newsagent newsagents
    news off licence wines wine booze grocers grocery groceries local shop shops balti tandoori
    curry indian chinese ribs wings sandwich sandwiches deli trading retail
""".split()
)

# What a registrant adds to a name already taken ("(UK)", "GROUP", "HOLDINGS"):
# removed from the end of the core only.
UNIQUENESS_QUALIFIERS: frozenset[str] = frozenset(
    "uk gb group services international enterprises holdings co company".split()
)

_TRADING_AS = re.compile(
    r"^(.*?)[\s,(]+(?:t/as?|t\.a\.|trading as)[\s:]+(.*?)[\s)]*$", re.IGNORECASE
)
_LEGAL_FORM = re.compile(
    r"(?:^|\s)(" + "|".join(w for words in LEGAL_FORMS.values() for w in words) + r")(?: the)?$"
)
_WORD_TO_FORM = {w: code for code, words in LEGAL_FORMS.items() for w in words}
_PARENTHESES = re.compile(r"\([^)]*\)")
# A year a registrant adds to a name already taken ("PARK STREET FOOD 2022 LTD").
_YEAR = re.compile(r"(19|20)\d\d")
_PHRASES = re.compile(r"\b(" + "|".join(re.escape(p) for p in LOW_IDENTITY_PHRASES) + r")\b")
_APOSTROPHES = re.compile(r"['’`]")
_NOT_WORD = re.compile(r"[^a-z0-9 ]")


@dataclass(frozen=True)
class NameForms:
    full: str | None  # normalised, legal form removed
    core: str | None  # full without the low-identity words; None when nothing is left
    trade: tuple[str, ...] = ()  # the low-identity words removed from the core


@dataclass(frozen=True)
class ParsedName:
    registered: NameForms  # the whole name when there is no "trading as"
    trading: NameForms  # the part after "T/A"; both forms None when there is none
    legal_form: str | None  # "ltd", "plc", "llp", ... or None


def normalise(text: str | None) -> str | None:
    """Lower case, "&" as "and", punctuation as space; None when nothing is left."""
    if text is None:
        return None
    if text.isascii():  # nearly every name: nothing to decompose (NFKD leaves ASCII as is)
        folded = text.lower()
    else:
        folded = unicodedata.normalize("NFKD", text)
        folded = "".join(c for c in folded if not unicodedata.combining(c)).lower()
    folded = folded.replace("&", " and ")
    folded = _APOSTROPHES.sub("", folded)
    folded = " ".join(_NOT_WORD.sub(" ", folded).split())
    return folded or None


def split_trading_as(text: str | None) -> tuple[str | None, str | None]:
    """("ABC LTD T/A Golden Fry") -> ("ABC LTD", "Golden Fry"); no marker -> (text, None)."""
    if text is None or not text.strip():
        return None, None
    match = _TRADING_AS.match(text.strip())
    if not match:
        return text.strip(), None
    registered, trading = match.group(1).strip(), match.group(2).strip()
    return registered or None, trading or None


def strip_legal_form(normalised: str | None) -> tuple[str | None, str | None]:
    """("golden kebab house ltd") -> ("golden kebab house", "ltd"). Only the end is looked
    at, so "limited edition cafe" keeps its word; a name that is only a legal form
    ("! LTD") gives None: there is nothing to match on."""
    if normalised is None:
        return None, None
    match = _LEGAL_FORM.search(normalised)
    if not match:
        return normalised, None
    rest = normalised[: match.start()].strip()
    return rest or None, _WORD_TO_FORM[match.group(1)]


def _without_brackets(text: str) -> str:
    return _PARENTHESES.sub(" ", text) if "(" in text else text


def _core_words(full: str | None) -> str | None:
    """The core of a name's full form read without its brackets (see `core_of`)."""
    if full is None:
        return None
    words = _PHRASES.sub(" ", full).split()
    if words and words[0] == "the":
        words = words[1:]
    while words and (
        words[-1] in UNIQUENESS_QUALIFIERS or words[-1] == "and" or _YEAR.fullmatch(words[-1])
    ):
        words = words[:-1]
    words = [w for w in words if w not in LOW_IDENTITY_WORDS]
    while words and words[-1] == "and":  # "Rose Pizza & Grill" -> "rose"
        words = words[:-1]
    while words and words[0] == "and":
        words = words[1:]
    # A lone "and" or "the" left between removed words is no name.
    if all(w in {"and", "the", "of", "s"} for w in words):
        return None
    return " ".join(words) or None


def _trade_words(full: str | None) -> tuple[str, ...]:
    """The trade words of a name's full form read without its brackets (`trade_words`)."""
    if full is None:
        return ()
    found = {w for phrase in _PHRASES.findall(full) for w in phrase.split() if w != "and"}
    found |= {w for w in full.split() if w in LOW_IDENTITY_WORDS}
    return tuple(sorted(found))


def core_of(text: str | None) -> str | None:
    """The identifying words of a name as published (before normalising), see module doc."""
    if text is None:
        return None
    return _core_words(strip_legal_form(normalise(_without_brackets(text)))[0])


def trade_words(text: str | None) -> tuple[str, ...]:
    """The low-identity words a name has ("Ankara Chippy" -> ("chippy",)): the core rule
    asks two names agreeing on their core not to name different trades."""
    return _trade_words(strip_legal_form(normalise(_without_brackets(text or "")))[0])


def _forms_and_legal_form(text: str | None) -> tuple[NameForms, str | None]:
    """`forms(text)` and the legal form ending it, normalising the name once (twice when
    it has brackets, which the full form keeps and the core drops): a national run
    parses ~675,000 distinct names."""
    full, legal_form = strip_legal_form(normalise(text))
    if not full:
        return NameForms(full=None, core=None), legal_form
    bare = _without_brackets(text)
    unbracketed = full if bare is text else strip_legal_form(normalise(bare))[0]
    core = _core_words(unbracketed)
    return NameForms(full=full, core=core, trade=_trade_words(unbracketed)), legal_form


def forms(text: str | None) -> NameForms:
    """Full and core forms of one name (no trading-as split)."""
    return _forms_and_legal_form(text)[0]


# The linkage parses names with `name_forms` (in polars); this cache holds what still
# comes here one name at a time: the names that are not printable ASCII (3,615 of
# 675,514 nationally) and the callers of `parse_name` itself. The linkage asset clears it.
@lru_cache(maxsize=200_000)
def parse_name(text: str | None) -> ParsedName:
    """Split "trading as", then give full and core forms of each part, and the legal form.

    The legal form usually ends the registered part ("ABC FOODS LTD T/A GOLDEN FRY") but
    may end the whole name ("MUHAMMAD UMER T/A MABZ LTD"): either counts.
    """
    registered, trading = split_trading_as(text)
    registered_forms, form_registered = _forms_and_legal_form(registered)
    trading_forms, form_trading = _forms_and_legal_form(trading)
    return ParsedName(
        registered=registered_forms,
        trading=trading_forms,
        legal_form=form_registered or form_trading,
    )


# What the polars parse reads exactly as `parse_name` does: printable ASCII. Python's
# `lower`, `strip`, `\s` and accent folding treat some other characters differently from
# polars' (control characters count as white space in Python, "K" (the Kelvin sign)
# lowers to "k"): those few names go through `parse_name`.
PLAIN_TEXT = r"^[\x20-\x7e]*$"

_LEGAL_FORM_WORDS = "|".join(w for words in LEGAL_FORMS.values() for w in words)
_SPLIT_TRADING_AS = r"(?i)^(.*?)[\s,(]+(?:t/as?|t\.a\.|trading as)[\s:]+(.*?)[\s)]*$"
# `_LEGAL_FORM` without its group: the polars parse cuts the match off and reads the
# form from what was cut ("x ltd the" -> "x", " ltd the"), which needs no capture.
_LEGAL_FORM_END = r"(?:^| )(?:" + _LEGAL_FORM_WORDS + r")(?: the)?$"
# Word boundaries of ASCII text: Unicode ones keep the regex engine off its fast path.
_ASCII_PHRASES = (
    r"(?-u:\b)(?:" + "|".join(re.escape(p) for p in LOW_IDENTITY_PHRASES) + r")(?-u:\b)"
)
_LOW_IDENTITY_WORD = r"(?-u:\b)(?:" + "|".join(sorted(LOW_IDENTITY_WORDS)) + r")(?-u:\b)"
_QUALIFIER = "|".join(sorted(UNIQUENESS_QUALIFIERS)) + r"|and|(?:19|20)\d\d"
_TRADE_WORDS = (
    r"(?-u:\b)(?:"
    + "|".join([*(re.escape(p) for p in LOW_IDENTITY_PHRASES), *sorted(LOW_IDENTITY_WORDS)])
    + r")(?-u:\b)"
)
# The longest run of qualifiers ending the name: where the leftmost match starts.
_TRAILING_QUALIFIERS = rf"(?:^| )(?:{_QUALIFIER})(?: (?:{_QUALIFIER}))*$"


def _blank_is_null(text: pl.Expr) -> pl.Expr:
    return pl.when(text != "").then(text)


def _squeezed(text: pl.Expr) -> pl.Expr:
    """Runs of spaces as one, none at the ends ("a  b " -> "a b"): `" ".join(split())`."""
    return text.str.replace_all(r" {2,}", " ").str.strip_chars(" ")


def _normalise_expr(text: pl.Expr) -> pl.Expr:
    """`normalise` of printable ASCII text."""
    folded = text.str.to_lowercase().str.replace_all("&", " and ", literal=True)
    folded = folded.str.replace_all(r"['`]", "").str.replace_all(r"[^a-z0-9 ]", " ")
    return _blank_is_null(_squeezed(folded))


def _core_words_expr(full: pl.Expr) -> pl.Expr:
    """`_core_words` of a name's full form (a column without brackets)."""
    words = _squeezed(full.str.replace_all(_ASCII_PHRASES, " "))
    words = words.str.replace(r"^the(?: |$)", "")
    words = words.str.replace(_TRAILING_QUALIFIERS, "")
    words = _squeezed(words.str.replace_all(_LOW_IDENTITY_WORD, " "))
    words = words.str.replace(r"(?:^| )and(?: and)*$", "").str.replace(r"^and(?: and)*(?: |$)", "")
    nothing = words.str.contains(r"^(?:(?:and|the|of|s)(?: |$))*$")
    return pl.when(~nothing).then(words)


def _trade_words_expr(full: pl.Expr) -> pl.Expr:
    """`_trade_words` of a name's full form (a column without brackets), a sorted list.
    One scan finds phrases and words alike: a phrase is tried first wherever a word
    starts, so the phrases found are those a scan for phrases alone finds, and every
    low-identity word is either in one of them or found on its own."""
    found = full.str.extract_all(_TRADE_WORDS).list.join(" ").str.split(" ")
    found = found.list.eval(pl.element().filter((pl.element() != "and") & (pl.element() != "")))
    return found.list.unique().list.sort()


def _with_forms(frame: pl.DataFrame, part: str) -> pl.DataFrame:
    """`frame` with `_forms_and_legal_form` of its column `part` as `full`, `core`,
    `trade` and `legal_form`. One step per stage, each reading the columns of the one
    before, in one lazy query: its plan computes a sub-expression used twice once (the
    core words' text, tested and then kept), which an eager call does not: 0.8 s instead
    of 1.2 s for the national sample's 675,000 names."""
    text = pl.col(part)
    query = frame.lazy().with_columns(
        _normalise_expr(text).alias("_normalised"),
        _normalise_expr(text.str.replace_all(_PARENTHESES.pattern, " ")).alias("_bare"),
    )
    query = query.with_columns(
        pl.col("_normalised", "_bare").str.replace(_LEGAL_FORM_END, "").name.suffix("_cut")
    )
    cut_off = pl.col("_normalised").str.slice(pl.col("_normalised_cut").str.len_bytes())
    word = cut_off.str.strip_chars_start(" ").str.strip_suffix(" the")
    query = query.with_columns(
        _blank_is_null(pl.col("_normalised_cut").str.strip_chars(" ")).alias("full"),
        _blank_is_null(pl.col("_bare_cut").str.strip_chars(" ")).alias("_unbracketed"),
        word.replace_strict(_WORD_TO_FORM, default=None, return_dtype=pl.String).alias(
            "legal_form"
        ),
    )
    has_full = pl.col("full").is_not_null()
    unbracketed = pl.col("_unbracketed")
    return (
        query.with_columns(
            pl.when(has_full).then(_core_words_expr(unbracketed)).alias("core"),
            pl.when(has_full & unbracketed.is_not_null())
            .then(_trade_words_expr(unbracketed))
            .otherwise(pl.lit([], dtype=pl.List(pl.String)))
            .alias("trade"),
        )
        .drop("_normalised", "_bare", "_normalised_cut", "_bare_cut", "_unbracketed")
        .collect()
    )


def _plain_name_forms(names: pl.Series) -> pl.DataFrame:
    """`parse_name` of printable ASCII names in polars expressions: the same steps, on
    the whole column at once (a national run parses ~675,000 distinct names; in Python
    that was ~14 s of the linkage's features)."""
    stripped = pl.col("name").str.strip_chars(" ")
    frame = pl.DataFrame({"name": names}).with_columns(
        stripped.str.extract_groups(_SPLIT_TRADING_AS).alias("_split")
    )
    matched = pl.col("_split").struct.field("2").is_not_null()
    frame = frame.with_columns(
        _blank_is_null(
            pl.when(matched)
            .then(pl.col("_split").struct.field("1").str.strip_chars(" "))
            .otherwise(stripped)
        ).alias("_registered"),
        _blank_is_null(
            pl.when(matched).then(pl.col("_split").struct.field("2").str.strip_chars(" "))
        ).alias("_trading"),
    )
    # The registered parts are formed row by row (nearly every name is one, so there is
    # little to share) and the few trading parts on their own: 0.9 s where forming the
    # distinct parts and joining them back took 1.3 s for the national sample's names.
    forms = ("full", "core", "trade", "legal_form")
    registered = _with_forms(frame.select("name", "_registered"), "_registered")
    trading = _with_forms(frame.select("name", "_trading").drop_nulls("_trading"), "_trading")
    frame = registered.rename({c: "name_" + c for c in forms}).join(
        trading.drop("_trading").rename({c: "trading_" + c for c in forms}), on="name", how="left"
    )
    # A name without a part has no forms: no trade words either.
    frame = frame.with_columns(pl.col("name_trade", "trading_trade").fill_null([]))
    return frame.select(
        "name",
        *NAME_COLUMNS[:-1],  # the six forms of both parts; their legal form follows
        pl.coalesce("name_legal_form", "trading_legal_form").alias("legal_form"),
    )


def _python_name_forms(names: pl.Series) -> pl.DataFrame:
    rows = []
    for value in names.to_list():
        parsed = parse_name(value)
        rows.append(
            (
                value,
                parsed.registered.full,
                parsed.registered.core,
                list(parsed.registered.trade),
                parsed.trading.full,
                parsed.trading.core,
                list(parsed.trading.trade),
                parsed.legal_form,
            )
        )
    return pl.DataFrame(rows, schema=NAME_FORMS_SCHEMA, orient="row")


NAME_COLUMNS = (
    "name_full",
    "name_core",
    "name_trade",
    "trading_full",
    "trading_core",
    "trading_trade",
    "legal_form",
)
NAME_FORMS_SCHEMA: dict[str, pl.DataType] = {"name": pl.String} | {
    c: pl.List(pl.String) if c.endswith("_trade") else pl.String for c in NAME_COLUMNS
}


def name_forms(names: pl.Series) -> pl.DataFrame:
    """One row per distinct non-null value of `names` (column `name`), with its
    `parse_name` forms as NAME_COLUMNS (`*_trade`: the trade words, a sorted list).
    Printable ASCII names are parsed in polars, the others by `parse_name`;
    tests/unit/test_linkage_names.py holds both to the same result."""
    distinct = names.cast(pl.String).unique().drop_nulls()
    plain = distinct.str.contains(PLAIN_TEXT)
    return pl.concat(
        [
            _plain_name_forms(distinct.filter(plain)).cast(NAME_FORMS_SCHEMA),
            _python_name_forms(distinct.filter(~plain)),
        ]
    )


def with_name_forms(
    frame: pl.DataFrame, column: str, prefix: str = "", forms: pl.DataFrame | None = None
) -> pl.DataFrame:
    """Adds `<prefix>name_full`, `name_core`, `name_trade`, `trading_full`, `trading_core`,
    `trading_trade`, `legal_form` computed from `column` (`*_trade`: the trade words, a
    list). Each distinct name is parsed once; `forms` (`name_forms` of these names or
    more) when the caller has them already."""
    lookup = name_forms(frame.get_column(column)) if forms is None else forms
    lookup = lookup.rename({"name": column} | {c: prefix + c for c in NAME_COLUMNS})
    lookup = lookup.cast({column: frame.schema[column]})
    return frame.join(lookup, on=column, how="left", nulls_equal=False)
