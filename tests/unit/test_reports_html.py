"""Pages Heyrick writes are self-contained (inline CSS, nothing fetched) and escape data;
Markdown and HTML say the same things."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser

import polars as pl

from heyrick_dagster.reports import html
from heyrick_dagster.reports.assessment import assess_dataset
from heyrick_dagster.reports.data_docs import DataDocs
from heyrick_dagster.reports.document import (
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
from heyrick_dagster.reports.findings import Reference
from heyrick_dagster.reports.publishers import publisher_of
from heyrick_dagster.reports.quality import PublisherReport, publisher_blocks, title
from heyrick_dagster.sources.registry import BY_KEY, CONNECTORS

OFFICIAL = {c.metadata.official_url for c in CONNECTORS}


class _Attributes(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += [(tag, name, value or "") for name, value in attrs]


def assert_self_contained(page: str, allowed_links: set[str] = OFFICIAL) -> None:
    """No script, stylesheet, font or image from anywhere; absolute links only to the
    official sources, which a reader follows on purpose."""
    parser = _Attributes()
    parser.feed(page)
    assert "script" not in parser.tags, "no JavaScript at all"
    assert not {"link", "img", "iframe", "object", "embed"} & set(parser.tags)
    assert not [a for a in parser.attrs if a[1] == "src"], "nothing is loaded from a src"
    for _, name, value in parser.attrs:
        if name == "href" and re.match(r"^[a-z]+:", value, re.I):
            assert value in allowed_links, f"absolute link to {value}"
    style = "".join(re.findall(r"<style>(.*?)</style>", page, re.S))
    assert "@import" not in style and "url(" not in style and "@font-face" not in style


def _fhrs_frame() -> pl.DataFrame:
    connector = BY_KEY["fhrs"]
    empty = connector.parse([]).tables["establishments"]
    row = {c: None for c in empty.columns} | {
        "fhrsid": 1,
        "business_name": "<script>alert('x')</script> & Co",
        "postcode": "W1U",
        "rating_value": "5",
        "rating_key": "fhrs_5_en-GB",
        "local_authority_code": "523",
        "_source_file": "/data/raw/fhrs/2026-11-20/FHRS523en-GB.xml",
        "_source_row": 1,
        "_vintage": dt.date(2026, 11, 20),
    }
    return pl.DataFrame([row], schema=empty.schema)


def _report() -> PublisherReport:
    connector = BY_KEY["fhrs"]
    assessment = assess_dataset(
        connector,
        connector.tables[0],
        _fhrs_frame(),
        Reference(dt.date(2026, 11, 27)),
        synthetic=True,
        run_suites=False,
    )
    docs = DataDocs(
        index="data_docs/index.html",
        expectations={"fhrs__establishments": "data_docs/expectations/fhrs__establishments.html"},
    )
    return PublisherReport(
        publisher=publisher_of("fhrs"),
        assessments=(assessment,),
        generated_at=dt.datetime(2026, 11, 27, 6, 0, tzinfo=dt.UTC),
        mode="sample",
        synthetic=True,
        docs=docs,
    )


def test_a_publisher_report_page_is_self_contained_and_escapes_data():
    report = _report()
    page = html.page(title(report), publisher_blocks(report))
    assert_self_contained(page)
    assert "<script>alert" not in page and "&lt;script&gt;alert" in page
    assert "SYNTHETIC SAMPLE" in page.split("<body>")[1][:400], "said at the top, in words"
    assert 'href="data_docs/index.html"' in page


def test_the_check_finds_an_external_script_or_an_unknown_absolute_link():
    bad_pages = [
        '<html><body><script src="https://cdn.example/x.js"></script></body></html>',
        '<html><head><link rel="stylesheet" href="https://cdn.example/x.css"></head></html>',
        '<html><body><a href="https://elsewhere.example/">x</a></body></html>',
        '<html><head><style>@import url("https://fonts.example/f.css");</style></head></html>',
        '<html><body><img src="logo.png"></body></html>',
    ]
    for page in bad_pages:
        try:
            assert_self_contained(page)
        except AssertionError:
            continue
        raise AssertionError(f"not caught: {page}")


def test_markdown_and_html_render_the_same_blocks():
    blocks = [
        Heading(1, "Title"),
        Callout("synthetic", "generated data"),
        Paragraph(["a ", Strong("bold "), "word and ", Code(" SE13  6JG"), " ", Link("x", "#y")]),
        BulletList([[Strong("What: "), "wrong"], "plain"]),
        Table(["a", "n"], [["x|y", "1,234"]], numeric=frozenset({1})),
        Details("more", [Paragraph("inside")], anchor="d1"),
    ]
    md = to_markdown(blocks)
    page = html.page("t", blocks)
    assert "> **SYNTHETIC SAMPLE:** generated data" in md
    assert "<strong>SYNTHETIC SAMPLE:</strong> generated data" in page
    assert "a **bold** word and ` SE13  6JG` [x](#y)" in md, "edge spaces kept outside **"
    assert "- **What:** wrong" in md
    assert "| x\\|y | 1,234 |" in md and "|---|---:|" in md
    assert '<td class="num">1,234</td>' in page
    assert '<details id="d1"><summary>more</summary>' in page and "**more**\n\ninside" in md
