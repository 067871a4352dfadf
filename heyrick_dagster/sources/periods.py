"""Calendar quarters ("2024Q3"): the period of the illegal-working lists and the NRM tables.

Both publishers name the quarter a release covers in words, in titles, sheet
names and file names, in several ways; `find_quarter` reads them all:

- a range of days: "1 July to 30 September 2024", "1-october-to-31-december-2024";
- a range of months: "July to September 2025", "April to June 2025";
- the quarter and its year: "Quarter 3 2025", "quarter-3-2025", "Q3_2024", "Q3 2024";
- the year and its quarter: "2024Q3", "2024_Q3_enriched", "2024 Q3".

A range that is not exactly one calendar quarter ("1 January to 31 December
2024") raises `NotAQuarter`: every release so far covers one quarter, and the
caller decides whether such a range is an error (a list's title) or another
line to skip (a cover sheet's notes).
"""

from __future__ import annotations

import calendar
import re
from datetime import date

PERIOD_PATTERN = r"^\d{4}Q[1-4]$"

# "july" and "jul" -> 7 ("sept" too, as some titles write it).
MONTHS: dict[str, int] = {
    **{name.lower(): n for n, name in enumerate(calendar.month_name) if name},
    **{name.lower(): n for n, name in enumerate(calendar.month_abbr) if name},
    "sept": 9,
}
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))  # longest first: "june" before "jun"
_SEP = r"[\s_-]+"
_RANGE = re.compile(
    rf"(?:(?P<d1>\d{{1,2}}){_SEP})?(?<![A-Za-z])(?P<m1>{_MONTH})(?![A-Za-z])"
    rf"(?:[\s_,-]+(?P<y1>\d{{4}}))?{_SEP}to{_SEP}"
    rf"(?:(?P<d2>\d{{1,2}}){_SEP})?(?<![A-Za-z])(?P<m2>{_MONTH})(?![A-Za-z])"
    rf"[\W_]{{0,3}}?(?P<y2>\d{{4}})(?![0-9])",
    re.IGNORECASE,
)
_YEAR_QUARTER = re.compile(r"(?<![0-9])(\d{4})[\s_-]?Q([1-4])(?![0-9])", re.IGNORECASE)
_QUARTER_YEAR = re.compile(
    r"(?<![A-Za-z0-9])(?:Q|quarter[\s_-]*)([1-4])(?![0-9])[\W_]{0,4}?(\d{4})(?![0-9])",
    re.IGNORECASE,
)


class NotAQuarter(ValueError):
    """A date range that is not one calendar quarter; `text` is the range as written."""

    def __init__(self, text: str) -> None:
        super().__init__(f"{text!r} is not one calendar quarter")
        self.text = text


def quarter(year: int, number: int) -> str:
    """2024, 3 -> "2024Q3"."""
    return f"{year}Q{number}"


def quarter_bounds(period: str) -> tuple[date, date]:
    """First and last day of a "2024Q3" period."""
    year, number = int(period[:4]), int(period[-1])
    first_month = 3 * number - 2
    last_month = first_month + 2
    return date(year, first_month, 1), date(
        year, last_month, calendar.monthrange(year, last_month)[1]
    )


def quarter_end(period: str) -> date:
    return quarter_bounds(period)[1]


def find_quarter(text: str) -> str | None:
    """The quarter `text` names, or None; NotAQuarter for a range that is not one."""
    if match := _RANGE.search(text):
        return _quarter_of_range(match)
    if match := _YEAR_QUARTER.search(text):
        return quarter(int(match.group(1)), int(match.group(2)))
    if match := _QUARTER_YEAR.search(text):
        return quarter(int(match.group(2)), int(match.group(1)))
    return None


def _quarter_of_range(match: re.Match) -> str:
    end_year = int(match["y2"])
    start_year = int(match["y1"] or end_year)
    first, last = MONTHS[match["m1"].lower()], MONTHS[match["m2"].lower()]
    period = quarter(end_year, (last + 2) // 3)
    start, end = quarter_bounds(period)
    months_fit = (start_year, first, last) == (end_year, start.month, end.month)
    days_fit = int(match["d1"] or 1) == 1 and int(match["d2"] or end.day) == end.day
    if not (months_fit and days_fit):
        raise NotAQuarter(match.group(0))
    return period
