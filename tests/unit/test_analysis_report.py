"""The analysis report page, rendered from tiny hand-made inputs: self-contained, every
section there, synthetic said first, suppressed figures never shown, data escaped.

`tiny_inputs` is also what tests/integration/test_analysis_report_browser.py renders."""

from __future__ import annotations

import re
from datetime import date

import duckdb
import polars as pl
import pytest

from heyrick_dagster.analysis import areas, scorecard, stats
from heyrick_dagster.analysis.indicators import INDICATOR_NAMES
from heyrick_dagster.reports import analysis_report as report
from heyrick_dagster.sources.registry import BY_KEY, CONNECTORS

AS_OF = date(2026, 11, 10)
SYNTHETIC = "synthetic sample"
SECTIONS = [
    "caveats",
    "summary",
    "indications",
    "map",
    "outcomes",
    "deprivation",
    "trend",
    "evaluation",
    "freshness",
    "exports",
]
# Numbers left in suppressed rows on purpose: the page must read the flag, not the nulls.
LEFTOVER_CORRELATION = {"n": 77, "estimate": 0.4321, "ci_low": 0.1234, "ci_high": 0.8765}
LEFTOVER_RATE = {"rate_per_1000": 8765.4, "rate_ci_low": 7654.3, "rate_ci_high": 9876.2}
LEFTOVER_DECILE_RATE = 6543.2
HOSTILE_NAME = '<script>alert("x")</script> Kebabs'
FORMULA_NAME = '=HYPERLINK("http://x","y")'


def tiny_premises_indicators(origin: str = SYNTHETIC) -> pl.DataFrame:
    """Three scored premises (takeaways, a convenience store) and one that is not."""
    return pl.DataFrame(
        {
            "fhrsid": [101, 102, 103, 104],
            "business_id": ["B1", "B2", "B3", "B4"],
            "sector": ["hot_food_takeaway", "convenience_store", "hot_food_takeaway", "other"],
            "is_target_sector": [True, True, True, False],
            "la_code": ["523", "523", "525", "525"],
            "lsoa_code": ["E01000001", "E01000002", "E01000003", "E01000003"],
            "imd_decile": [1, 2, 5, 5],
            "hygiene_rating_shortfall": [3.0, 0.0, 1.0, None],
            "confidence_in_management_points_lost": [2.0, 0.5, 1.0, None],
            "rating_decline": [1.0, 0.0, None, None],
            "management_points_lost_mean": [1.5, 0.5, 1.0, None],
            "hygiene_structural_points_lost_mean": [2.0, 1.0, 1.5, None],
            "recent_incorporation": [1.0, 0.0, 0.0, 0.0],
            "companies_at_premises_postcode": [2.0, 1.0, 0.0, 0.0],
            "company_distressed": [0.0, 0.0, 1.0, 0.0],
            "phoenix_like_company_name": [1.0, 0.0, 0.0, 0.0],
            "controllers_shared_with_food_companies": [2.0, 0.0, 0.0, 0.0],
            "phoenix_successor": [1.0, 0.0, 0.0, 0.0],
            "prior_enforcement": [1.0, 0.0, 0.0, 0.0],
            "area_enforcement": [0.5, 0.5, -0.5, -0.5],
            "area_deprivation": [1.0, 8 / 9, 5 / 9, 5 / 9],
            "prior_enforcement_expected": [1.0, 0.0, 0.0, 0.0],
            "as_of": [AS_OF] * 4,
            "data_vintage": [AS_OF] * 4,
            "data_origin": [origin] * 4,
        }
    )


def tiny_scorecard() -> scorecard.Scorecard:
    return scorecard.Scorecard(
        weights=dict.fromkeys(INDICATOR_NAMES, 0.5),
        intervals=dict.fromkeys(INDICATOR_NAMES, (0.1, 0.9)),
        means=dict.fromkeys(INDICATOR_NAMES, 0.5),
        share_known=dict.fromkeys(INDICATOR_NAMES, 1.0),
        notes={},
        intercept=-3.0,
        fit_start=date(2024, 11, 10),
        fit_end=AS_OF,
        n_premises=3,
        events=2.0,
        converged=True,
    )


