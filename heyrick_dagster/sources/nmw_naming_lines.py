"""The grammar of one named employer, as GOV.UK prints it, and the HTML that carries the lines.

One employer per line (a list item, a paragraph, or a `<br>`-separated line):

    G1 Venues Ltd, trading as Arta Restaurant, Glasgow, neglected to pay £45,124.00 to 2895 workers
    69. Ross Labels Limited, Ross-on-Wye, HR9, failed to pay £5,221.27 to 106 workers.

Variants seen in the published rounds and accepted here: "neglected to pay" (2013-2015)
or "failed to pay" (later); "to 1 worker" and "to a worker"; worker counts with
thousands commas ("78,199"); a list number in front (2023 onwards); a postcode
district (or a full postcode) after the town since the 2020 rounds; "trading as"
with or without the comma before it and in any case, "t/a"; "(ceased trading)"
after the employer name. Two-person partnerships written "A and B of Salon" (2014)
are kept whole as the employer name: "of" also occurs inside company names.

Pure functions: a malformed line raises `EntryError` with a message for a person;
the caller adds the source, the file and the row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from lxml import etree
from lxml import html as lxml_html

# ", failed to pay" with the comma that ends the employer's place: prose such as
# "the 191 named companies failed to pay £2.1 million" has no comma there.
_ENTRY_VERB = re.compile(r",\s*(?:neglected|failed)\s+to\s+pay\b", re.IGNORECASE)
_TAIL = re.compile(
    r"^\s*(?P<amount>.*?)\s+to\s+(?P<workers>.+?)\s+workers?\b\s*[.;]?\s*$", re.IGNORECASE
)
_LIST_NUMBER = re.compile(r"^\s*\d{1,4}[.)]\s+")
_POUNDS = re.compile(r"^£?\s*(?P<pounds>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<pence>\d{2}))?$")
# A spreadsheet cell may hold the number itself, with any number of decimals.
_PLAIN_NUMBER = re.compile(r"^\d+(?:\.\d+)?$")
_COUNT = re.compile(r"^(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.0+)?$")
_ONE = {"a", "one", "an"}
_POSTCODE_OR_DISTRICT = re.compile(
    r"^[A-Z]{1,2}[0-9][A-Z0-9]?(?:\s*[0-9][A-Z]{2})?$", re.IGNORECASE
)
_CEASED = re.compile(r"\s*\(\s*ceased\s+trading\s*\)\s*", re.IGNORECASE)
_TRADING_AS = re.compile(r"\s*,?\s*\b(?:trading\s+as|t/a)\b\s*,?\s*", re.IGNORECASE)


PENCE = Decimal("0.01")
# arrears_gbp is Decimal(12, 2): ten digits of pounds. The largest arrears named so far
# are about £5.1 million.
MAX_ARREARS = Decimal(10) ** 10


class EntryError(ValueError):
    """A line or cell that should be an employer but is not in the published form."""


@dataclass(frozen=True)
class Employer:
    employer_name: str
    trading_name: str | None
    location: str | None
    postcode: str | None
    arrears_gbp: Decimal  # pounds and pence, exactly as published
    workers: int
    ceased_trading: bool


# --------------------------------------------------------------------------- values


def parse_arrears(text: str, *, spreadsheet: bool = False) -> Decimal:
    """'£45,124.00' -> Decimal('45124.00'). Pence are kept exactly (a float would turn
    £0.10 + £0.20 into 0.30000000000000004); a malformed grouping is refused, not guessed.
    A spreadsheet's plain number is rounded half up to pence."""
    value = " ".join(str(text).split())
    if not value or not re.search(r"\d", value):
        raise EntryError("the line has no arrears amount (expected £<pounds>.<pence>)")
    if spreadsheet and _PLAIN_NUMBER.match(value):
        return _pence(Decimal(value), value)
    match = _POUNDS.match(value)
    if not match:
        raise EntryError(
            f"arrears {value!r} is not an amount in pounds such as £45,124.00 "
            "(thousands commas every three digits, two decimals for pence)"
        )
    pounds = match.group("pounds").replace(",", "")
    return _pence(Decimal(f"{pounds}.{match.group('pence') or '00'}"), value)


def _pence(amount: Decimal, text: str) -> Decimal:
    amount = amount.quantize(PENCE, rounding=ROUND_HALF_UP)
    if amount >= MAX_ARREARS:
        raise EntryError(
            f"arrears {text!r} is beyond the £{MAX_ARREARS - PENCE:,} the raw table holds: "
            "two cells run together or pence read as pounds"
        )
    return amount


def parse_workers(text: str) -> int:
    """'2895', '78,199', '1', 'a' -> int; anything else ('several') is refused."""
    value = " ".join(str(text).split()).lower()
    if value in _ONE:
        return 1
    if _COUNT.match(value):
        return int(value.split(".")[0].replace(",", ""))
    raise EntryError(f"the worker count {text!r} is not a number")


