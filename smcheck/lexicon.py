"""The word lists of models/lexicon.toml, loaded once and compiled to patterns."""

from __future__ import annotations

import re
import tomllib
from functools import cache
from pathlib import Path


def models_dir() -> Path:
    """models/ beside the package in a checkout; smcheck/_models in an installed wheel."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "_models", here.parent / "models"):
        if (candidate / "lexicon.toml").is_file():
            return candidate
    raise FileNotFoundError("smcheck's models/lexicon.toml is missing from this install")


@cache
def lexicon() -> dict[str, tuple[str, ...]]:
    with (models_dir() / "lexicon.toml").open("rb") as fh:
        data = tomllib.load(fh)
    return {k: tuple(str(w).casefold() for w in v) for k, v in data.items()}


@cache  # asked for in every sentence: a set built once
def words(name: str) -> frozenset[str]:
    return frozenset(lexicon()[name])


@cache
def phrase_pattern(name: str) -> re.Pattern[str]:
    """One case-insensitive whole-word alternation of a list, longest phrase first."""
    items = sorted(set(lexicon()[name]), key=len, reverse=True)
    alternation = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in items)
    return re.compile(rf"(?<![\w-])(?:{alternation})(?![\w-])", re.I)