def _metrics(capture: float) -> dict:
    return {
        f"top_{p}pct": {"k": 1, "capture": capture, "precision_at_k": 0.25, "events_captured": 1}
        for p in (1, 5, 10)
    }


def tiny_evaluation(rated_after_cutoff: int = 2) -> dict:
    """The shape of analysis.evaluation.evaluate's result, with made-up figures."""
    variant = {
        "later_events": 2.0,
        "premises_with_later_events": 2.0,
        "scorecard": _metrics(0.5),
        "baseline_random": _metrics(0.1),
        "baseline_fhrs_rating": _metrics(0.3),
    }
    return {
        "caveat": "Indication, not evidence",
        "data_origin": [SYNTHETIC],
        "cutoff": "2024-12-31",
        "end": AS_OF.isoformat(),
        "evaluation_years": 1.86,
        "scored_premises": 3,
        "scored_premises_rated_after_cutoff": rated_after_cutoff,
        "fit": {"premises": 3, "expected_events": 2.0},
        "variants": {
            "published": variant,
            "published_strict_ratings": variant | {"scorecard": _metrics(0.25)},
        },
        "calibration": {
            "expected": 1.5,
            "observed": 2.0,
            "observed_over_expected": 1.333,
            "observed_over_expected_ci95": [0.161, 4.815],
        },
        "bias_audit": [
            {
                "imd_decile": 1,
                "premises": 1,
                "score_median": 0.5,
                "share_of_scored": 0.333,
                "share_of_later_events": 0.5,
                **{f"share_of_top_{k}pct": 1.0 for k in (1, 5, 10)},
                **{f"ratio_top_{k}pct": 3.003 for k in (1, 5, 10)},
            }
        ],
        "bias_trade_off": {
            "all_indicators": {
                "left_out": [],
                "capture": {"top_10pct": 0.5},
                "imd_deciles_1_3_share_of_top_10pct": 1.0,
                "imd_deciles_1_3_ratio_top_10pct": 3.003,
            },
            "without_area_enforcement": {
                "left_out": ["area_enforcement"],
                "capture": {"top_10pct": 0.25},
                "imd_deciles_1_3_share_of_top_10pct": 0.0,
                "imd_deciles_1_3_ratio_top_10pct": 0.0,
            },
        },
    }


def _correlation(level, indicator, method, suppressed=False, **values) -> dict:
    row = dict.fromkeys(stats.AREA_CORRELATIONS_SCHEMA)
    row |= {"area_level": level, "indicator": indicator, "outcome": "enforcement_events"}
    row |= {"method": method, "suppressed": suppressed, "data_vintage": "fhrs file of 2026-11-10"}
    return row | values


def tiny_correlations() -> pl.DataFrame:
    shown = {"n": 3, "estimate": 0.5, "ci_low": 0.1, "ci_high": 0.8, "p_value": 0.01}
    rows = [
        _correlation("lsoa", "target_sector_share", "spearman", **shown, p_adjusted=0.02),
        _correlation("lsoa", "target_sector_share", "pearson", **shown, p_adjusted=0.3),
        _correlation(
            "lsoa", "target_sector_share", "negative_binomial", **shown | {"estimate": 1.4}
        ),
        *[
            _correlation(
                "local_authority",
                "mean_companies_at_premises_postcode",
                method,
                suppressed=True,
                **LEFTOVER_CORRELATION,
                p_value=0.0123,
                p_adjusted=0.0456,
            )
            for method in ("spearman", "pearson", "poisson")
        ],
    ]
    return pl.DataFrame(rows, schema=stats.AREA_CORRELATIONS_SCHEMA)


