"""Pseudonyms for the people who control companies: a keyed hash, never the person.

A person with significant control (PSC) is named in the Companies House snapshot with
their month and year of birth. Heyrick needs only to know that two records are the same
controller, so at ingest each controller becomes HMAC-SHA256(key, identity), where the
identity is the normalised name (title dropped, letters only, upper case) with the birth
year and month; the name and the birth date are then dropped and never reach DuckDB.

Why keyed: a plain hash of a name and birth month could be reversed by hashing the whole
public register and looking the digest up; without the key it cannot. The key comes from
HEYRICK_PSEUDONYM_KEY (settings.py) and must stay the same across runs, or every pseudonym
changes. The synthetic sample uses SAMPLE_KEY, a fixed key written here on purpose: its
people are invented, and a fixed key makes the sample's pseudonyms reproducible.
Pseudonymised data is still personal data (UK GDPR Art. 4(5), Recital 26).
"""

from __future__ import annotations

import hashlib
import hmac
import re

import duckdb
import polars as pl

KEY_VARIABLE = "HEYRICK_PSEUDONYM_KEY"
# For the synthetic sample only (documented in DATA_PROTECTION.md); never for real data.
SAMPLE_KEY = "heyrick-synthetic-sample-pseudonym-key-not-a-secret"

# Titles the register puts before names ("Mr John Smith"), dropped so that a controller
# filed once with a title and once without is the same person.
_TITLES = frozenset(
    {"MR", "MRS", "MS", "MISS", "MX", "DR", "SIR", "DAME", "LADY", "LORD", "PROF", "REV"}
)
_NOT_LETTERS = re.compile(r"[^A-Z ]+")
_SPACES = re.compile(r"\s+")


class MissingKeyError(ValueError):
    """Real PSC data cannot be read without the pseudonymisation key."""

    def __init__(self) -> None:
        super().__init__(
            f"{KEY_VARIABLE} is not set: the names and birth dates of people with significant "
            "control are replaced by a keyed hash at ingest and cannot be read without the key. "
            f"Set {KEY_VARIABLE} (at least 32 random characters, kept secret and the same on "
            "every run), e.g. in .env"
        )


def key_bytes(configured: str | None, synthetic: bool) -> bytes:
    """The key to use: the configured one; else, for the synthetic sample only, SAMPLE_KEY;
    else MissingKeyError (live and files mode read real people)."""
    if configured:
        return configured.encode("utf-8")
    if synthetic:
        return SAMPLE_KEY.encode("utf-8")
    raise MissingKeyError()


def normalised_name(*parts: str | None) -> str:
    """Upper-case letters and single spaces, titles dropped: 'Mr  John-Paul SMITH' ->
    'JOHN PAUL SMITH'."""
    text = _NOT_LETTERS.sub(" ", " ".join(p for p in parts if p).upper().replace("-", " "))
    words = [w for w in _SPACES.split(text.strip()) if w]
    while words and words[0] in _TITLES:
        words = words[1:]
    return " ".join(words)


def normalised_name_expr(name: pl.Expr) -> pl.Expr:
    """`normalised_name` of one name per row, vectorised (the PSC parser's fast path)."""
    words = (
        name.str.to_uppercase()
        .str.replace_all("-", " ", literal=True)
        .str.replace_all(_NOT_LETTERS.pattern, " ")
        .str.split(" ")
        .list.eval(pl.element().filter(pl.element() != ""))
    )
    # True for each word while every word up to it is a title.
    leading_title = pl.element().is_in(sorted(_TITLES)).cum_min()
    return words.list.eval(pl.element().filter(~leading_title)).list.join(" ")


def person_identity(name: str, birth_year: int | None, birth_month: int | None) -> str:
    """What identifies an individual controller: normalised name and birth year-month (two
    people of one name are told apart by their birth month, as on the register)."""
    born = f"{birth_year or 0:04d}-{birth_month or 0:02d}"
    return f"person|{normalised_name(name)}|{born}"


def entity_identity(name: str, registration_number: str | None) -> str:
    """What identifies a corporate or legal-person controller: its registration number when
    given, else its normalised name."""
    number = (registration_number or "").strip().upper().replace(" ", "")
    return f"entity|{number}" if number else f"entity|{normalised_name(name)}"


def pseudonym(key: bytes, identity: str) -> str:
    """HMAC-SHA256 of the identity under the key, as 64 hexadecimal characters (the one-shot
    `hmac.digest`, about three times faster than building an HMAC object per record)."""
    return hmac.digest(key, identity.encode("utf-8"), hashlib.sha256).hex()


def pseudonyms(key: bytes, identities: pl.DataFrame) -> pl.DataFrame:
    """`pseudonym` of every value of every (String) column, null staying null, computed
    by DuckDB: HMAC-SHA256 is SHA256((K ^ opad) || SHA256((K ^ ipad) || message)) (RFC
    2104), two vectorised sha256 calls: 2.0 s a million hashes against 6.2 s for
    `pseudonym` row by row (measured side by side, load ~5), where a national snapshot
    needs 10.8 million (a record id and a controller id per record)."""
    if len(key) > _BLOCK_BYTES:  # RFC 2104: a key longer than a block is hashed first
        key = hashlib.sha256(key).digest()
    padded = key.ljust(_BLOCK_BYTES, b"\0")
    inner = bytes(b ^ 0x36 for b in padded)
    outer = bytes(b ^ 0x5C for b in padded)
    hashed = ", ".join(
        f"sha256($outer || unhex(sha256($inner || encode({_quoted(c)})))) AS {_quoted(c)}"
        for c in identities.columns
    )
    with duckdb.connect(config={"threads": 2, "memory_limit": "1GB"}) as con:
        # Strings as polars holds them (Arrow string views): no copy on the way in.
        con.register("identities", identities.to_arrow(compat_level=pl.CompatLevel.newest()))
        return con.sql(
            f"SELECT {hashed} FROM identities", params={"inner": inner, "outer": outer}
        ).pl()


_BLOCK_BYTES = 64  # SHA-256's block size


def _quoted(column: str) -> str:
    return '"' + column.replace('"', '""') + '"'
