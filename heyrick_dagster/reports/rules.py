"""Which findings each published dataset gets, in words its publisher can act on.

One `DatasetRules` per raw table: the noun for its records, the columns that identify a
record in examples, and its rules (see findings.py for what each kind of rule measures).
The Great Expectations suites remain the blocking gates; these rules are the publisher's
view (what is wrong, where, why it matters, how to fix it) and include what a gate
should not block on: gaps, old ratings, postcodes the directory retired.

Thresholds are documented where they are set. File-age limits are the publisher's own
cadence plus its usual slack (the same days as the sources' freshness checks): a file
older than that means the publication has stopped, or the copy read is not the current one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from heyrick_dagster.reports.findings import (
    Contradiction,
    Duplicated,
    FileAge,
    LsoaNotRanked,
    Missing,
    OlderThan,
    OutOfRange,
    Pattern,
    PostcodeFormat,
    PostcodeNotCanonical,
    PostcodeTerminated,
    PostcodeUnknown,
    Rule,
)
from heyrick_dagster.sources.registry import BY_KEY

# The UK's extent, as the postcode suite's drift checks draw it.
UK_LATITUDE = (49.8, 60.9)
UK_LONGITUDE = (-8.7, 1.8)
UK_COUNTRIES = (
    "ENGLAND",
    "WALES",
    "SCOTLAND",
    "NORTHERN IRELAND",
    "UNITED KINGDOM",
    "GREAT BRITAIN",
    "ENGLAND AND WALES",
)
# The FHRS and the FHIS both began in 2010; an older rating date is a placeholder or a
# date carried over from an earlier local scheme.
SCHEMES_BEGAN = dt.date(2010, 1, 1)
# The illegal-working civil penalty is at most £60,000 per illegal worker (since
# 13 February 2024; £20,000 before), so a larger penalty contradicts its worker count.
MAX_PENALTY_PER_WORKER = 60_000


@dataclass(frozen=True)
class DatasetRules:
    table: str  # raw table name, "fhrs__establishments"
    noun: str  # what one record is, plural: "establishments"
    keys: tuple[str, ...]  # columns that identify a record to its publisher
    rules: tuple[Rule, ...]


_POSTCODE_WHY = (
    "The postcode is the only key every dataset here shares: without a valid one a record "
    "cannot be placed in a local area (LSOA, deprivation decile) or matched to the records "
    "of other publishers at the same address."
)
_CANONICAL_WHY = (
    "An exact join on postcode misses these unless every user cleans them first; most do "
    "not, and the record silently drops out of area figures."
)
_CANONICAL_FIX = (
    'Publish postcodes in upper case with one space before the last three characters ("SE13 6JG").'
)
_UNKNOWN_WHY = (
    "A postcode the ONS directory does not hold resolves to no area, so the record is lost "
    "from every area-level figure; it is usually a typing error in the address."
)
_TERMINATED_WHY = (
    "A terminated postcode is no longer used by Royal Mail; it still resolves to an area, "
    "but an address that still uses it is out of date or was mistyped into an old code."
)


# The postcode rules every dataset with addresses shares; only the subject ("Registered
# office postcode"), the column and what its publisher can do about it differ.


def _postcode_invalid(
    fix: str, column: str = "postcode", subject: str = "Postcode", **given
) -> PostcodeFormat:
    return PostcodeFormat(
        name="postcode_invalid",
        title=f"{subject} is not a UK postcode",
        column=column,
        problem="give one that is not a full UK postcode",
        why=_POSTCODE_WHY,
        fix=fix,
        **given,
    )


def _postcode_not_canonical(
    column: str = "postcode",
    subject: str = "Postcode",
    problem: str = "write it in another form (lower case, no space, extra spaces)",
    fix: str = _CANONICAL_FIX,
) -> PostcodeNotCanonical:
    return PostcodeNotCanonical(
        name="postcode_not_canonical",
        title=f"{subject} not written in the standard form",
        column=column,
        problem=problem,
        why=_CANONICAL_WHY,
        fix=fix,
    )


def _postcode_unknown(
    fix: str, column: str = "postcode", subject: str = "Postcode"
) -> PostcodeUnknown:
    return PostcodeUnknown(
        name="postcode_unknown_to_directory",
        title=f"{subject} unknown to the ONS postcode directory",
        column=column,
        problem="give a postcode the directory does not hold",
        why=_UNKNOWN_WHY,
        fix=fix,
    )


def _postcode_terminated(
    fix: str, column: str = "postcode", subject: str = "Postcode"
) -> PostcodeTerminated:
    return PostcodeTerminated(
        name="postcode_terminated",
        title=f"{subject} terminated in the ONS postcode directory",
        column=column,
        problem="give a postcode the directory records as terminated",
        why=_TERMINATED_WHY,
        fix=fix,
    )


def _outside_uk(column: str, extent: tuple[float, float]) -> OutOfRange:
    return OutOfRange(
        name=f"{column}_outside_uk",
        title=f"{column.capitalize()} outside the UK",
        column=column,
        problem="place the premises outside the UK",
        low=extent[0],
        high=extent[1],
        why="A map puts these premises in the wrong place, and a distance from them is "
        "meaningless.",
        fix="Regeocode from the address; swapped latitude and longitude are the usual cause.",
    )


def _file_age(source: str, cadence: str, newest_only: bool = False) -> FileAge:
    """The source's own staleness window (`SourceMetadata.stale_after_days`, which the
    freshness checks also use), so the report and the Dagster UI never disagree."""
    days = BY_KEY[source].metadata.stale_after_days
    return FileAge(
        name="file_is_old",
        title="File older than its refresh cadence",
        problem=f"come from a file dated more than {days:,} days before today",
        why=f"The publisher refreshes this data {cadence}; a file this old no longer "
        "describes today's businesses, and figures built on it describe the past.",
        fix="Check that the current file is published at the official address and that "
        "its header or title carries its date; republish it if the publication stopped.",
        days=days,
        newest_only=newest_only,
    )


FHRS = DatasetRules(
    table="fhrs__establishments",
    noun="establishments",
    keys=("fhrsid", "business_name"),
    rules=(
        Missing(
            name="postcode_missing",
            title="Postcode missing",
            column="postcode",
            problem="have no postcode",
            why=_POSTCODE_WHY,
            fix="Publish the premises' full postcode in PostCode. Where the address is "
            "withheld on purpose (a private home, a mobile trader), say so with a reason "
            "rather than leaving the element out, so that users can tell a withheld "
            "address from a missing one.",
        ),
        Missing(
            name="rating_date_missing",
            title="Rating date missing for a rated establishment",
            column="rating_date",
            problem="have no rating date",
            where=pl.col("rating_value").is_in(
                ["0", "1", "2", "3", "4", "5", "Pass", "Improvement Required", "Pass and Eat Safe"]
            ),
            scope="rated establishments",
            why="Without the inspection date a user cannot tell a current rating from one "
            "given years ago to another owner.",
            fix="Publish RatingDate with every rating.",
        ),
        Missing(
            name="business_name_missing",
            title="Business name missing",
            column="business_name",
            problem="have no business name",
            why="The name is how the premises is matched to its company and to enforcement "
            "lists; without it the record can only be placed, not identified.",
            fix="Publish the trading name shown at the premises in BusinessName.",
        ),
        Missing(
            name="geocode_missing",
            title="Location (geocode) missing",
            column="longitude",
            problem="have no longitude and latitude",
            why="Maps and distance queries cannot place these premises.",
            fix="Geocode every premises with an address; where no better location exists, "
            "the postcode's centroid from the ONS Postcode Directory is enough.",
        ),
        _postcode_invalid(
            fix="Correct the postcode in the authority's system; a partial postcode "
            '("W1U") should be completed or left out.'
        ),
        _postcode_not_canonical(),
        OutOfRange(
            name="rating_date_after_extract",
            title="Rating dated after the file's extract date",
            column="rating_date",
            problem="are dated after the file's own extract date",
            high=pl.col("_vintage"),
            also_shown=("_vintage",),
            why="A rating cannot postdate the extract that publishes it: the date is a "
            "typing error, and any 'how recent' figure built on it is wrong.",
            fix="Correct the inspection date in the authority's system.",
        ),
        OutOfRange(
            name="rating_date_before_schemes",
            title="Rating dated before the schemes began (2010)",
            column="rating_date",
            problem="are dated before 2010, when the FHRS and FHIS began",
            low=SCHEMES_BEGAN,
            also_shown=("rating_value",),
            why="A rating older than the scheme was carried over from an earlier local "
            "scheme or is a placeholder date; users reading it as an FHRS inspection date "
            "overstate how old, or how current, the rating is.",
            fix="Publish the date of the inspection that gave the current rating; where it "
            "is unknown, leave RatingDate empty rather than a placeholder.",
        ),
        _outside_uk("latitude", UK_LATITUDE),
        _outside_uk("longitude", UK_LONGITUDE),
        Duplicated(
            name="fhrsid_duplicated",
            title="FHRSID repeated",
            column="fhrsid",
            key=("fhrsid",),
            problem="share their FHRSID with another record",
            why="The FHRSID is the one key users hold an establishment by; a repeated one "
            "merges two premises or counts one twice.",
            fix="Publish each establishment once, under its own FHRSID.",
        ),
        OlderThan(
            name="rating_is_old",
            title="Rating more than three years old",
            column="rating_date",
            problem="were last rated more than three years before the file's date",
            days=3 * 365,
            why="Premises change hands and practices; a rating this old may describe a "
            "previous business at the address, which weakens any use of it as a current "
            "signal.",
            fix="Nothing to correct in the data if the date is right; the authority's "
            "inspection programme decides when premises are revisited.",
        ),
        _file_age("fhrs", "daily"),
        _postcode_unknown(
            fix="Check the postcode against Royal Mail's Postcode Address File or the ONS "
            "Postcode Directory and correct it in the authority's system."
        ),
        _postcode_terminated(fix="Update the premises' address to its current postcode."),
    ),
)

_UK_ADDRESS = pl.col("reg_address_country").is_null() | pl.col(
    "reg_address_country"
).str.strip_chars().str.to_uppercase().is_in(list(UK_COUNTRIES))

COMPANIES_HOUSE = DatasetRules(
    table="companies_house__companies",
    noun="companies",
    keys=("company_number", "company_name"),
    rules=(
        Missing(
            name="postcode_missing",
            title="Registered office postcode missing",
            column="reg_address_postcode",
            problem="have no registered office postcode",
            why=_POSTCODE_WHY,
            fix="Companies House can prompt the company to complete its registered office "
            "address; the data product should carry what the register holds.",
        ),
        Missing(
            name="sic_code_missing",
            title="No SIC code supplied",
            column="sic_code_sic_text_1",
            blanks=("None Supplied",),
            problem="give no SIC code ('None Supplied')",
            why="The SIC code is the only statement of what a company does; without it a "
            "takeaway cannot be told from a holding company.",
            fix="Ask the company for its SIC code at its next confirmation statement, which "
            "requires one.",
        ),
        Missing(
            name="incorporation_date_missing",
            title="Incorporation date missing",
            column="incorporation_date",
            problem="have no incorporation date",
            why="A company's age is a common risk signal (new companies replacing old "
            "ones); without the date it cannot be computed.",
            fix="Publish IncorporationDate for every company.",
        ),
        _postcode_invalid(
            fix="Validate the postcode of UK registered offices when the address is filed.",
            column="reg_address_postcode",
            subject="Registered office postcode",
            where=_UK_ADDRESS,
            scope="companies with a UK (or unstated) country that give a postcode",
        ),
        _postcode_not_canonical("reg_address_postcode", "Registered office postcode"),
        Pattern(
            name="company_number_invalid",
            title="Company number not in the register's format",
            column="company_number",
            regex=r"^(?:[0-9]{8}|[A-Z]{2}[0-9]{6}|[A-Z]{2}[0-9]{5}[A-Z]|R[0-9]{7})$",
            problem="give a number that is not 8 characters in the register's format",
            why="The company number is the key other data (filings, officers, PSC) use; a "
            "number in another form does not join.",
            fix="Publish company numbers as the register holds them: 8 characters, zero-padded.",
        ),
        OutOfRange(
            name="incorporation_date_out_of_range",
            title="Incorporation date out of range",
            column="incorporation_date",
            problem="are dated after the snapshot or before 1856 (the first Companies Act)",
            low=dt.date(1856, 1, 1),
            high=pl.col("_vintage"),
            also_shown=("_vintage",),
            why="A company cannot be incorporated after the snapshot that lists it; its age "
            "is wrong.",
            fix="Correct the date on the register.",
        ),
        OutOfRange(
            name="accounts_date_after_snapshot",
            title="Accounts made up to a date after the snapshot",
            column="accounts_last_made_up_date",
            problem="say their last accounts were made up after the snapshot date",
            high=pl.col("_vintage"),
            also_shown=("_vintage",),
            why="Filing-status signals (overdue accounts) are computed from this date.",
            fix="Correct the date on the register.",
        ),
        Duplicated(
            name="company_number_duplicated",
            title="Company number repeated",
            column="company_number",
            key=("company_number",),
            problem="share their company number with another row",
            why="The company number identifies one company; a repeat counts it twice.",
            fix="Publish each company once per snapshot.",
        ),
        _file_age("companies_house", "monthly"),
        _postcode_unknown(
            fix="Validate registered office postcodes against the Postcode Address File "
            "when they are filed.",
            column="reg_address_postcode",
            subject="Registered postcode",
        ),
        _postcode_terminated(
            fix="Prompt the company to update its registered office address.",
            column="reg_address_postcode",
            subject="Registered postcode",
        ),
    ),
)

ILLEGAL_WORKING = DatasetRules(
    table="illegal_working__penalties",
    noun="penalties",
    keys=("record_id", "liable_party"),
    rules=(
        Missing(
            name="postcode_missing",
            title="Postcode missing",
            column="postcode",
            problem="have no postcode",
            why=_POSTCODE_WHY,
            fix="Publish the postcode of the premises where the illegal working was found.",
        ),
        Missing(
            name="address_missing",
            title="Address missing",
            column="address",
            problem="have no address",
            why="Without the address a penalty cannot be tied to a premises, only to a "
            "name, and names are shared by many businesses.",
            fix="Publish the premises' street address with each penalty.",
        ),
        Missing(
            name="trading_name_missing",
            title="Trading name missing",
            column="trading_name",
            problem="have no trading name",
            why="The trading name is the name over the shop, the one food-hygiene and "
            "other lists use; the liable party is often a person or a company name.",
            fix="Publish the trading name; repeat the liable party's name where it is the same.",
        ),
        Missing(
            name="workers_missing",
            title="Number of illegal workers missing",
            column="illegal_workers",
            problem="do not say how many illegal workers were found",
            why="The number of workers measures the scale of each case; without it a £10,000 "
            "penalty cannot be told from one worker or several.",
            fix="Publish the number of illegal workers with each penalty.",
        ),
        _postcode_invalid(fix="Check the postcode when the list is compiled."),
        _postcode_not_canonical(
            problem="write it in another form (lower case, no space, hidden characters)",
            fix=_CANONICAL_FIX + " Copying from a web page can carry invisible characters "
            "(zero-width spaces): paste as plain text.",
        ),
        Contradiction(
            name="penalty_above_maximum",
            title="Penalty above the legal maximum for its workers",
            column="penalty_gbp",
            needs=("penalty_gbp", "illegal_workers"),
            expr=pl.col("penalty_gbp") > MAX_PENALTY_PER_WORKER * pl.col("illegal_workers"),
            problem=f"exceed £{MAX_PENALTY_PER_WORKER:,} per illegal worker",
            why="The civil penalty is capped per worker; a larger amount means the amount or "
            "the worker count is wrong, and totals built on either are too.",
            fix="Check the amount and the worker count against the case record.",
        ),
        Duplicated(
            name="record_id_duplicated",
            title="Record id repeated",
            column="record_id",
            key=("record_id",),
            problem="share their record id (quarter and position) with another row",
            why="Two rows at one position mean a list was read twice or merged.",
            fix="Publish each quarter's list once.",
        ),
        Duplicated(
            name="employer_listed_twice",
            title="Employer listed twice in one quarter",
            column="liable_party",
            key=("period", "liable_party", "postcode"),
            problem="name an employer and postcode listed again in the same quarter",
            why="A repeated entry counts one employer's penalty twice in any total.",
            fix="List each penalty once; if there were two penalties, say so (two amounts "
            "or a count).",
        ),
        _file_age(
            "illegal_working", "quarterly, a few months after each quarter", newest_only=True
        ),
        _postcode_unknown(
            fix="Check the postcode against the ONS Postcode Directory when the list is compiled."
        ),
        _postcode_terminated(fix="Check the premises' current postcode."),
    ),
)

NMW_NAMING = DatasetRules(
    table="nmw_naming__named_employers",
    noun="named employers",
    keys=("record_id", "employer_name"),
    rules=(
        Missing(
            name="postcode_missing",
            title="Postcode missing",
            column="postcode",
            problem="have no postcode",
            why="With only a town, an employer can be matched to its premises and company "
            "by name alone, and common names match the wrong business.",
            fix="Publish the postcode of the employer's registered office or workplace with "
            "each entry.",
        ),
        Missing(
            name="location_missing",
            title="Town or area missing",
            column="location",
            problem="give no town or area",
            why="Without any location an employer cannot be placed at all.",
            fix="Publish the town or area of every named employer.",
        ),
        PostcodeFormat(
            name="postcode_invalid",
            title="Postcode is not a UK postcode or district",
            column="postcode",
            allow_district=True,
            problem="give one that is neither a UK postcode nor a postcode district",
            why=_POSTCODE_WHY,
            fix="Check the postcode when the round is compiled.",
        ),
        OutOfRange(
            name="arrears_not_positive",
            title="Arrears not above zero",
            column="arrears_gbp",
            low=0.01,
            problem="give arrears below £0.01",
            why="An employer is named for arrears owed; a zero or negative amount is an "
            "error in the list.",
            fix="Correct the amount from the case record.",
        ),
        OutOfRange(
            name="workers_below_one",
            title="Fewer than one worker",
            column="workers",
            low=1,
            problem="name fewer than one underpaid worker",
            why="An employer is named for underpaying at least one worker.",
            fix="Correct the worker count from the case record.",
        ),
        Duplicated(
            name="record_id_duplicated",
            title="Record id repeated",
            column="record_id",
            key=("record_id",),
            problem="share their record id (round and position) with another row",
            why="Two rows at one position mean a round was read twice or merged.",
            fix="Publish each round once.",
        ),
        Duplicated(
            name="employer_named_twice",
            title="Employer named twice in one round",
            column="employer_name",
            key=("round", "employer_name"),
            problem="name an employer again in the same round",
            why="A repeated entry counts one employer's arrears twice in any total.",
            fix="Name each employer once per round, with its total arrears and workers.",
        ),
        _file_age("nmw_naming", "in irregular rounds, about two a year", newest_only=True),
        _postcode_unknown(fix="Check the postcode against the ONS Postcode Directory."),
    ),
)

NRM = DatasetRules(
    table="nrm__referrals",
    noun="counts",
    keys=("period", "table_id", "geography_name", "exploitation_type", "age_group"),
    rules=(
        Missing(
            name="area_code_missing",
            title="Area code missing",
            column="geography_code",
            problem="name their area without a GSS code",
            why="Areas given only by name must be matched by name to police force areas "
            "or local authorities, and names change and vary in spelling.",
            fix="Publish the GSS code (E23..., E06...) beside every area name.",
        ),
        OutOfRange(
            name="referrals_negative",
            title="Negative count",
            column="referrals",
            low=0,
            problem="give a negative count",
            why="A count of referrals cannot be negative; totals built on it are wrong.",
            fix="Correct the table.",
        ),
        Pattern(
            name="period_invalid",
            title="Period is not a quarter",
            column="period",
            regex=r"^\d{4}Q[1-4]$",
            problem="give a period that is not a calendar quarter",
            why="Counts cannot be placed in a time series without their quarter.",
            fix="Label every table with the quarter it covers.",
        ),
        Duplicated(
            name="count_repeated",
            title="Area counted twice",
            column="geography_name",
            key=(
                "period",
                "table_id",
                "geography_type",
                "geography_name",
                "exploitation_type",
                "age_group",
            ),
            problem="repeat an area, type and age group already counted in the same table "
            "and quarter",
            why="A repeated cell is double-counted in any total.",
            fix="Publish each cell once.",
        ),
        _file_age("nrm", "quarterly", newest_only=True),
    ),
)

IMD = DatasetRules(
    table="imd__lsoa_deprivation",
    noun="LSOAs",
    keys=("lsoa_code", "lsoa_name"),
    rules=(
        Missing(
            name="imd_score_missing",
            title="IMD score missing",
            column="imd_score",
            # File 1 publishes ranks and deciles only; scores come with File 7. Judged only
            # when File 7 was read at all, so that File 1 alone is not "missing" anything.
            where=pl.col("imd_score").is_not_null().any(),
            scope="LSOAs (File 7 read)",
            problem="have no IMD score: File 7 does not list them",
            why="Ranks and deciles order areas; the score measures how far apart they are, "
            "which correlation with other indicators needs.",
            fix="Publish every LSOA of File 1 in File 7 as well.",
        ),
        Missing(
            name="lsoa_name_missing",
            title="LSOA name missing",
            column="lsoa_name",
            problem="have no LSOA name",
            why="Readers recognise areas by name; a code alone is opaque.",
            fix="Publish the LSOA name beside its code.",
        ),
        Missing(
            name="population_missing",
            title="Population missing",
            column="population",
            where=pl.col("population").is_not_null().any(),
            scope="LSOAs (File 7 read)",
            problem="have no population: File 7 does not give it",
            why="Rates per resident (premises or referrals per 1,000 people) need the population.",
            fix="Publish the mid-2015 population of every LSOA in File 7.",
        ),
        Pattern(
            name="lsoa_code_invalid",
            title="LSOA code is not an English 2011 LSOA",
            column="lsoa_code",
            regex=r"^E01\d{6}$",
            problem="give a code that is not E01 and six digits",
            why="The LSOA code is how postcodes reach their deprivation; another code "
            "does not join.",
            fix="Publish 2011 LSOA codes as the ONS issues them.",
        ),
        Duplicated(
            name="lsoa_code_duplicated",
            title="LSOA repeated",
            column="lsoa_code",
            key=("lsoa_code",),
            problem="repeat an LSOA code",
            why="One area with two ranks makes every join ambiguous.",
            fix="Publish each LSOA once.",
        ),
        _file_age("imd", "every four to six years (2010, 2015, 2019)"),
    ),
)

POSTCODES = DatasetRules(
    table="postcodes__postcodes",
    noun="postcodes",
    keys=("postcode",),
    rules=(
        Missing(
            name="lsoa_missing",
            title="LSOA (2011) missing",
            column="lsoa11",
            problem="have no 2011 LSOA",
            why="Premises at these postcodes get no deprivation decile or area figures.",
            fix="Assign the LSOA of the postcode's grid reference, or a pseudo-code that "
            "says why there is none.",
        ),
        Missing(
            name="local_authority_missing",
            title="Local authority missing",
            column="lad_code",
            problem="have no local authority",
            why="Premises at these postcodes drop out of local-authority figures.",
            fix="Assign the local authority of the postcode's grid reference.",
        ),
        Missing(
            name="location_missing",
            title="Grid location missing",
            column="latitude",
            # A council's own lookup (layout la_lookup) carries no coordinates at all.
            where=pl.col("layout") == "onspd",
            scope="postcodes of the ONSPD",
            problem="have no latitude and longitude",
            why="Maps and distances cannot use these postcodes.",
            fix="Publish the postcode's grid reference, or flag it as unlocated.",
        ),
        OutOfRange(
            name="introduced_after_terminated",
            title="Terminated before it was introduced",
            column="terminated",
            low=pl.col("introduced"),
            also_shown=("introduced",),
            scope="terminated postcodes",
            problem="were terminated before they were introduced",
            why="A postcode's life is the window in which addresses used it; an inverted "
            "window makes it look live or dead at the wrong times.",
            fix="Correct the introduction or termination month.",
        ),
        Duplicated(
            name="postcode_duplicated",
            title="Postcode repeated",
            column="postcode",
            key=("postcode",),
            problem="repeat a postcode",
            why="A postcode that appears twice joins every record at it twice.",
            fix="Publish each postcode once.",
        ),
        _file_age("postcodes", "quarterly (February, May, August, November)"),
        LsoaNotRanked(
            name="lsoa_not_in_imd",
            title="LSOA not ranked by the Index of Multiple Deprivation",
            column="lsoa11",
            problem="sit in an LSOA the IoD2019 does not rank",
            why="Premises at these postcodes get no deprivation decile: the directory and "
            "the IMD disagree on the LSOA (a code typed wrongly, or boundaries of another "
            "year).",
            fix="Check the LSOA code; publish 2011 LSOA codes beside 2021 ones while the "
            "IMD is on 2011 boundaries.",
        ),
    ),
)

FHRS_HISTORY = DatasetRules(
    table="fhrs_history__ratings",
    noun="establishments in earlier copies",
    keys=("fhrsid", "_vintage"),
    rules=(
        OutOfRange(
            name="rating_date_after_copy",
            title="Rating dated after the copy that shows it",
            column="rating_date",
            problem="are dated after the copy's own extract date",
            high=pl.col("_vintage"),
            also_shown=("_vintage",),
            why="A copy cannot show an inspection that had not happened yet; the trend would "
            "use a later rating to explain earlier events.",
            fix="Check that each copy carries its own ExtractDate and was not edited.",
        ),
        Duplicated(
            name="establishment_repeated_in_a_copy",
            title="Establishment repeated within one copy",
            column="fhrsid",
            key=("fhrsid", "_vintage"),
            problem="appear twice in the same copy",
            why="Each copy lists an establishment once; a repeat counts its rating twice.",
            fix="Keep one copy per authority and day.",
        ),
        _file_age("fhrs_history", "as copies are kept", newest_only=True),
    ),
)

PSC = DatasetRules(
    table="psc__persons_with_significant_control",
    noun="persons with significant control",
    # Pseudonymised records: the record's keyed hash and the company, never a person.
    keys=("record_id", "company_number"),
    rules=(
        Missing(
            name="notified_on_missing",
            title="Notification date missing",
            column="notified_on",
            problem="have no notification date",
            why="Without it a controller cannot be placed in time, so the indicators that "
            "ask who controlled a company on a given day leave the record out.",
            fix="File the date on which the company was notified of the controller.",
        ),
        OutOfRange(
            name="notified_before_the_register",
            title="Notified before the PSC register began",
            column="notified_on",
            problem="are dated before 6 April 2016, when the register began",
            low=dt.date(2016, 4, 6),
            why="No notification can predate Part 21A of the Companies Act 2006; an earlier "
            "date is a filing error and places the controller at the wrong time.",
            fix="Correct the date on the register.",
        ),
        Duplicated(
            name="record_repeated",
            title="PSC record repeated",
            column="record_id",
            key=("record_id",),
            problem="appear more than once in the snapshot",
            why="A repeated record counts a controller twice.",
            fix="Publish each record once per snapshot.",
        ),
        _file_age("psc", "daily"),
    ),
)

BY_TABLE: dict[str, DatasetRules] = {
    r.table: r
    for r in (
        FHRS,
        FHRS_HISTORY,
        COMPANIES_HOUSE,
        PSC,
        ILLEGAL_WORKING,
        NMW_NAMING,
        NRM,
        IMD,
        POSTCODES,
    )
}