def _intensity(level, code, events, businesses, rate, suppressed=False, **extra) -> dict:
    row = dict.fromkeys(areas.INTENSITY_SCHEMA)
    row |= {"area_level": level, "area_code": code, "outcome": "enforcement_events"}
    row |= {"events": events, "businesses": businesses, "rate_per_1000": rate}
    row |= {"overall_rate_per_1000": 60.0, "funnel_low": 0.0, "funnel_high": 200.0}
    row |= {"outside_funnel": False, "suppressed": suppressed, "data_vintage": "v"}
    return row | extra


def tiny_intensity() -> pl.DataFrame:
    rows = [
        _intensity("lsoa", "E01000001", 6, 40, 150.0, rate_ci_low=55.0, rate_ci_high=326.0),
        _intensity("lsoa", "E01000002", 3, 30, None, suppressed=True, **LEFTOVER_RATE),
        _intensity("lsoa", "E01000003", 0, 50, 0.0, rate_ci_low=0.0, rate_ci_high=73.8),
        _intensity("local_authority", "523", 9, 70, 128.6, outside_funnel=True),
        _intensity("local_authority", "525", 0, 50, 0.0),
    ]
    return pl.DataFrame(rows, schema=areas.INTENSITY_SCHEMA)


def tiny_events() -> pl.DataFrame:
    published = [date(2024, 3, 1)] * 6 + [date(2025, 5, 1)] * 2 + [date(2026, 2, 1)] * 5
    return pl.DataFrame(
        {
            "event_key": [f"e{k}" for k in range(13)],
            "source": ["illegal_working"] * 8 + ["nmw_naming"] * 5,
            "published_date": published,
        }
    )


def tiny_freshness() -> pl.DataFrame:
    def row(source: str, rows: int, vintages: int, first, last) -> dict:
        meta = BY_KEY[source].metadata
        return {
            "source": source,
            "title": meta.title,
            "publisher": meta.publisher,
            "official_url": meta.official_url,
            "refresh_cadence": meta.refresh_cadence,
            "required": meta.required,
            "table": f"raw.{source}__t",
            "rows": rows,
            "vintages": vintages,
            "first_vintage": first,
            "last_vintage": last,
            "downloads": 1,
            "latest_download": "2026-11-10",
        }

    return pl.DataFrame(
        [
            row("fhrs", 4, 1, AS_OF, AS_OF),
            row("illegal_working", 8, 3, date(2024, 3, 1), date(2026, 2, 1)),
            row("nmw_naming", 0, 0, None, None),
        ]
    )


def tiny_inputs(
    synthetic: bool = True, evaluation: dict | None = None, freshness: pl.DataFrame | None = None
) -> report.ReportInputs:
    premises = tiny_premises_indicators(SYNTHETIC if synthetic else "official open data")
    card = tiny_scorecard()
    names = pl.DataFrame(
        {
            "fhrsid": [101, 102, 103],
            "business_name": [HOSTILE_NAME, FORMULA_NAME, "Corner Shop"],
            "la_name": ["Lewisham", "Lewisham", "Newham"],
        }
    )
    indications = scorecard.premises_indications(premises, card, {"fhrs": "file of 2026-11-10"})
    indications = indications.join(names, on="fhrsid", how="left")
    lsoas = pl.DataFrame(
        {
            "area_code": ["E01000001", "E01000002", "E01000003"],
            "area_name": ["Lewisham 001A", "Lewisham 002B", "Newham 003C"],
            "la_code": ["523", "523", "525"],
            "businesses": [40, 30, 50],
            "target_sector_share": [0.5, 0.2, 0.1],
        }
    )
    authorities = pl.DataFrame(
        {
            "area_code": ["523", "525"],
            "area_name": ["Lewisham", "Newham"],
            "businesses": [70, 50],
            "mean_companies_at_premises_postcode": [1.5, 0.0],
        }
    )
    deciles = pl.DataFrame(
        {
            "outcome": ["enforcement_events"] * 3,
            "imd_decile": [1, 2, 5],
            "businesses": [40, 30, 50],
            "events": [6, None, 0],
            "rate_per_1000": [150.0, LEFTOVER_DECILE_RATE, 0.0],
            "rate_ci_low": [55.0, None, 0.0],
            "rate_ci_high": [326.0, None, 73.8],
            "overall_rate_per_1000": [75.0] * 3,
            "suppressed": [False, True, False],
        }
    )
    events = tiny_events()
    return report.ReportInputs(
        as_of=AS_OF,
        written_on=date(2026, 11, 27),
        synthetic=synthetic,
        correlations=tiny_correlations(),
        intensity=tiny_intensity(),
        area_values={"lsoa": lsoas, "local_authority": authorities},
        lsoa_locations=pl.DataFrame(
            {
                "lsoa_code": ["E01000001", "E01000002", "E01000003"],
                "longitude": [-0.02, -0.01, 0.03],
                "latitude": [51.45, 51.46, 51.53],
            }
        ),
        decile_rates=deciles,
        indications=indications,
        area_indications=scorecard.area_indications(indications),
        weights=card.weights_table(),
        evaluation=tiny_evaluation() if evaluation is None else evaluation,
        evaluation_note=None,
        freshness=tiny_freshness() if freshness is None else freshness,
        events_by_year=report.events_by_year(events, AS_OF),
        events_published=events.height,
        events_attributed=9,
    )


