"""Frames derived from raw.fhrs__establishments for the Great Expectations suites."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas


def establishments_per_authority(establishments: pandas.DataFrame) -> pandas.DataFrame:
    """One row per local authority: ``local_authority_code``, ``establishments`` (row count).

    The input for suite ``fhrs__establishments_per_authority``. A missing code is kept
    as its own row (the main suite reports it), so no establishment is dropped.
    """
    import pandas as pd

    counts = (
        establishments.groupby("local_authority_code", dropna=False, sort=True)
        .size()
        .reset_index(name="establishments")
    )
    counts["establishments"] = counts["establishments"].astype("int64")
    return pd.DataFrame(
        {
            "local_authority_code": counts["local_authority_code"],
            "establishments": counts["establishments"],
        }
    ).reset_index(drop=True)
