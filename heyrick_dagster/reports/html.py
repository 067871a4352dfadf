"""Self-contained HTML for the document model: one file, inline CSS, nothing fetched.

Heyrick's readers work in secure environments without internet access, so a page must
render from the file alone: no stylesheet, script, font or image from anywhere else
(the system font stack, no web fonts; no JavaScript at all: <details> opens natively).
The only absolute addresses a page carries are links a reader may follow on purpose,
such as a publisher's official page.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from heyrick_dagster.reports.document import (
    Block,
    BulletList,
    Callout,
    Code,
    Details,
    Heading,
    Inline,
    Link,
    Paragraph,
    Strong,
    Table,
    callout_label,
    spans,
)

STYLE = """
:root { color-scheme: light; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif;
  margin: 0 auto; max-width: 72rem; padding: 1.5rem 2rem 4rem; color: #1b1f24;
  line-height: 1.45; }
h1 { font-size: 1.7rem; margin: 0.2rem 0 0.8rem; }
h2 { font-size: 1.35rem; margin-top: 2.2rem; border-bottom: 2px solid #d0d7de;
  padding-bottom: 0.2rem; }
h3 { font-size: 1.1rem; margin-top: 1.6rem; }
h4 { font-size: 1rem; margin: 1.2rem 0 0.4rem; }
table { border-collapse: collapse; margin: 0.6rem 0 1rem; font-size: 0.9rem; }
th, td { border: 1px solid #d0d7de; padding: 0.25rem 0.5rem; vertical-align: top;
  text-align: left; }
th { background: #f3f5f7; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr:nth-child(even) td { background: #fafbfc; }
code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace;
  background: #f3f5f7; padding: 0 0.2rem; border-radius: 3px; font-size: 0.88em;
  white-space: pre-wrap; }
.callout { border-left: 6px solid #57606a; background: #f6f8fa; padding: 0.6rem 0.9rem;
  margin: 0.8rem 0; }
.callout.synthetic { border-color: #bc4c00; background: #fff1e5; font-size: 1.05rem; }
.callout.warning { border-color: #cf222e; background: #ffebe9; }
.callout.note { border-color: #0969da; background: #ddf4ff; }
details { margin: 0.4rem 0 0.8rem; border: 1px solid #d0d7de; border-radius: 4px;
  padding: 0.3rem 0.7rem; }
details > summary { cursor: pointer; font-weight: 600; }
details[open] > summary { margin-bottom: 0.4rem; }
a { color: #0969da; }
@media print { details { border: none; } }
"""


def page(title: str, blocks: Sequence[Block]) -> str:
    """A complete HTML document."""
    body = "\n".join(render_block(b) for b in blocks)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en-GB">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n"
        f"<body>\n{body}\n</body>\n</html>\n"
    )


def render_block(block: Block) -> str:
    if isinstance(block, Heading):
        level = min(max(block.level, 1), 6)
        anchor = f' id="{escape(block.anchor)}"' if block.anchor else ""
        return f"<h{level}{anchor}>{escape(block.text)}</h{level}>"
    if isinstance(block, Paragraph):
        return f"<p>{render_inline(block.content)}</p>"
    if isinstance(block, Callout):
        label = escape(callout_label(block))
        content = render_inline(block.content)
        return (
            f'<div class="callout {escape(block.kind)}"><strong>{label}:</strong> {content}</div>'
        )
    if isinstance(block, BulletList):
        items = "".join(f"<li>{render_inline(i)}</li>" for i in block.items)
        return f"<ul>{items}</ul>"
    if isinstance(block, Table):
        return _table(block)
    if isinstance(block, Details):
        inner = "\n".join(render_block(b) for b in block.blocks)
        anchor = f' id="{escape(block.anchor)}"' if block.anchor else ""
        summary = render_inline(block.summary)
        return f"<details{anchor}><summary>{summary}</summary>\n{inner}\n</details>"
    raise TypeError(f"not a block: {block!r}")


def render_inline(content: Inline) -> str:
    out = []
    for span in spans(content):
        if isinstance(span, Link):
            out.append(f'<a href="{escape(span.href, quote=True)}">{escape(span.text)}</a>')
        elif isinstance(span, Strong):
            out.append(f"<strong>{escape(span.text)}</strong>")
        elif isinstance(span, Code):
            out.append(f"<code>{escape(span.text)}</code>")
        else:
            out.append(escape(span))
    return "".join(out)


def _table(table: Table) -> str:
    def cls(i: int) -> str:
        return ' class="num"' if i in table.numeric else ""

    head = "".join(f"<th{cls(i)}>{escape(h)}</th>" for i, h in enumerate(table.header))
    rows = "".join(
        "<tr>"
        + "".join(f"<td{cls(i)}>{render_inline(c)}</td>" for i, c in enumerate(row))
        + "</tr>"
        for row in table.rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
