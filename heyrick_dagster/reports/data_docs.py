"""Great Expectations Data Docs for every suite, built offline into the reports folder.

GX builds Data Docs from a *file* context holding stored validation results. The
committed `expectations/` folder is never touched: it is copied into a temporary folder,
the suites are validated there (so their results exist), the site is written to
`data/reports/quality/data_docs/` (replaced whole, so it shows this run only), and the
temporary folder is removed.

Data Docs pages are GX's, not Heyrick's: they load Bootstrap, jQuery, Vega and Font
Awesome from public CDNs (and GX's logo from its own server), so offline they render
unstyled, though their content is all there. The quality reports say so beside every
link (`CDN_NOTICE`), and carry the failing records themselves, which Data Docs do not.
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from heyrick_dagster.quality.gx_runner import (
    DEFAULT_EXPECTATIONS_DIR,
    columns_read,
    released_context,
    skip_batch_fingerprints,
    suite_frame,
)
from heyrick_dagster.sources.base import Connector, RawTable

if TYPE_CHECKING:
    import pandas

log = logging.getLogger(__name__)

CDN_NOTICE = (
    "Great Expectations' Data Docs pages load their styles and scripts (Bootstrap, jQuery, "
    "Vega, Font Awesome) from public CDNs and GX's logo from its server: without internet "
    "access they open unstyled, with every result still readable. This report is "
    "self-contained and shows the failing records themselves."
)
_DATASOURCE = "heyrick"
_SITE = "local_site"
# Quieten the copied context: no analytics, no progress bars on the console.
_CONFIG_APPENDIX = """
analytics_enabled: false
progress_bars:
  globally: false
  metric_calculations: false
"""


@dataclass(frozen=True)
class SuiteRun:
    suite: str
    frame: pandas.DataFrame  # what the suite checks (the table, or a frame derived from it)
    parameters: dict[str, Any] = field(default_factory=dict)


def suite_runs(connector: Connector, table: RawTable, frame: pl.DataFrame) -> Iterator[SuiteRun]:
    """The table's suites on its records, as the raw asset runs them (derived frames too,
    and only the columns each suite reads), made one at a time as they are validated."""
    for spec in table.checks:
        if spec.frame:
            checked = spec.frame(_pandas(frame))
        else:
            checked = _pandas(frame.select(columns_read([spec.suite], frame.columns)))
        parameters = spec.parameters() if spec.parameters else {}
        yield SuiteRun(spec.suite, suite_frame(spec.suite, checked), parameters)


@dataclass(frozen=True)
class DataDocs:
    """Where the site landed, relative to the quality reports' folder, or why it did not."""

    index: str | None = None  # "data_docs/index.html"
    expectations: dict[str, str] = field(default_factory=dict)  # suite -> page
    validations: dict[str, str] = field(default_factory=dict)  # suite -> this run's page
    reason: str = ""  # why no site was built

    @property
    def built(self) -> bool:
        return self.index is not None


def build(
    runs: Iterable[SuiteRun],
    out_dir: Path,
    expectations_dir: Path = DEFAULT_EXPECTATIONS_DIR,
) -> DataDocs:
    """Validate each run in a throwaway copy of the GX context and build the site into
    `out_dir`. Never raises for GX's sake: a failure is the `reason` the report shows."""
    try:
        with tempfile.TemporaryDirectory(prefix="heyrick-gx-") as tmp:
            return _build(runs, out_dir, expectations_dir, Path(tmp) / "gx")
    except Exception as exc:  # GX internals vary; the report must still be written
        log.warning("Great Expectations Data Docs not built: %s", exc)
        return DataDocs(reason=f"Great Expectations could not build them: {exc}")


def _build(runs, out_dir: Path, expectations_dir: Path, root: Path) -> DataDocs:
    import great_expectations as gx

    skip_batch_fingerprints()
    shutil.copytree(expectations_dir, root, ignore=shutil.ignore_patterns("uncommitted"))
    config = root / "great_expectations.yml"
    config.write_text(config.read_text(encoding="utf-8") + _CONFIG_APPENDIX, encoding="utf-8")
    with released_context(gx.get_context(mode="file", context_root_dir=str(root))) as context:
        return _validate_and_build(context, runs, out_dir)


def _validate_and_build(context, runs, out_dir: Path) -> DataDocs:
    import great_expectations as gx
    import pandas as pd

    shutil.rmtree(out_dir, ignore_errors=True)
    context.update_data_docs_site(
        _SITE,
        {
            "class_name": "SiteBuilder",
            "show_how_to_buttons": False,
            "store_backend": {
                "class_name": "TupleFilesystemStoreBackend",
                "base_directory": str(out_dir),
            },
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        },
    )
    for run in runs:
        # A data source per suite, deleted once its result is stored: a data source's
        # execution engine keeps every frame validated through it, so one for all the
        # suites held every table's frame, in pandas, until the site was built.
        source = context.data_sources.add_or_update_pandas(_DATASOURCE)
        batch = source.add_dataframe_asset(run.suite).add_batch_definition_whole_dataframe(
            "whole_dataframe"
        )
        definition = context.validation_definitions.add_or_update(
            gx.ValidationDefinition(name=run.suite, data=batch, suite=context.suites.get(run.suite))
        )
        definition.run(
            batch_parameters={"dataframe": run.frame},
            expectation_parameters={k: _parameter(v, pd) for k, v in run.parameters.items()},
        )
        context.data_sources.delete(_DATASOURCE)
    context.build_data_docs(site_names=[_SITE])
    return DataDocs(
        index=f"{out_dir.name}/index.html",
        expectations={
            p.stem: _relative(p, out_dir) for p in (out_dir / "expectations").glob("*.html")
        },
        validations={
            p.relative_to(out_dir / "validations").parts[0]: _relative(p, out_dir)
            for p in (out_dir / "validations").rglob("*.html")
        },
    )


def _pandas(frame: pl.DataFrame) -> pandas.DataFrame:
    """Dates as datetime64, which GX compares with Timestamp parameters."""
    dates = [c for c, t in frame.schema.items() if t == pl.Date]
    return frame.with_columns([pl.col(c).cast(pl.Datetime("us")) for c in dates]).to_pandas()


def _parameter(value: Any, pd) -> Any:
    return pd.Timestamp(value) if isinstance(value, dt.date) else value


def _relative(page: Path, out_dir: Path) -> str:
    return f"{out_dir.name}/{page.relative_to(out_dir).as_posix()}"
