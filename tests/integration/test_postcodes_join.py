"""The real chain FHRS Lewisham -> postcode lookup -> LSOA -> IMD File 1, with polars.

PROVENANCE.md: 2,015 of the 2,017 Lewisham establishments with a postcode find it
in Lewisham's own lookup, and all 169 Lewisham LSOAs are in IMD File 1.
"""

from __future__ import annotations

import polars as pl
import pytest

from heyrick_dagster.sources import fhrs, imd, postcodes
from tests.unit.test_imd_parse import REAL_FILE_1
from tests.unit.test_imd_parse import _real as real_imd
from tests.unit.test_postcodes_parse import REAL_LOOKUP, real

pytestmark = pytest.mark.real_data


def _canonical(column: str) -> pl.Expr:
    """Staging's canonical_postcode rule: letters and digits only, upper case, a space
    before the inward code; null when it cannot be a full postcode."""
    compact = pl.col(column).str.to_uppercase().str.replace_all(r"[^A-Z0-9]", "")
    return (
        pl.when(compact.str.contains(r"^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$"))
        .then(compact.str.slice(0, compact.str.len_chars() - 3) + " " + compact.str.slice(-3))
        .alias(column)
    )


@pytest.fixture
def lookup(shared_data) -> pl.DataFrame:
    frame, _ = postcodes.parse_files([real(shared_data, REAL_LOOKUP)])  # Lewisham's own
    return frame


def test_lewisham_premises_postcodes_resolve_in_the_councils_lookup(shared_data, lookup):
    path = shared_data / "fhrs" / "FHRS523en-GB.xml"
    premises = fhrs.parse_file(path).frame.select(_canonical("postcode")).drop_nulls("postcode")
    resolved = premises.join(lookup.select("postcode", "lsoa11"), on="postcode", how="inner")
    assert premises.height == 2_017
    assert resolved.height == 2_015
    assert resolved.height / premises.height >= 0.99
    assert resolved["lsoa11"].null_count() == 0


def test_every_lsoa_of_the_lookup_has_an_imd_2019_rank(shared_data, lookup):
    ranks, _ = imd.parse_files([real_imd(shared_data, REAL_FILE_1)])
    lsoas = lookup.select("lsoa11").unique()
    ranked = lsoas.join(ranks, left_on="lsoa11", right_on="lsoa_code", how="inner")
    assert lsoas.height == ranked.height == 169
    assert set(ranked["lad_code"]) == {"E09000023"}
