"""One module per source: `write(world, out_dir) -> list[Path]` writes that source's
sample files, in its official published format, under `out_dir/<source>/`.

`heyrick_dagster.sample.generate` runs every module in this package, so a new
source's writer needs no registration.
"""
