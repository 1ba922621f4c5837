"""The one lazy home of the heavy models: spaCy, Presidio and (later) face_recognition.

Nothing heavy is imported at module import: `import smcheck` and `smcheck --help`
stay fast, and a text-only post never loads the face models. Each model loads
once per `Engines` and is shared by every post a process checks.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, cached_property
from typing import TYPE_CHECKING, Any

from smcheck.lexicon import models_dir

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc


@dataclass(frozen=True, kw_only=True)
class ContactHit:
    kind: str  # "PHONE_NUMBER" or "EMAIL_ADDRESS"
    start: int
    end: int
    score: float


def _offline_tldextract() -> None:
    """Make Presidio's email check use tldextract's bundled public-suffix snapshot.

    Left alone, tldextract fetches the list over the network on first use and
    caches it on disk: smcheck promises neither.
    """
    import tldextract.tldextract as tld

    if getattr(tld.TLD_EXTRACTOR, "suffix_list_urls", None):
        tld.TLD_EXTRACTOR = tld.TLDExtract(cache_dir=None, suffix_list_urls=())


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
    def _presidio(self) -> tuple[Any, Any]:
        _offline_tldextract()
        from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
        from presidio_analyzer.nlp_engine import SpacyNlpEngine
        from presidio_analyzer.predefined_recognizers import EmailRecognizer, PhoneRecognizer

        conf = self.settings["presidio"]
        spacy_conf = self.settings["spacy"]
        nlp_engine = SpacyNlpEngine(
            models=[{"lang_code": "en", "model_name": spacy_conf["package"]}]
        )
        # Hand Presidio the pipeline already loaded: its own load() would load
        # it again, and with no engine it would try to download en_core_web_lg.
        nlp_engine.nlp = {"en": self.nlp}  # type: ignore[assignment]  # declared None
        available: dict[str, Callable[[], Any]] = {
            "PhoneRecognizer": lambda: PhoneRecognizer(
                supported_regions=tuple(conf["phone_regions"])
            ),
            "EmailRecognizer": EmailRecognizer,
        }
        registry = RecognizerRegistry(
            recognizers=[available[name]() for name in conf["recognizers"]],
            supported_languages=["en"],
        )
        analyzer = AnalyzerEngine(
            registry=registry, nlp_engine=nlp_engine, supported_languages=["en"]
        )
        return analyzer, nlp_engine

    def contacts(self, doc: Doc) -> list[ContactHit]:
        """Phone numbers and email addresses, from the post's one spaCy pass."""
        analyzer, nlp_engine = self._presidio
        conf = self.settings["presidio"]
        artifacts = nlp_engine._doc_to_nlp_artifact(doc, "en")
        results = analyzer.analyze(
            text=doc.text,
            language="en",
            entities=list(conf["entities"]),
            nlp_artifacts=artifacts,
            score_threshold=float(conf["score_threshold"]),
        )
        return [
            ContactHit(kind=r.entity_type, start=r.start, end=r.end, score=r.score)
            for r in sorted(results, key=lambda r: (r.start, r.end))
        ]


@cache
def shared_engines() -> Engines:
    """The process's one set of models: every Checker in a process shares it."""
    return Engines()
