"""The one lazy home of the heavy models: spaCy, the contact recognizers and (later)
face_recognition.

Nothing heavy is imported at module import: `import smcheck` and `smcheck --help`
stay fast, and a text-only post never loads the face models. Each model loads
once per `Engines` and is shared by every post a process checks.
"""

from __future__ import annotations

import tomllib
from functools import cache, cached_property
from typing import TYPE_CHECKING, Any

from smcheck.extract.contacts import ContactHit, find_contacts
from smcheck.lexicon import models_dir

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

    from smcheck.extract.faces import FaceModels


class Engines:
    def __init__(self) -> None:
        with (models_dir() / "nlp.toml").open("rb") as fh:
            self.settings: dict[str, Any] = tomllib.load(fh)

    @cached_property
    def nlp(self) -> Language:
        import spacy

        conf = self.settings["spacy"]
        nlp = spacy.load(conf["package"], exclude=list(conf["exclude"]))
        for name in conf["add"]:
            nlp.add_pipe(name, first=True)
        return nlp

    def parse(self, text: str) -> Doc:
        return self.nlp(text)

    @cached_property
    def faces(self) -> FaceModels:
        """The face models; raises FaceModelsUnavailable (each time) if they cannot load."""
        from smcheck.extract.faces import FaceModels

        return FaceModels()

    def contacts(self, text: str) -> list[ContactHit]:
        """Phone numbers and email addresses (see smcheck.extract.contacts)."""
        conf = self.settings["contacts"]
        return find_contacts(text, tuple(conf["phone_regions"]), int(conf["phone_leniency"]))


@cache
def shared_engines() -> Engines:
    """The process's one set of models: every Checker in a process shares it."""
    return Engines()