@pytest.fixture(scope="module")
def page() -> str:
    return report.render(tiny_inputs(), ["premises_indications.csv"]).html


def _section(html: str, section_id: str) -> str:
    start = html.index(f'<section id="{section_id}"')
    return html[start : html.index("</section>", start)]


def test_the_page_fetches_nothing_and_runs_no_script(page):
    assert "<script" not in page.replace("&lt;script", "")
    assert not re.search(r'\bsrc\s*=\s*"', page)
    assert "@import" not in page and "url(" not in page and "<link" not in page
    assert "default-src 'none'" in page  # the browser is told to fetch nothing either


def test_the_page_links_out_only_to_the_publishers_official_pages(page):
    official = {c.metadata.official_url for c in CONNECTORS}

    outward = set(re.findall(r'href="(https?://[^"]*)"', page))

    assert outward and outward <= official


def test_every_section_is_on_the_page_in_reading_order(page):
    positions = [page.index(f'<section id="{s}"') for s in SECTIONS]

    assert positions == sorted(positions)
    for section in SECTIONS:
        assert f'href="#{section}"' in page  # and in the contents


def test_a_synthetic_run_says_so_in_a_banner_before_anything_else(page):
    banner = page.index('class="synthetic"')

    assert banner < page.index("<h1>") < page.index('<section id="caveats"')
    assert "SYNTHETIC SAMPLE DATA" in page[banner : page.index("<h1>")]
    assert "<title>SYNTHETIC" in page


def test_a_run_on_published_data_has_no_synthetic_banner():
    html = report.render(tiny_inputs(synthetic=False)).html

    assert 'class="synthetic"' not in html and "SYNTHETIC" not in html


def test_a_suppressed_correlation_shows_the_word_never_its_numbers(page):
    outcomes = _section(page, "outcomes")

    assert outcomes.count('<td class="suppressed">suppressed</td>') == 3
    for figure in ("0.432", "0.123", "0.877", "0.046", "n 77"):
        assert figure not in page


def test_a_suppressed_area_rate_is_shown_nowhere_on_the_page(page):
    for figure in ("8,765", "7,654", "9,876"):
        assert figure not in page
    # ...while the visible areas are there, and the hidden one is marked as hidden.
    assert "150 per 1,000 businesses" in page
    assert "Lewisham 002B E01000002: suppressed" in page


def test_a_suppressed_decile_rate_is_shown_nowhere_on_the_page(page):
    deprivation = _section(page, "deprivation")

    assert "6,543" not in page
    assert "decile 2: suppressed" in deprivation
    assert "[c]" in deprivation


