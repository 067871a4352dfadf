"""Exposure: the share of a window each premises traded in, from its companies' incorporation."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from heyrick_dagster.analysis.exposure import exposure_share, trading_since

START, END = date(2023, 1, 1), date(2025, 1, 1)


def test_trading_since_is_the_earliest_incorporation_of_the_premises_business():
    premises = pl.DataFrame({"fhrsid": [1, 2, 3], "business_id": ["B1", "B2", None]})
    companies = pl.DataFrame(
        {
            "business_id": ["B1", "B1", None],
            "incorporation_date": [date(2024, 5, 1), date(2019, 2, 1), date(2000, 1, 1)],
        }
    )
    since = trading_since(premises, companies).sort("fhrsid")
    assert since["trading_since"].to_list() == [date(2019, 2, 1), None, None]


def test_exposure_share_counts_only_the_part_of_the_window_traded_in():
    frame = pl.DataFrame(
        {"trading_since": [date(2010, 1, 1), date(2024, 1, 1), date(2025, 6, 1), None]}
    )
    shares = exposure_share(frame, START, END).to_list()
    assert shares[0] == 1.0  # traded before the window began
    assert shares[1] == pytest.approx(366 / 731)  # half of it
    assert shares[2] == 0.0  # began after it
    assert shares[3] == 1.0  # no date to go by: taken to have traded throughout
