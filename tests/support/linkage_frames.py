"""Small frames shaped like the dbt staging tables that linkage reads.

`staging_frame(source, rows)` gives exactly the columns of `linkage.inputs.STAGING_INPUTS`
for that source, all strings (as staging types them), so a test names only the fields
it is about. `postcode_district` defaults to the outward code of `postcode`, as staging
derives it; pass it alone (postcode None) for a list that publishes only a district.

`premises_and_companies()` is a deterministic synthetic town for the Splink tests: one
street per postcode, premises named after no one else, half of the companies named
after (and mostly registered at) their premises, the other half unrelated businesses
at the same postcodes -- several in the very same building.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import polars as pl

from heyrick_dagster.linkage.inputs import STAGING_INPUTS


def columns_of(source: str) -> tuple[str, ...]:
    return STAGING_INPUTS[source][1]


def staging_frame(source: str, rows: Iterable[dict[str, str | None]] = ()) -> pl.DataFrame:
    """The staging columns of `source`; a row key that is not one of them is a KeyError,
    so a misspelt field cannot silently become a null."""
    columns = columns_of(source)
    filled = []
    for row in rows:
        unknown = set(row) - set(columns)
        if unknown:
            raise KeyError(f"{source} staging has no column {sorted(unknown)}")
        values = {c: row.get(c) for c in columns}
        if "postcode_district" not in row and values["postcode"]:
            values["postcode_district"] = values["postcode"].split(" ")[0]
        filled.append(values)
    return pl.DataFrame(filled, schema={c: pl.String for c in columns}, orient="row")


def empty_staging() -> dict[str, pl.DataFrame]:
    """Every source's staging frame with no rows."""
    return {source: staging_frame(source) for source in STAGING_INPUTS}


# Identity words (none is a trade word of names.LOW_IDENTITY_WORDS) x trade suffixes.
_FIRST = (
    "Golden Royal Silver Ruby Emerald Oak Willow Cedar Maple Amber Coral Jade Ivory Onyx "
    "Pearl Falcon Eagle Heron Otter Badger"
).split()
_SECOND = "Anchor Lantern Harbour Meadow Crown Bridge Garden Castle Orchard Valley Forge Mill Tower Haven Spire".split()  # noqa: E501
_TRADES = ("Kebab House", "Pizza", "Cafe", "Fish Bar", "Grill")
# Unrelated businesses: their names share no word with any premises name.
_DECOY_NAMES = (
    "Pennine Accountancy",
    "Northgate Property Lettings",
    "Brightside Dental Care",
    "Calder Vehicle Repairs",
    "Aire Valley Joinery",
    "Moorland Recruitment",
    "Wharfe Legal Services",
    "Kestrel Logistics",
    "Summit Hair Studio",
    "Keystone Insurance Brokers",
)
_AREAS = ("LS", "BD", "HX")
_STREETS = (
    "Kirkgate",
    "Briggate",
    "Boar Lane",
    "Vicar Lane",
    "Call Lane",
    "Wade Lane",
    "Park Row",
    "Albion Street",
    "Bond Street",
    "Duncan Street",
    "Ivegate",
    "Manor Row",
    "Sunbridge Road",
    "Thornton Road",
    "Godwin Street",
    "Northgate",
    "Westgate",
    "Darley Street",
    "Market Street",
    "Hustlergate",
    "Commercial Street",
    "Crossley Street",
    "Silver Street",
    "Union Street",
    "Horton Street",
    "Princess Street",
    "Square Road",
    "Woolshops",
    "Corn Market",
    "Southgate",
)


@dataclass(frozen=True)
class SyntheticTown:
    premises: pl.DataFrame  # stg_fhrs__establishments shape
    companies: pl.DataFrame  # stg_companies_house__companies shape
    true_pairs: pl.DataFrame  # left_record_id (fhrs), right_record_id (companies_house)


def premises_and_companies(postcodes: int = 30, per_postcode: int = 10) -> SyntheticTown:
    """`postcodes` x `per_postcode` premises and as many companies (see module doc).

    In each postcode, premises slot j has a company: j = 0 the same name at the same
    address; 1 the name without its trade words; 2 an unrelated registered name "T/A"
    the premises name; 3 the same name at the accountant's office of the area; 4 the
    name misspelt; 5..9 an unrelated business at the same postcode (5 and 6 in the
    very same building), with a non-catering SIC code. Both record ids end in the slot:
    premises str(100000 + i), company f"{i:08d}", where i = 10 * postcode + j.
    """
    if postcodes > len(_STREETS) or per_postcode != 10:
        raise ValueError("at most 30 postcodes of exactly 10 premises each")
    premises, companies, truth = [], [], []
    for p in range(postcodes):
        # Three areas of five districts, two postcodes (in two sectors) per district.
        area, k = _AREAS[p % len(_AREAS)], p // len(_AREAS)
        district = f"{area}{k // 2 + 1}"
        postcode = f"{district} {k % 2 + 1}{'ABDEFGHJLN'[k]}{'PQRSTUWXYZ'[k]}"
        accountant = f"{area}1 9ZZ"
        for j in range(per_postcode):
            i = p * per_postcode + j
            first, second = _FIRST[i % len(_FIRST)], _SECOND[i // len(_FIRST)]
            trade = _TRADES[i % len(_TRADES)]
            name = f"{first} {second} {trade}"
            house = str(2 * j + 1)
            fhrs_id, company_number = str(100000 + i), f"{i:08d}"
            premises.append(
                {
                    "record_id": fhrs_id,
                    "business_name": name,
                    "business_type": "Takeaway/sandwich shop",
                    "address_line_1": f"{house} {_STREETS[p]}",
                    "address_line_2": "Leeds",
                    "postcode": postcode,
                }
            )
            company = {
                "record_id": company_number,
                "company_name": f"{name.upper()} LTD",
                "primary_sic_code": "56103",
                "address_line_1": f"{house} {_STREETS[p]}",
                "address_line_2": "Leeds",
                "postcode": postcode,
            }
            if j == 1:
                company["company_name"] = f"{first} {second} LIMITED".upper()
            elif j == 2:
                company["company_name"] = f"{_DECOY_NAMES[p % 10].upper()} FOODS LTD T/A {name}"
            elif j == 3:
                company |= {"address_line_1": f"{p + 1} Ledger Yard", "postcode": accountant}
            elif j == 4:
                company["company_name"] = f"{first}E {second} {trade} LTD".upper()
            elif j >= 5:
                decoy = _DECOY_NAMES[(p + j) % len(_DECOY_NAMES)]
                company |= {
                    "company_name": f"{decoy} {first[:1]}{second[:1]}{i} LTD".upper(),
                    "primary_sic_code": ("69201", "47110", "41100")[j % 3],
                    "address_line_1": f"{house if j in (5, 6) else 100 + j} {_STREETS[p]}",
                }
            companies.append(company)
            if j < 5:
                truth.append((fhrs_id, company_number))
    return SyntheticTown(
        premises=staging_frame("fhrs", premises),
        companies=staging_frame("companies_house", companies),
        true_pairs=pl.DataFrame(
            truth, schema={"left_record_id": pl.String, "right_record_id": pl.String}, orient="row"
        ),
    )