def test_the_leakage_caveat_appears_only_when_the_evaluation_scored_with_later_ratings(page):
    leak = "not known at the cut-off (leakage)"
    without = report.render(tiny_inputs(evaluation=tiny_evaluation(rated_after_cutoff=0))).html

    assert leak in _section(page, "caveats") and leak in _section(page, "evaluation")
    assert "top 10% captures 25.0% of later events instead of 50.0%" in page
    assert leak not in without


def test_the_evaluation_compares_the_scorecard_with_both_baselines(page):
    evaluation = _section(page, "evaluation")

    for heading in ("Scorecard", "FHRS rating alone", "Random"):
        assert f">{heading}</th>" in evaluation
    assert "50.0%" in evaluation and "30.0%" in evaluation and "10.0%" in evaluation


def test_a_source_held_as_one_snapshot_is_said_to_give_no_trend(page):
    trend = _section(page, "trend")

    assert "Held as one snapshot each: fhrs (2026-11-10)" in trend
    assert "illegal_working: 3 releases" in trend
    assert "<svg" in trend


def test_no_trend_is_drawn_when_every_source_is_one_snapshot():
    single = tiny_freshness().filter(pl.col("vintages") <= 1)

    trend = _section(report.render(tiny_inputs(freshness=single)).html, "trend")

    assert "no trend to show" in trend and "<svg" not in trend


def test_business_names_from_the_data_are_escaped(page):
    assert HOSTILE_NAME not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Kebabs" in page


def test_top_indications_show_their_explanations_and_sources(page):
    indications = _section(page, "indications")

    assert indications.count("Raised by:") + indications.count("No indicator is above") == 3
    assert "Sources: FSA food hygiene ratings (file of 2026-11-10)" in indications


def test_each_outcome_has_its_enforcement_intensity_beside_it(page):
    outcome = page[page.index('<article class="outcome" id="outcome-enforcement_events"') :]
    outcome = outcome[: outcome.index("</article>")]

    assert '<aside class="intensity">' in outcome
    assert "Penalty density is not prevalence" in outcome
    assert "LSOAs: overall 60 events per 1,000 businesses" in outcome
    assert "1 above and 0 below the 99.8% limits" in outcome  # Lewisham, at local level


def test_the_freshness_section_gives_every_source_its_vintage_and_age(page):
    freshness = _section(page, "freshness")

    assert "17 days" in freshness  # 2026-11-10 to the day the report was written
    assert "3 releases, 2024-03-01 to 2026-02-01" in freshness
    assert "absent (optional)" in freshness


