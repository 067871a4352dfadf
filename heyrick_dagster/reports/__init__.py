"""Reports for people, not pipelines: a data-quality report per publisher and the data catalogue.

Dagster-free: `heyrick_dagster/defs/reports.py` wires these functions into assets, and
`heyrick check` (quality/file_check.py) prints the same dataset section for one file.
Every page is written twice from one document model (`document.py`): Markdown, and
self-contained HTML (`html.py`: inline CSS, no script, font or image from elsewhere).
"""
