"""contract.screen_passes: the one-query screen in front of pandera must never pass a frame
that pandera would refuse, and must defer to pandera for rules it does not model."""

from __future__ import annotations

from datetime import date

import pandera.polars as pa
import polars as pl
import pytest
from pandera.errors import SchemaError, SchemaErrors

from heyrick_dagster.sources import contract, registry  # noqa: F401 (registers every contract)
from heyrick_dagster.sources.contract import RawContract, screen_passes, validate
from heyrick_dagster.sources.errors import ContractError


class Shop(RawContract):
    shop_id: int = pa.Field(nullable=False, unique=True, ge=1)
    name: str = pa.Field(nullable=True, str_length={"max_value": 8})
    code: str = pa.Field(nullable=True, str_matches=r"^[A-Z]\d$")
    kind: str = pa.Field(nullable=False, isin=["cafe", "shop"])
    score: float = pa.Field(nullable=False, ge=0, le=25)
    rating: float = pa.Field(nullable=True, gt=0)
    ref: str = pa.Field(nullable=True, unique=True)


def _good() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "shop_id": [1, 2, 3],
            "name": ["Ali's", None, "Zed"],
            "code": ["A1", None, "B2"],
            "kind": ["cafe", "shop", "cafe"],
            "score": [0.0, 5.0, 25.0],
            "rating": [1.5, None, 3.0],
            "ref": ["r1", None, "r3"],
            "_source_file": ["f.csv"] * 3,
            "_source_row": [1, 2, 3],
            "_vintage": [date(2026, 11, 1)] * 3,
        }
    )


def _schema():
    return contract._schema(Shop)


def _pandera_refuses(frame: pl.DataFrame) -> bool:
    try:
        Shop.validate(frame, lazy=True)
    except (SchemaError, SchemaErrors):
        return True
    return False


BROKEN = {
    "a null where none is allowed": pl.col("kind").replace("shop", None),
    "a NaN in a float column without nulls": pl.col("score").replace(5.0, float("nan")),
    "a repeated key": pl.col("shop_id").replace(3, 1),
    "two nulls in a unique column (pandera counts them as repeats)": pl.col("ref").replace(
        "r3", None
    ),
    "a value below ge": pl.col("shop_id").replace(2, 0),
    "a value above le": pl.col("score").replace(25.0, 25.5),
    "a value at a strict gt bound": pl.col("rating").replace(3.0, 0.0),
    "a value outside isin": pl.col("kind").replace("cafe", "pub"),
    "a text not matching its pattern": pl.col("code").replace("B2", "b2"),
    "a text too long": pl.col("name").replace("Zed", "Zed's Kebabs"),
    "a column of another type": pl.col("shop_id").cast(pl.Float64),
    "a lineage row of 0": pl.col("_source_row").replace(3, 0),
}


def test_screen_passes_a_frame_pandera_accepts():
    frame = _good()
    assert not _pandera_refuses(frame)
    assert screen_passes(frame, _schema())


@pytest.mark.parametrize("broken", list(BROKEN), ids=list(BROKEN))
def test_screen_refuses_every_frame_pandera_refuses(broken):
    frame = _good().with_columns(BROKEN[broken])
    assert _pandera_refuses(frame), "the case must break the contract"
    assert not screen_passes(frame, _schema())


def test_screen_refuses_an_extra_or_a_missing_column():
    assert not screen_passes(_good().with_columns(pl.lit(1).alias("extra")), _schema())
    assert not screen_passes(_good().drop("rating"), _schema())


def test_screen_defers_to_pandera_for_a_rule_it_does_not_model():
    class Wide(Shop):
        @pa.dataframe_check
        @classmethod
        def scores_sum_up(cls, data) -> pl.LazyFrame:
            return data.lazyframe.select(pl.col("score").sum() >= 0)

    assert not screen_passes(_good(), contract._schema(Wide))
    validate(_good(), Wide, "test", "f.csv")  # pandera itself accepts it


def test_validate_names_the_row_when_the_screen_refuses():
    frame = _good().with_columns(BROKEN["a value outside isin"])
    with pytest.raises(ContractError) as caught:
        validate(frame, Shop, "test", "f.csv")
    assert caught.value.row == 1
    assert "kind" in str(caught.value) and "f.csv" in str(caught.value)


def _contracts(cls=RawContract):
    for sub in cls.__subclasses__():
        yield sub
        yield from _contracts(sub)


@pytest.mark.parametrize(
    "model",
    [m for m in _contracts() if m.__module__.startswith("heyrick_dagster.sources")],
    ids=lambda m: m.__name__,
)
def test_every_source_contract_is_one_the_screen_models(model):
    """A rule the screen does not model sends every clean frame of that source back to
    pandera's slower path: worth knowing when a contract gains one."""
    assert contract._screenable(contract._schema(model))
