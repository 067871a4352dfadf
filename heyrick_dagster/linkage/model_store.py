"""Trained Splink models on disk, versioned by content.

    <folder>/<left>__<right>.<sha12>.json   Splink's own settings JSON (loadable by Splink)
    <folder>/MODELS.json                     link type -> current file, version, trained_at, origin

The version is the sha256 of the model JSON, so retraining on unchanged inputs gives
the same version and file; a changed model is a new file beside the old one, and the
manifest is replaced atomically last, so a crash mid-save leaves the previous models
current.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

MANIFEST = "MODELS.json"


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    tmp.replace(path)


def save_models(
    models: dict[str, dict[str, Any]], folder: Path, origins: dict[str, str] | None = None
) -> dict[str, dict[str, str]]:
    """Write each model and the manifest (with how each model was made, when given);
    returns the manifest entries."""
    folder.mkdir(parents=True, exist_ok=True)
    manifest = {}
    for link_type, model in sorted(models.items()):
        text = json.dumps(model, indent=2, sort_keys=True)
        version = hashlib.sha256(text.encode()).hexdigest()[:12]
        name = f"{link_type.replace('->', '__')}.{version}.json"
        if not (folder / name).exists():
            _atomic_write(folder / name, text)
        manifest[link_type] = {
            "file": name,
            "version": version,
            "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "origin": (origins or {}).get(link_type, ""),
        }
    _atomic_write(folder / MANIFEST, json.dumps(manifest, indent=2, sort_keys=True))
    return manifest


def load_models(folder: Path) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, str]]]:
    """The current models by link type, and the manifest. Missing folder: nothing."""
    path = folder / MANIFEST
    if not path.exists():
        return {}, {}
    manifest = json.loads(path.read_text())
    models = {
        link_type: json.loads((folder / entry["file"]).read_text())
        for link_type, entry in manifest.items()
    }
    return models, manifest
