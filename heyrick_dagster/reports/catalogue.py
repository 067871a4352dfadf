"""The data catalogue: the map of the data landscape an analyst reads before trusting any
indication.

For each dataset: its publisher, licence, official address, coverage and refresh cadence
(the source's declared `SourceMetadata`), its fields and what they mean (the dbt YAML,
and the Great Expectations rules on each), the keys that join it to the others, and from
the live run its freshness (rows, files, the date of the data) and its current quality
verdict (the latest quality report, linked).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from heyrick_dagster import warehouse
from heyrick_dagster.quality import gx_runner
from heyrick_dagster.reports import history, html
from heyrick_dagster.reports.dbt_docs import DbtDocs, TableDoc, read_docs
from heyrick_dagster.reports.document import (
    Block,
    BulletList,
    Callout,
    Code,
    Details,
    Heading,
    Link,
    Paragraph,
    Strong,
    Table,
    to_markdown,
)
from heyrick_dagster.reports.publishers import Publisher, publisher_of
from heyrick_dagster.sources.base import Connector, RawTable
from heyrick_dagster.sources.metadata import SourceMetadata
from heyrick_dagster.sources.registry import CONNECTORS

TITLE = "Heyrick data catalogue"


@dataclass(frozen=True)
class Join:
    key: str  # the field(s) of this dataset
    to: str  # what they reach
    how: str  # how the join is made, and its limits


_DIRECTORY = (
    "the ONS postcode directory (raw.postcodes__postcodes), and through it LSOA, "
    "local authority, police force area and the IMD"
)
_LINKAGE = (
    "linkage cascade: exact tiers, then Splink (marts.fct_record_links, "
    "marts.bridge_business_records)"
)

# Which keys join each dataset to the others. No two datasets share an identifier: the
# postcode reaches areas, and names reach businesses only through linkage.
JOINS: dict[str, tuple[Join, ...]] = {
    "fhrs__establishments": (
        Join(
            "postcode",
            _DIRECTORY,
            "exact, on the canonical postcode (dbt macro canonical_postcode)",
        ),
        Join(
            "business_name, address, postcode",
            "Companies House companies, illegal-working penalties, NMW named employers",
            _LINKAGE,
        ),
        Join(
            "fhrsid",
            "marts.dim_premises, analysis.premises_indications",
            "the FSA's own key, kept throughout",
        ),
    ),
    "companies_house__companies": (
        Join(
            "company_number",
            "the register's other products (officers, PSC, filings)",
            "the register's own key, canonicalised to 8 characters",
        ),
        Join(
            "reg_address_postcode",
            _DIRECTORY,
            "exact; it is the registered office (often an accountant's), not the shop",
        ),
        Join(
            "company_name (and its trading name)",
            "FHRS establishments, illegal-working penalties, NMW named employers",
            _LINKAGE,
        ),
    ),
    "fhrs_history__ratings": (
        Join(
            "fhrsid",
            "FHRS establishments (marts.fct_premises_ratings, with the latest file's ratings)",
            "the FSA's own key; one row per establishment per kept copy",
        ),
    ),
    "psc__persons_with_significant_control": (
        Join(
            "company_number",
            "Companies House companies (marts.fct_company_controls)",
            "exact, canonicalised to 8 characters; a number absent from the live register "
            "is a dissolved company",
        ),
        Join(
            "controller_id",
            "itself: the other companies of the same controller",
            "exact on the keyed hash; names and birth dates never reach the warehouse",
        ),
    ),
    "illegal_working__penalties": (
        Join("postcode", _DIRECTORY, "exact, on the canonical postcode"),
        Join(
            "liable_party, trading_name, address",
            "FHRS establishments and Companies House companies",
            _LINKAGE + "; a link is accepted only when a name agrees",
        ),
        Join("period", "marts.fct_enforcement_events", "the quarter the list covers"),
    ),
    "nmw_naming__named_employers": (
        Join(
            "employer_name, trading_name, location",
            "FHRS establishments and Companies House companies",
            _LINKAGE + "; location is a town or district, so names carry the match",
        ),
        Join("postcode (where published)", _DIRECTORY, "exact, on the canonical postcode"),
        Join("round, round_date", "marts.fct_enforcement_events", "the naming round"),
    ),
    "imd__lsoa_deprivation": (
        Join(
            "lsoa_code",
            "the postcode directory's lsoa11, and through it every addressed record",
            "exact; 2011 LSOA boundaries",
        ),
        Join(
            "lad_code",
            "local-authority tables (marts.area_local_authority)",
            "exact where boundaries have not changed since 2019",
        ),
    ),
    "postcodes__postcodes": (
        Join(
            "postcode",
            "FHRS establishments, Companies House companies, penalties, NMW named employers",
            "exact, on the canonical postcode",
        ),
        Join("lsoa11", "the IMD 2019 (raw.imd__lsoa_deprivation)", "exact"),
        Join(
            "pfa_code",
            "NRM statistics by police force area",
            "exact, once NRM area names are coded by the seed nrm__police_force_areas",
        ),
        Join("lad_code", "local-authority tables", "exact"),
    ),
    "nrm__referrals": (
        Join(
            "geography_name, geography_code",
            "police force areas, and through pfa_code the postcode directory's areas",
            "names matched to codes by the dbt seed "
            "nrm__police_force_areas; never split below the force area",
        ),
    ),
}


@dataclass(frozen=True)
class Freshness:
    rows: int
    files: int
    vintage: dt.date | None


@dataclass(frozen=True)
class Verdict:
    verdict: str
    assessed_at: str
    report: str  # link to the dataset's section of its publisher's report


@dataclass(frozen=True)
class Field:
    name: str
    dtype: str
    meaning: str
    rules: tuple[str, ...]  # Great Expectations rules on this field, in words


@dataclass(frozen=True)
class Entry:
    source: str
    table: str
    meta: SourceMetadata
    publisher: Publisher
    description: str
    fields: tuple[Field, ...]
    model: TableDoc | None  # the standardised dbt staging model
    joins: tuple[Join, ...]
    freshness: Freshness | None  # None: never loaded
    verdict: Verdict | None  # None: no quality report yet


def build_entries(duckdb_path: Path, reports_dir: Path, docs: DbtDocs | None = None) -> list[Entry]:
    docs = docs or read_docs()
    freshness = read_freshness(duckdb_path)
    entries = []
    for connector in CONNECTORS:
        for table in connector.tables:
            name = connector.table_name(table)
            source_doc = docs.sources.get(name, TableDoc(name))
            entries.append(
                Entry(
                    source=connector.key,
                    table=name,
                    meta=connector.metadata,
                    publisher=publisher_of(connector.key),
                    description=source_doc.description or table.description,
                    fields=tuple(fields_of(connector, table, source_doc, docs)),
                    model=docs.models.get(f"stg_{name}"),
                    joins=JOINS.get(name, ()),
                    freshness=freshness.get(name),
                    verdict=latest_verdict(reports_dir, connector.key, name),
                )
            )
    return entries


def fields_of(
    connector: Connector, table: RawTable, source_doc: TableDoc, docs: DbtDocs
) -> list[Field]:
    """The raw table's columns (from the connector's contract: `parse([])` gives the typed,
    empty frame) with their meaning, the raw source's first, else the staging model's."""
    frame = connector.parse([]).tables[table.name]
    model = docs.models.get(f"stg_{connector.table_name(table)}", TableDoc(""))
    rules = rules_by_column(table)
    return [
        Field(
            name=column,
            dtype=str(dtype),
            meaning=_meaning(column, source_doc, model),
            rules=tuple(rules.get(column, ())),
        )
        for column, dtype in frame.schema.items()
    ]


def _meaning(column: str, source_doc: TableDoc, model: TableDoc) -> str:
    """The raw source's description; else the staging model's column that keeps the value
    as published; else the staging column of the same name, said to be standardised."""
    if source_doc.columns.get(column):
        return source_doc.columns[column]
    if model.columns.get(f"{column}_as_published"):
        return model.columns[f"{column}_as_published"]
    if model.columns.get(column):
        return f"Standardised in staging as: {model.columns[column]}"
    return ""


def rules_by_column(table: RawTable) -> dict[str, list[str]]:
    rules: dict[str, list[str]] = {}
    for spec in table.checks:
        if spec.frame is not None:  # a suite on a derived frame names its own columns
            continue
        for exp in gx_runner.load_suite_json(spec.suite)["expectations"]:
            column = exp["kwargs"].get("column")
            if column and exp.get("description"):
                rules.setdefault(column, []).append(exp["description"])
    return rules


def read_freshness(duckdb_path: Path) -> dict[str, Freshness]:
    if not duckdb_path.exists():
        return {}
    out = {}
    with warehouse.connect(duckdb_path, read_only=True) as con:
        present = {
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_schema = 'raw'"
            ).fetchall()
        }
        for connector in CONNECTORS:
            for table in connector.tables:
                name = connector.table_name(table)
                if name not in present:
                    continue
                rows, files, vintage = con.execute(
                    f"select count(*), count(distinct _source_file), max(_vintage) from raw.{name}"
                ).fetchone()
                out[name] = Freshness(rows, files, vintage)
    return out


def latest_verdict(reports_dir: Path, source: str, table: str) -> Verdict | None:
    slug = publisher_of(source).slug
    runs = history.load(reports_dir / "quality" / f"{slug}.history.json")
    if not runs:
        return None
    last = runs[-1]
    dataset = last.get("figures", {}).get("datasets", {}).get(table)
    if dataset is None:
        return None
    return Verdict(dataset["verdict"], last["generated_at"], f"quality/{slug}.html#{table}")


# --------------------------------------------------------------------------- the page


def catalogue_blocks(entries: list[Entry], *, synthetic: bool, now: dt.datetime) -> list[Block]:
    blocks: list[Block] = [Heading(1, ("SYNTHETIC SAMPLE — " if synthetic else "") + TITLE)]
    if synthetic:
        blocks.append(
            Callout(
                "synthetic",
                "the freshness and quality verdicts below describe Heyrick's generated "
                "sample, not the publishers' real data. Descriptions, licences and "
                "addresses are those of the real sources.",
            )
        )
    blocks += [
        Paragraph(
            "Every dataset Heyrick reads: who publishes it, under what licence, how often, "
            "what its fields mean, how it joins the others, how fresh it is and what its "
            "latest quality report says. Read it before trusting any indication: an "
            "indication is only as good as the weakest dataset it rests on. Heyrick's "
            "outputs are indications, not evidence."
        ),
        Paragraph(f"Generated {now.strftime('%Y-%m-%d %H:%M %Z').strip()}."),
        Heading(2, "Datasets"),
        Table(
            ["dataset", "publisher", "records", "dated", "quality verdict", "refresh"],
            [
                [
                    Link(e.meta.title, f"#{e.table}"),
                    e.publisher.name,
                    f"{e.freshness.rows:,}" if e.freshness else "not loaded",
                    _date(e.freshness.vintage) if e.freshness else "",
                    _verdict_cell(e.verdict),
                    e.meta.refresh_cadence,
                ]
                for e in entries
            ],
            numeric=frozenset({2}),
        ),
    ]
    for e in entries:
        blocks += entry_blocks(e)
    return blocks


def entry_blocks(e: Entry) -> list[Block]:
    fresh = (
        f"{e.freshness.rows:,} records from {e.freshness.files} file(s), data dated "
        f"{_date(e.freshness.vintage)}"
        if e.freshness
        else "not loaded by any run yet"
    )
    facts = Table(
        ["", ""],
        [
            ["publisher", e.meta.publisher],
            ["licence", e.meta.licence],
            ["official address", Link(e.meta.official_url, e.meta.official_url)],
            ["coverage", e.meta.coverage],
            ["refresh cadence", e.meta.refresh_cadence],
            ["data owner contact", e.meta.data_owner_contact],
            ["needed", "required" if e.meta.required else "optional (absent is not an error)"],
            ["warehouse table", Code(f"raw.{e.table}")],
            ["freshness (last run)", fresh],
            ["quality", _verdict_cell(e.verdict)],
        ],
    )
    blocks: list[Block] = [
        Heading(2, e.meta.title, anchor=e.table),
        Paragraph(e.description),
        facts,
        Heading(3, "How it joins the others"),
        Table(["key", "joins", "how"], [[Code(j.key), j.to, j.how] for j in e.joins]),
        Details(
            f"Published fields of raw.{e.table} ({len(e.fields)})",
            [
                Table(
                    ["field", "type", "meaning", "quality rules"],
                    [
                        [Code(f.name), f.dtype, f.meaning or "—", "; ".join(f.rules)]
                        for f in e.fields
                    ],
                )
            ],
        ),
    ]
    if e.model is not None:
        documented = [(c, m) for c, m in e.model.columns.items() if m]
        blocks.append(
            Details(
                f"Standardised model staging.{e.model.name} ({len(documented)} documented fields)",
                [
                    Paragraph(e.model.description),
                    Table(["field", "meaning"], [[Code(c), m] for c, m in documented]),
                ],
            )
        )
    return blocks


def write_catalogue(
    duckdb_path: Path, reports_dir: Path, *, synthetic: bool, now: dt.datetime | None = None
) -> tuple[Path, Path, list[Entry]]:
    now = now or dt.datetime.now().astimezone()
    entries = build_entries(duckdb_path, reports_dir)
    blocks = catalogue_blocks(entries, synthetic=synthetic, now=now)
    reports_dir.mkdir(parents=True, exist_ok=True)
    md, page = reports_dir / "catalogue.md", reports_dir / "catalogue.html"
    md.write_text(to_markdown(blocks), encoding="utf-8")
    title = ("SYNTHETIC SAMPLE — " if synthetic else "") + TITLE
    page.write_text(html.page(title, blocks), encoding="utf-8")
    return md, page, entries


def summary_list(entries: list[Entry]) -> BulletList:
    """One line per dataset: the Dagster asset's Markdown preview."""
    return BulletList(
        [
            [
                Strong(e.table),
                f": {e.publisher.name}; "
                + (
                    f"{e.freshness.rows:,} rows dated {_date(e.freshness.vintage)}; "
                    if e.freshness
                    else "not loaded; "
                )
                + (e.verdict.verdict if e.verdict else "no quality report yet"),
            ]
            for e in entries
        ]
    )


def _verdict_cell(v: Verdict | None):
    if v is None:
        return "no quality report yet"
    return [Link(v.verdict, v.report), f" (report of {v.assessed_at})"]


def _date(value: dt.date | None) -> str:
    return value.isoformat() if value else "unknown"