def split_name(text: str) -> tuple[str, str | None, bool]:
    """'X Ltd (ceased trading), trading as Y' -> ('X Ltd', 'Y', True)."""
    ceased = bool(_CEASED.search(text))
    text = " ".join(_CEASED.sub(" ", text).split())
    employer, _, trading = (p.strip(" ,") for p in _split_once(_TRADING_AS, text))
    if not employer:
        raise EntryError(f"no employer name before 'trading as' in {text!r}")
    return employer, trading or None, ceased


def _split_once(pattern: re.Pattern, text: str) -> tuple[str, str, str]:
    match = pattern.search(text)
    if not match:
        return text, "", ""
    return text[: match.start()], match.group(0), text[match.end() :]


def is_postcode_or_district(text: str) -> bool:
    return bool(_POSTCODE_OR_DISTRICT.match(text.strip()))


# --------------------------------------------------------------------------- lines


def looks_like_entry(text: str) -> bool:
    """True for every line written as an employer entry, well-formed or not."""
    return bool(_ENTRY_VERB.search(text))


def parse_line(text: str) -> Employer:
    """One employer line -> Employer; raises EntryError saying what is wrong with it."""
    verb = _ENTRY_VERB.search(text)
    if verb is None:
        raise EntryError("the line has no ', failed to pay' (or 'neglected to pay')")
    head, tail = text[: verb.start()], text[verb.end() :]
    match = _TAIL.match(tail)
    if match is None:
        if not re.search(r"\d", tail):
            raise EntryError("the line has no arrears amount (expected £<pounds>.<pence>)")
        raise EntryError("the line does not end 'to <n> workers'")
    arrears = parse_arrears(match.group("amount"))
    workers = parse_workers(match.group("workers"))
    parts = [p.strip() for p in _LIST_NUMBER.sub("", head).split(",") if p.strip()]
    postcode = parts.pop() if len(parts) > 2 and is_postcode_or_district(parts[-1]) else None
    if len(parts) < 2 or _TRADING_AS.match(parts[-1]):
        raise EntryError("no town or area between the employer and 'failed to pay'")
    location = parts.pop()
    employer, trading, ceased = split_name(", ".join(parts))
    return Employer(employer, trading, location, postcode, arrears, workers, ceased)


# --------------------------------------------------------------------------- HTML


@dataclass(frozen=True)
class HtmlLine:
    text: str
    line: int | None  # line of the file the element starts on, for people to find it


def parse_html(text: str) -> etree._Element:
    """The document (or GOV.UK body fragment); raises lxml's ParserError when it is empty."""
    return lxml_html.document_fromstring(text)


def html_lines(root: etree._Element) -> list[HtmlLine]:
    """Text of every paragraph and list item (one per `<br>` line), in document order.

    Containers that hold other paragraphs or items are skipped so that no text is
    read twice (GOV.UK sometimes wraps list items' text in `<p>`)."""
    for br in root.iter("br"):
        br.tail = "\n" + (br.tail or "")
    lines = []
    for element in root.iter("p", "li", "pre"):
        if any(True for _ in element.iterdescendants("p", "li")):
            continue
        for piece in element.text_content().split("\n"):
            clean = " ".join(piece.split())
            if clean:
                lines.append(HtmlLine(clean, element.sourceline))
    return lines


def html_tables(root: etree._Element) -> list[list[list[str | None]]]:
    """Every `<table>` as rows of cell texts (header cells included)."""
    tables = []
    for table in root.iter("table"):
        rows = []
        for tr in table.iter("tr"):
            cells = [" ".join(c.text_content().split()) or None for c in tr if _is_cell(c)]
            rows.append(cells)
        tables.append(rows)
    return tables


def _is_cell(element: etree._Element) -> bool:
    return isinstance(element.tag, str) and element.tag.lower() in ("td", "th")


def html_meta_date(root: etree._Element) -> str | None:
    """GOV.UK pages carry `<meta name="govuk:first-published-at" content="2015-03-25T...">`;
    a bare `<time datetime>` is the fallback. Returns the ISO date or None."""
    for name in ("govuk:first-published-at", "govuk:public-updated-at"):
        for meta in root.iter("meta"):
            if meta.get("name") == name and re.match(r"\d{4}-\d{2}-\d{2}", meta.get("content", "")):
                return meta.get("content")[:10]
    for time_element in root.iter("time"):
        value = time_element.get("datetime", "")
        if re.match(r"\d{4}-\d{2}-\d{2}", value):
            return value[:10]
    return None


def html_title(root: etree._Element) -> str | None:
    for tag in ("title", "h1"):
        for element in root.iter(tag):
            title = " ".join(element.text_content().split())
            if title:
                return title
    return None
