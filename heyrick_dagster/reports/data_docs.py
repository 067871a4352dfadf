"""Great Expectations Data Docs for every suite, built offline into the reports folder.

GX builds Data Docs from a *file* context holding stored validation results. The
committed `expectations/` folder is never touched: it is copied into a temporary folder
(`session`), the quality report validates each suite through it (`Session.validate`,
which `gx_runner.run_suite` calls: one validation serves the report and the site), the
site is written to `data/reports/quality/data_docs/` (replaced whole, so it shows this run
only), and the temporary folder is removed.

Data Docs pages are GX's, not Heyrick's: they load Bootstrap, jQuery, Vega and Font
Awesome from public CDNs (and GX's logo from its own server), so offline they render
unstyled, though their content is all there. The quality reports say so beside every
link (`CDN_NOTICE`), and carry the failing records themselves, which Data Docs do not.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from heyrick_dagster.quality.gx_runner import (
    DEFAULT_EXPECTATIONS_DIR,
    released_context,
    skip_batch_fingerprints,
    validate_ephemeral,
)

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
class DataDocs:
    """Where the site landed, relative to the quality reports' folder, or why it did not."""

    index: str | None = None  # "data_docs/index.html"
    expectations: dict[str, str] = field(default_factory=dict)  # suite -> page
    validations: dict[str, str] = field(default_factory=dict)  # suite -> this run's page
    reason: str = ""  # why no site was built

    @property
    def built(self) -> bool:
        return self.index is not None


class Session:
    """A throwaway copy of the GX file context: suites validated through it keep their
    results there, and `build` renders the site from them. GX's failures never raise
    from here: a suite it cannot validate in the copy is validated the ordinary way
    (`gx_runner.validate_ephemeral`), and the site is then not built (`reason`)."""

    def __init__(self, context: Any | None, out_dir: Path, reason: str = "") -> None:
        self._context = context
        self._out_dir = out_dir
        self.reason = reason

    def validate(self, suite: Any, frame: pandas.DataFrame, **options: Any) -> Any:
        """A `gx_runner.Validate`: the suite's result, stored for the site."""
        if self._context is not None:
            try:
                return self._validate_here(suite.name, frame, **options)
            except Exception as exc:  # GX internals vary; the report must still be written
                log.warning("Great Expectations Data Docs not built: %s", exc)
                self._context = None
                self.reason = f"Great Expectations could not validate {suite.name} for them: {exc}"
        return validate_ephemeral(suite, frame, **options)

    def _validate_here(self, name: str, frame: pandas.DataFrame, **options: Any) -> Any:
        import great_expectations as gx

        context = self._context
        # A data source per suite, deleted once its result is stored: a data source's
        # execution engine keeps every frame validated through it, so one for all the
        # suites held every table's frame, in pandas, until the site was built.
        source = context.data_sources.add_or_update_pandas(_DATASOURCE)
        try:
            batch = source.add_dataframe_asset(name).add_batch_definition_whole_dataframe(
                "whole_dataframe"
            )
            definition = context.validation_definitions.add_or_update(
                gx.ValidationDefinition(name=name, data=batch, suite=context.suites.get(name))
            )
            return definition.run(batch_parameters={"dataframe": frame}, **options)
        finally:
            context.data_sources.delete(_DATASOURCE)

    def build(self) -> DataDocs:
        """The site of every suite validated so far, or why there is none."""
        if self._context is None:
            return DataDocs(reason=self.reason)
        try:
            self._context.build_data_docs(site_names=[_SITE])
        except Exception as exc:
            log.warning("Great Expectations Data Docs not built: %s", exc)
            return DataDocs(reason=f"Great Expectations could not build them: {exc}")
        out_dir = self._out_dir
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


@contextmanager
def session(out_dir: Path, expectations_dir: Path = DEFAULT_EXPECTATIONS_DIR) -> Iterator[Session]:
    """A `Session` whose site will be written to `out_dir`; its context is removed on exit.
    When the copy cannot be made, the session validates the ordinary way and says why."""
    with tempfile.TemporaryDirectory(prefix="heyrick-gx-") as tmp:
        try:
            context = _context(out_dir, expectations_dir, Path(tmp) / "gx")
        except Exception as exc:  # GX internals vary; the report must still be written
            log.warning("Great Expectations Data Docs not built: %s", exc)
            yield Session(None, out_dir, f"Great Expectations could not build them: {exc}")
            return
        with released_context(context):
            yield Session(context, out_dir)


def _context(out_dir: Path, expectations_dir: Path, root: Path) -> Any:
    import great_expectations as gx

    skip_batch_fingerprints()
    shutil.copytree(expectations_dir, root, ignore=shutil.ignore_patterns("uncommitted"))
    config = root / "great_expectations.yml"
    config.write_text(config.read_text(encoding="utf-8") + _CONFIG_APPENDIX, encoding="utf-8")
    context = gx.get_context(mode="file", context_root_dir=str(root))
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
    return context


def _relative(page: Path, out_dir: Path) -> str:
    return f"{out_dir.name}/{page.relative_to(out_dir).as_posix()}"