def _decile_events(extra: list[tuple[str, int]]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Six events on both premises of decile 5 (103, 104), six on decile 1's premises (101),
    one published after as_of on 101, and `extra` (event, fhrsid) pairs."""
    pairs = [(f"e{k}", f) for k in range(6) for f in (103, 104)]
    pairs += [(f"e{k}", 101) for k in range(6, 12)] + [("late", 101)] + extra
    keys = list(dict.fromkeys(key for key, _ in pairs))
    events = pl.DataFrame(
        {
            "event_key": keys,
            "source": ["illegal_working"] * len(keys),
            "published_date": [date(2027, 1, 1) if k == "late" else date(2025, 1, 1) for k in keys],
        }
    )
    event_premises = pl.DataFrame(
        {
            "event_key": [key for key, _ in pairs],
            "fhrsid": [f for _, f in pairs],
            "attribution_probability": [1.0] * len(pairs),
        }
    )
    return events, event_premises


def _penalties_by_decile(extra: list[tuple[str, int]]) -> dict[int, dict]:
    events, event_premises = _decile_events(extra)
    rates = report.decile_rates(tiny_premises_indicators(), events, event_premises, AS_OF)
    rates = rates.filter(pl.col("outcome") == "illegal_working_penalties")
    return {r["imd_decile"]: r for r in rates.iter_rows(named=True)}


def test_decile_rates_count_an_event_once_per_decile_and_only_if_published_by_as_of():
    by_decile = _penalties_by_decile([])

    assert by_decile[5]["events"] == 6  # not 12: two premises, one event each time
    assert by_decile[1]["events"] == 6  # not 7: "late" was published after as_of
    assert by_decile[1]["rate_per_1000"] == pytest.approx(6000.0)  # one business
    assert by_decile[2]["events"] == 0 and not by_decile[2]["suppressed"]


def test_decile_rates_hide_a_small_count_and_one_more_that_would_reveal_it():
    by_decile = _penalties_by_decile([("small", 102)])

    hidden = [d for d, r in by_decile.items() if r["suppressed"]]
    assert 2 in hidden and len(hidden) == 2  # the total is shown beside them
    assert all(
        by_decile[d]["events"] is None and by_decile[d]["rate_per_1000"] is None for d in hidden
    )


def test_events_by_year_fill_empty_years_with_zero_and_hide_small_counts():
    table = report.events_by_year(tiny_events(), AS_OF)

    cells = {(r["source"], r["year"]): r for r in table.iter_rows(named=True)}
    assert cells[("illegal_working", 2024)]["events"] == 6
    assert cells[("illegal_working", 2026)]["events"] == 0  # a year with none is a zero
    assert cells[("nmw_naming", 2024)]["events"] == 0
    assert cells[("illegal_working", 2025)]["suppressed"]  # 2 events
    # ...and the smallest other count, else the 2 could be recovered from the total.
    assert cells[("nmw_naming", 2026)]["suppressed"]
    assert table["suppressed"].sum() == 2


def test_source_freshness_reads_vintages_and_says_absent_for_a_table_never_loaded(
    make_settings,
):
    settings = make_settings()
    settings.duckdb_path.parent.mkdir(parents=True)
    (settings.raw_dir / "fhrs" / "2026-11-10").mkdir(parents=True)
    with duckdb.connect(str(settings.duckdb_path)) as con:
        con.execute("create schema raw")
        con.execute(
            "create table raw.fhrs__establishments as select * from (values "
            "(1, date '2026-11-10'), (2, date '2026-11-10'), (3, date '2026-11-03')) "
            "as t(id, _vintage)"
        )

    fresh = report.source_freshness(settings)

    fhrs = fresh.filter(pl.col("table") == "raw.fhrs__establishments").row(0, named=True)
    assert (fhrs["rows"], fhrs["vintages"]) == (3, 2)
    assert (fhrs["first_vintage"], fhrs["last_vintage"]) == (date(2026, 11, 3), AS_OF)
    assert fhrs["latest_download"] == "2026-11-10"
    others = fresh.filter(pl.col("source") != "fhrs")
    assert others["rows"].sum() == 0 and others["latest_download"].null_count() == others.height


def test_write_report_writes_the_page_and_every_export_it_links_to(tmp_path):
    written = report.write_report(tiny_inputs(), tmp_path / "analysis")

    html = written.path.read_text()
    linked = re.findall(r'href="exports/([^"]+)"', html)
    assert written.path == tmp_path / "analysis" / "index.html"
    assert written.sections == SECTIONS
    assert linked and sorted(linked) == sorted(written.exports.files)
    assert all((tmp_path / "analysis" / "exports" / name).is_file() for name in linked)
    assert "| 1 |" in written.top_indications_markdown


def test_the_bias_audit_shows_each_deciles_share_of_the_top_k_and_the_area_trade_off(page):
    evaluation = _section(page, "evaluation")

    assert "Share of the top 1% (ratio)" in evaluation
    assert "100.0% (x3.0)" in evaluation  # decile 1: all of the top, a third of the premises
    assert "area enforcement" in evaluation and "none (the published scorecard)" in evaluation
    assert "95% interval [0.161, 4.82]" in evaluation
