"""Seeded random sources for the world: one per component, named by a string.

Every component draws from its own generator, seeded with the world's seed and
a label naming what it is for, so no global random state is touched and a
change in one component does not shift the draws of another.
"""

from __future__ import annotations

import hashlib
import random

import numpy as np


def _key(seed: int, parts: tuple[str, ...]) -> str:
    return ":".join(("heyrick-world", str(seed), *parts))


def py_rng(seed: int, *parts: str) -> random.Random:
    return random.Random(_key(seed, parts))


def np_rng(seed: int, *parts: str) -> np.random.Generator:
    digest = hashlib.sha256(_key(seed, parts).encode("utf-8")).digest()
    return np.random.default_rng(int.from_bytes(digest[:16], "big"))
