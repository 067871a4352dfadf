"""The premises <-> company linkage as a competent engineer would write it with the
Python Record Linkage Toolkit: the baseline Heyrick's cascade is measured against.

    python -m heyrick_dagster.linkage.recordlinkage_baseline PREMISES.parquet \
        COMPANIES.parquet OUT.parquet

reads the staging records of FHRS premises and Companies House companies (the columns
inputs.STAGING_INPUTS selects: exactly what Heyrick's linkage reads), writes the pairs
it links (left_record_id, right_record_id) and prints one JSON line: its seconds (the
work, not the interpreter start-up), the candidate pairs it compared and the links.

The method, toolkit defaults wherever there is one:
1. Clean: `recordlinkage.preprocessing.clean` of every name (lower case, no punctuation
   or brackets), less the legal forms ("ltd", "limited", ...); postcodes upper-cased
   without spaces; the house number is the first number in the address lines.
2. Index: full-postcode blocking, united with a sorted neighbourhood of the names
   (window 5) within the postcode district, so a mistyped postcode can still pair.
3. Compare: Jaro-Winkler of the premises name with the company name and with its
   trading name; postcode and house number exact.
4. Classify: the unsupervised ECM classifier (no labels: Heyrick has none for real
   data either) on the features binarised at Jaro-Winkler >= `BINARIZE`; a pair is a
   link when its match probability is at least `THRESHOLD`.

A limit of the toolkit's ECM (0.16), measured: when one class never shows a level of
a feature -- every candidate pair sharing its postcode, say, so that no true pair
disagrees on it -- its probability is 0, the classifier computes 0 * log 0 and nearly
every pair's match probability comes out NaN, i.e. not linked. The output says how
many pairs were left unscored so (`unscored`); on the synthetic sample there are none.

Imports only pandas and recordlinkage: recordlinkage 0.16 needs pandas < 3, so this
runs in the `bench` dependency group's environment (`make bench-install`), in a
process of its own, never in the default install.
"""

from __future__ import annotations

import json
import re
import sys
import time

import pandas as pd
import recordlinkage
from recordlinkage.preprocessing import clean

BINARIZE = 0.85
THRESHOLD = 0.5
WINDOW = 5
LEGAL_FORMS = re.compile(r"\b(?:ltd|limited|plc|llp|llc|co|company|uk)\b")
HOUSE_NUMBER = re.compile(r"\b(\d+[a-z]?)\b")


def _name(series: pd.Series) -> pd.Series:
    cleaned = clean(series.fillna("").astype(str))
    return cleaned.str.replace(LEGAL_FORMS, " ", regex=True).str.split().str.join(" ")


def _house_number(lines: pd.DataFrame) -> pd.Series:
    joined = lines.fillna("").astype(str).agg(" ".join, axis=1).str.lower()
    return joined.str.extract(HOUSE_NUMBER, expand=False)


def _postcode(series: pd.Series) -> pd.Series:
    return series.fillna("").astype(str).str.upper().str.replace(" ", "", regex=False)


def _records(frame: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """Staging rows -> the cleaned `names` (label -> column), postcode, district and
    house number; indexed by record id."""
    out = pd.DataFrame(
        {label: _name(frame[column]) for label, column in names.items()}
        | {
            "postcode": _postcode(frame["postcode"]),
            "district": frame["postcode_district"].fillna("").astype(str),
            "number": _house_number(frame[["address_line_1", "address_line_2"]]),
        }
    )
    out.index = frame["record_id"].astype(str)
    return out


def premises_records(frame: pd.DataFrame) -> pd.DataFrame:
    return _records(frame, {"name": "business_name"})


def company_records(frame: pd.DataFrame) -> pd.DataFrame:
    return _records(frame, {"name": "company_name", "trading_name": "trading_name"})


def link(premises: pd.DataFrame, companies: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """The linked (left_record_id, right_record_id) pairs of the staging frames, and the
    counts of candidate pairs compared and of those ECM left unscored (NaN)."""
    left, right = premises_records(premises), company_records(companies)
    # Records without a postcode or name cannot be blocked or compared: left out.
    left = left[(left["postcode"] != "") & (left["name"] != "")]
    right = right[(right["postcode"] != "") & (right["name"] != "")]
    indexer = recordlinkage.Index()
    indexer.block("postcode")
    indexer.sortedneighbourhood("name", window=WINDOW, block_on="district")
    candidates = indexer.index(left, right)
    compare = recordlinkage.Compare()
    compare.string("name", "name", method="jarowinkler", label="name")
    compare.string("name", "trading_name", method="jarowinkler", label="trading_name")
    compare.exact("postcode", "postcode", label="postcode")
    compare.exact("number", "number", missing_value=0, label="number")
    features = compare.compute(candidates, left, right)
    pairs = pd.DataFrame({"left_record_id": [], "right_record_id": []}, dtype=str)
    unscored = 0
    if len(features):
        classifier = recordlinkage.ECMClassifier(binarize=BINARIZE)
        classifier.fit(features)
        probability = pd.Series(classifier.prob(features), index=features.index)
        unscored = int(probability.isna().sum())
        matched = probability[probability >= THRESHOLD].index
        pairs = pd.DataFrame(
            {
                "left_record_id": matched.get_level_values(0).astype(str),
                "right_record_id": matched.get_level_values(1).astype(str),
            }
        )
    return pairs, {"comparisons": len(candidates), "unscored": unscored}


def _main(argv: list[str]) -> None:
    premises_path, companies_path, out_path = argv
    premises, companies = pd.read_parquet(premises_path), pd.read_parquet(companies_path)
    started = time.perf_counter()
    pairs, counts = link(premises, companies)
    seconds = time.perf_counter() - started
    pairs.to_parquet(out_path, index=False)
    print(json.dumps({"seconds": seconds, "links": len(pairs), **counts}))


if __name__ == "__main__":
    _main(sys.argv[1:])
