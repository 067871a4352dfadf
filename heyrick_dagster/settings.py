"""Heyrick's configuration: the ONLY module that reads environment variables.

Every other module receives a `Settings` object (or the values it needs), so a
test can build one for a temporary folder without touching the process
environment.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent

MODES = ("sample", "live", "files")
SAMPLE_SCALES = ("small", "national")
DEFAULT_SAMPLE_SEED = 20261127
# A pseudonymisation key shorter than this could be guessed by trying keys against the
# public register; 32 hex characters are 128 bits.
MIN_PSEUDONYM_KEY_CHARS = 32

# DuckDB's own default memory limit is 80% of the machine's memory, for every connection
# (the pipeline's and dbt's): on a shared 24 GB machine a national run's connections
# each took what they liked. Beyond the limit DuckDB spills to `<warehouse>.tmp/`.
DEFAULT_DUCKDB_MEMORY_LIMIT = "2GB"
_MEMORY_LIMIT = re.compile(r"^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$", re.IGNORECASE)

# An FSA local-authority code is 3-4 digits ("523" is Lewisham). Validated
# because it ends up in file names and URLs.
_AREA_CODE = re.compile(r"^\d{3,4}$")


class SettingsError(ValueError):
    """A configuration value is missing or malformed; the message says which and how to fix it."""


@dataclass(frozen=True)
class Settings:
    mode: str = "sample"
    data_dir: Path = REPO_ROOT / "data"
    duckdb_path: Path = REPO_ROOT / "data" / "heyrick.duckdb"
    # files mode: a folder with one subfolder per source (default <data_dir>/files).
    files_dir: Path | None = None
    # FSA local-authority codes in scope; empty means "all" in live mode and
    # "every authority the sample has" in sample mode.
    areas: tuple[str, ...] = ()
    sample_seed: int = DEFAULT_SAMPLE_SEED
    sample_scale: str = "small"
    http_timeout_s: float = 60.0
    http_retries: int = 4
    # Base addresses of the official services; overridable so that tests can
    # point the live connectors at a local server.
    fhrs_api_base: str = "https://api.ratings.food.gov.uk"
    # Where alerts are POSTed as JSON (heyrick_dagster/alerts.py); None: alerts are only
    # logged. Webhook addresses carry their token in the path, so it is kept out of repr.
    alert_webhook: str | None = field(default=None, repr=False)
    # Recompute every step even when its inputs and code are unchanged
    # (heyrick_dagster/fingerprints.py); HEYRICK_FORCE_RECOMPUTE=1.
    force_recompute: bool = False
    # The key of the keyed hash (HMAC-SHA256) that replaces company officers' and PSCs'
    # names and birth dates (sources/psc_pseudonyms.py). A secret: kept out of repr.
    pseudonym_key: str | None = field(default=None, repr=False)
    # The memory limit of every DuckDB connection (warehouse.py's and dbt's);
    # HEYRICK_DUCKDB_MEMORY_LIMIT, e.g. "2GB".
    duckdb_memory_limit: str = DEFAULT_DUCKDB_MEMORY_LIMIT

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise SettingsError(f"HEYRICK_MODE={self.mode!r}: expected one of {', '.join(MODES)}")
        if self.sample_scale not in SAMPLE_SCALES:
            raise SettingsError(
                f"HEYRICK_SAMPLE_SCALE={self.sample_scale!r}: expected one of "
                f"{', '.join(SAMPLE_SCALES)}"
            )
        if self.alert_webhook is not None and not self.alert_webhook.startswith(
            ("http://", "https://")
        ):
            # The value itself is not echoed: it is a secret.
            raise SettingsError("HEYRICK_ALERT_WEBHOOK: expected an http:// or https:// address")
        if self.pseudonym_key is not None and len(self.pseudonym_key) < MIN_PSEUDONYM_KEY_CHARS:
            # The value itself is not echoed: it is a secret.
            raise SettingsError(
                f"HEYRICK_PSEUDONYM_KEY is too short: use at least {MIN_PSEUDONYM_KEY_CHARS} "
                "random characters (e.g. python -c 'import secrets; print(secrets.token_hex(32))')"
            )
        if not _MEMORY_LIMIT.match(self.duckdb_memory_limit):
            raise SettingsError(
                f"HEYRICK_DUCKDB_MEMORY_LIMIT={self.duckdb_memory_limit!r}: expected an amount "
                "such as 2GB or 512MB"
            )
        bad = [a for a in self.areas if not _AREA_CODE.match(a)]
        if bad:
            raise SettingsError(
                f"HEYRICK_AREAS has {bad!r}: expected FSA local-authority codes such as 523 "
                "(Lewisham), separated by commas"
            )

    @property
    def raw_dir(self) -> Path:
        return self.data_dir / "raw"

    @property
    def source_files_dir(self) -> Path:
        return self.files_dir or self.data_dir / "files"

    @property
    def sample_dir(self) -> Path:
        return self.data_dir / "sample"

    @property
    def linkage_models_dir(self) -> Path:
        return self.data_dir / "linkage" / "models"

    @property
    def reports_dir(self) -> Path:
        return self.data_dir / "reports"

    @property
    def is_synthetic(self) -> bool:
        return self.mode == "sample"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        data_dir = Path(env.get("HEYRICK_DATA_DIR") or REPO_ROOT / "data").resolve()
        duckdb_path = Path(env.get("HEYRICK_DUCKDB_PATH") or data_dir / "heyrick.duckdb").resolve()
        areas = tuple(a.strip() for a in env.get("HEYRICK_AREAS", "").split(",") if a.strip())
        try:
            seed = int(env.get("HEYRICK_SAMPLE_SEED") or DEFAULT_SAMPLE_SEED)
        except ValueError as exc:
            raise SettingsError(
                f"HEYRICK_SAMPLE_SEED={env.get('HEYRICK_SAMPLE_SEED')!r} is not an integer"
            ) from exc
        kwargs: dict = {}
        if env.get("HEYRICK_FILES_DIR"):
            kwargs["files_dir"] = Path(env["HEYRICK_FILES_DIR"]).resolve()
        if env.get("HEYRICK_FHRS_API_BASE"):
            kwargs["fhrs_api_base"] = env["HEYRICK_FHRS_API_BASE"].rstrip("/")
        if env.get("HEYRICK_ALERT_WEBHOOK", "").strip():
            kwargs["alert_webhook"] = env["HEYRICK_ALERT_WEBHOOK"].strip()
        if env.get("HEYRICK_FORCE_RECOMPUTE", "").strip().lower() in {"1", "true", "yes"}:
            kwargs["force_recompute"] = True
        if env.get("HEYRICK_PSEUDONYM_KEY", "").strip():
            kwargs["pseudonym_key"] = env["HEYRICK_PSEUDONYM_KEY"].strip()
        if env.get("HEYRICK_DUCKDB_MEMORY_LIMIT", "").strip():
            kwargs["duckdb_memory_limit"] = env["HEYRICK_DUCKDB_MEMORY_LIMIT"].strip()
        if env.get("HEYRICK_HTTP_TIMEOUT"):
            kwargs["http_timeout_s"] = float(env["HEYRICK_HTTP_TIMEOUT"])
        return cls(
            mode=(env.get("HEYRICK_MODE") or "sample").strip().lower(),
            data_dir=data_dir,
            duckdb_path=duckdb_path,
            areas=areas,
            sample_seed=seed,
            sample_scale=(env.get("HEYRICK_SAMPLE_SCALE") or "small").strip().lower(),
            **kwargs,
        )

    def dbt_vars(self) -> dict[str, object]:
        """What dbt needs from the settings, passed as `--vars` (profiles.yml reads
        duckdb_path and duckdb_memory_limit)."""
        return {
            "duckdb_path": str(self.duckdb_path),
            "duckdb_memory_limit": self.duckdb_memory_limit,
            "synthetic": self.is_synthetic,
        }
