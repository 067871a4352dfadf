"""What the dbt project says each table and column means, read from its YAML.

The staging folder documents the raw tables (`_<source>__sources.yml`, the dbt source
`raw`) and the standardised models (`_<source>__models.yml`); `{{ doc('name') }}`
references resolve to the first paragraph of the `{% docs name %}` blocks in the
folder's `.md` files. Read straight from the files, so the catalogue needs no
`dbt docs generate` and no manifest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from heyrick_dagster.settings import REPO_ROOT

STAGING_DIR = REPO_ROOT / "dbt_project" / "models" / "staging"

_DOC_BLOCK = re.compile(r"{%-?\s*docs\s+(\w+)\s*-?%}(.*?){%-?\s*enddocs\s*-?%}", re.DOTALL)
_DOC_REF = re.compile(r"{{\s*doc\(\s*['\"](\w+)['\"]\s*\)\s*}}")


@dataclass(frozen=True)
class TableDoc:
    name: str
    description: str = ""
    columns: dict[str, str] = field(default_factory=dict)  # column -> meaning ("" if none)


@dataclass(frozen=True)
class DbtDocs:
    sources: dict[str, TableDoc]  # raw table name -> its documentation
    models: dict[str, TableDoc]  # staging model name -> its documentation


def read_docs(staging_dir: Path = STAGING_DIR) -> DbtDocs:
    blocks = {
        name: _first_paragraph(text)
        for md in staging_dir.rglob("*.md")
        for name, text in _DOC_BLOCK.findall(md.read_text(encoding="utf-8"))
    }
    sources: dict[str, TableDoc] = {}
    models: dict[str, TableDoc] = {}
    for path in sorted(staging_dir.rglob("_*.yml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for source in doc.get("sources") or []:
            for table in source.get("tables") or []:
                sources[table["name"]] = _table_doc(table, blocks)
        for model in doc.get("models") or []:
            models[model["name"]] = _table_doc(model, blocks)
    return DbtDocs(sources, models)


def _table_doc(entry: dict, blocks: dict[str, str]) -> TableDoc:
    return TableDoc(
        name=entry["name"],
        description=_resolve(entry.get("description") or "", blocks),
        columns={
            c["name"]: _resolve(c.get("description") or "", blocks)
            for c in entry.get("columns") or []
        },
    )


def _resolve(text: str, blocks: dict[str, str]) -> str:
    resolved = _DOC_REF.sub(lambda m: blocks.get(m.group(1), f"(see dbt doc {m.group(1)})"), text)
    return " ".join(resolved.split())


def _first_paragraph(text: str) -> str:
    return " ".join(text.strip().split("\n\n")[0].split())
