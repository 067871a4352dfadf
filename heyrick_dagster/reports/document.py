"""A small document model, written once and rendered as Markdown (here) or HTML (`html.py`).

Reports build a list of blocks; both renderers walk the same list, so the Markdown a
publisher reads in a terminal (`heyrick check`) and the HTML page say the same things.
Text is plain: renderers escape it, so data values (a business called "<b>&Co") are safe.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Link:
    text: str
    href: str


@dataclass(frozen=True)
class Strong:
    text: str


@dataclass(frozen=True)
class Code:
    text: str


Span = str | Link | Strong | Code
# One span, or several written one after the other.
Inline = Span | Sequence[Span]


@dataclass(frozen=True)
class Heading:
    level: int  # 1-4
    text: str
    anchor: str | None = None


@dataclass(frozen=True)
class Paragraph:
    content: Inline


@dataclass(frozen=True)
class Callout:
    """A boxed paragraph: "synthetic" (the sample), "warning" or "note"."""

    kind: str
    content: Inline


@dataclass(frozen=True)
class BulletList:
    items: Sequence[Inline]


@dataclass(frozen=True)
class Table:
    header: Sequence[str]
    rows: Sequence[Sequence[Inline]]
    numeric: frozenset[int] = field(default_factory=frozenset)  # right-aligned columns


@dataclass(frozen=True)
class Details:
    """Detail a reader opens on demand (HTML <details>); Markdown shows it in full."""

    summary: Inline
    blocks: Sequence[Block]
    anchor: str | None = None


Block = Heading | Paragraph | Callout | BulletList | Table | Details


CALLOUT_LABELS = {"synthetic": "SYNTHETIC SAMPLE", "warning": "Warning", "note": "Note"}


def callout_label(block: Callout) -> str:
    return CALLOUT_LABELS.get(block.kind, block.kind.capitalize())


def spans(content: Inline) -> list[Span]:
    if isinstance(content, (str, Link, Strong, Code)):
        return [content]
    return list(content)


# --------------------------------------------------------------------------- Markdown


def to_markdown(blocks: Sequence[Block]) -> str:
    return "\n\n".join(_block_md(b) for b in blocks).rstrip() + "\n"


def _block_md(block: Block) -> str:
    if isinstance(block, Heading):
        return f"{'#' * block.level} {_one_line(block.text)}"
    if isinstance(block, Paragraph):
        return _inline_md(block.content)
    if isinstance(block, Callout):
        return f"> **{callout_label(block)}:** {_inline_md(block.content)}"
    if isinstance(block, BulletList):
        return "\n".join(f"- {_inline_md(item)}" for item in block.items)
    if isinstance(block, Table):
        header = "| " + " | ".join(_cell(h) for h in block.header) + " |"
        rule = (
            "|"
            + "|".join("---:" if i in block.numeric else "---" for i in range(len(block.header)))
            + "|"
        )
        rows = ["| " + " | ".join(_cell_md(c) for c in row) + " |" for row in block.rows]
        return "\n".join([header, rule, *rows])
    if isinstance(block, Details):
        inner = "\n\n".join(_block_md(b) for b in block.blocks)
        return f"**{_inline_md(block.summary)}**\n\n{inner}".rstrip()
    raise TypeError(f"not a block: {block!r}")


def _inline_md(content: Inline) -> str:
    out = []
    for span in spans(content):
        if isinstance(span, Link):
            out.append(f"[{_one_line(span.text)}]({span.href})")
        elif isinstance(span, Strong):
            # Markdown emphasis may not start or end with a space: keep edge spaces outside.
            text = _squash(span.text)
            lead, trail = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()) :]
            out.append(f"{lead}**{text.strip()}**{trail}")
        elif isinstance(span, Code):
            # Spaces inside a value matter (" SE13  6JG"): only line breaks are replaced.
            out.append(f"`{span.text.replace(chr(10), ' ').replace('`', chr(39))}`")
        else:
            out.append(_squash(span))
    return "".join(out).strip()


def _cell_md(content: Inline) -> str:
    return _inline_md(content).replace("|", "\\|")


def _cell(text: str) -> str:
    return _one_line(text).replace("|", "\\|")


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _squash(text: str) -> str:
    """Whitespace runs (newlines too) become one space; a span keeps its edge spaces."""
    return re.sub(r"\s+", " ", str(text))
