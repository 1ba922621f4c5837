"""smcheck's own Presidio recognizers: the ones built from the run's roster.

Presidio's AnalyzerEngine runs them beside the recognizers of
models/recognizers.yaml, on the same parse. Importing this module registers the
classes with Presidio (a registry YAML file may name them).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

from smcheck._presidio import load as _load_presidio

_load_presidio()  # before any presidio_analyzer import: see smcheck/_presidio.py

from presidio_analyzer import LocalRecognizer, RecognizerResult  # noqa: E402
from presidio_analyzer.predefined_recognizers import PhoneRecognizer  # noqa: E402

from smcheck.errors import SetupError  # noqa: E402
from smcheck.extract.names import NameMatcher  # noqa: E402

if TYPE_CHECKING:
    from pathlib import Path

    from presidio_analyzer import EntityRecognizer
    from presidio_analyzer.nlp_engine import NlpArtifacts

    from smcheck.config import Config
    from smcheck.roster import Roster

# Entities of the roster recognizers (the YAML file's are listed there).
STUDENT_NAME = "STUDENT_NAME"  # a roster student's name: metadata "mention"
PERSON_NAME = "PERSON_NAME"  # a full name of somebody not on the roster or staff
FIRST_NAME = "FIRST_NAME"  # a lone first name of somebody not on the roster ("Jordan")
ROSTER_ID = "ROSTER_ID"  # a roster student id: metadata "student_id"

# Words holding a digit: every roster id is one (ids without a digit are matched too,
# as whole words, below). One pass over the text, then set lookups: the cost does not
# grow with the roster (a district export has 10,000 students).
_ID_LIKE = re.compile(r"(?<![\w-])[\w-]*\d[\w-]*(?![\w-])")
_WORD = re.compile(r"(?<![\w-])[\w-]+(?![\w-])")


class SchoolPhoneRecognizer(PhoneRecognizer):
    """Presidio's PhoneRecognizer with the regions and leniency of models/nlp.toml
    ([contacts]): Presidio's registry file cannot carry them (its schema drops them), and
    its default regions (India, Germany...) read "1692" in "written in 1953 about 1692" as
    a phone number."""

    def __init__(self, context: list[str] | None = None, supported_language: str = "en",
                 name: str | None = None) -> None:
        import tomllib

        from smcheck.lexicon import models_dir

        with (models_dir() / "nlp.toml").open("rb") as fh:
            conf = tomllib.load(fh)["contacts"]
        super().__init__(context=context, supported_language=supported_language,
                         supported_regions=tuple(conf["phone_regions"]),
                         leniency=int(conf["phone_leniency"]), name=name)


class RosterIdRecognizer(LocalRecognizer):
    """Any roster student id, as a whole word, in any case."""

    def __init__(self, ids: Mapping[str, str]) -> None:
        # casefolded id -> the roster's id; ids under 3 characters ("7") would match
        # every seventh-grade mention.
        self.ids = {k: v for k, v in ids.items() if len(k) >= 3}
        self.digitless = any(not any(c.isdigit() for c in k) for k in self.ids)
        super().__init__(supported_entities=[ROSTER_ID], name="RosterIdRecognizer",
                         supported_language="en")

    def load(self) -> None:
        pass

    def analyze(self, text: str, entities: list[str],
                nlp_artifacts: NlpArtifacts | None = None) -> list[RecognizerResult]:
        if not self.ids:
            return []
        pattern = _WORD if self.digitless else _ID_LIKE
        out = []
        for m in pattern.finditer(text):
            student_id = self.ids.get(m.group().casefold())
            if student_id is not None:
                meta = {"student_id": student_id}
                out.append(RecognizerResult(ROSTER_ID, m.start(), m.end(), 1.0,
                                            recognition_metadata=meta))
        return out


class NameRecognizer(LocalRecognizer):
    """Roster students' names (the roster is the primary source of names: the small
    spaCy model calls many first names ORG), then full names of other people (NER
    backed by the US Census name lists) and lone first names of other people."""

    def __init__(self, matcher: NameMatcher) -> None:
        self.matcher = matcher
        super().__init__(supported_entities=[STUDENT_NAME, PERSON_NAME, FIRST_NAME],
                         name="NameRecognizer", supported_language="en")

    def load(self) -> None:
        pass

    def analyze(self, text: str, entities: list[str],
                nlp_artifacts: NlpArtifacts | None = None) -> list[RecognizerResult]:
        assert nlp_artifacts is not None, "names need the parse"
        doc = nlp_artifacts.tokens
        found = self.matcher.analyze(text, self.matcher.tokenize(text), doc)
        # Ids, not Student objects: Presidio's context enhancer deep-copies every result.
        out = [RecognizerResult(STUDENT_NAME, m.span.start, m.span.end, 1.0,
                                recognition_metadata={
                                    "students": tuple(s.id for s in m.students),
                                    "kind": m.kind, "via": m.via})
               for m in found.mentions]
        out += [RecognizerResult(PERSON_NAME, p.start, p.end, 0.85,
                                 recognition_metadata={})
                for p in found.people]
        out += [RecognizerResult(FIRST_NAME, f.start, f.end, 0.5,
                                 recognition_metadata={})
                for f in found.first_names]
        return out


def photo_recognizers(recognizers: list[EntityRecognizer]) -> list[EntityRecognizer]:
    """A run's recognizers for the words read in a photo: names read as a photo writes
    them (NameMatcher.for_photos), the rest unchanged."""
    return [NameRecognizer(r.matcher.for_photos()) if isinstance(r, NameRecognizer) else r
            for r in recognizers]


def run_recognizers(roster: Roster, matcher: NameMatcher, config: Config) -> list[EntityRecognizer]:
    """The recognizers of one run: the roster's names and ids, a district's student
    number pattern (config `student_number_pattern`) and its extra recognizers (config
    `recognizers`, a Presidio registry YAML file)."""
    from presidio_analyzer import Pattern, PatternRecognizer

    out: list[EntityRecognizer] = [
        NameRecognizer(matcher),
        RosterIdRecognizer({s.id.casefold(): s.id for s in roster.students}),
    ]
    if config.student_number_pattern is not None:
        out.append(PatternRecognizer(
            supported_entity="STUDENT_NUMBER", name="District student number",
            patterns=[Pattern("the district's student number", config.student_number_pattern,
                              0.8)]))
    if config.recognizers is not None:
        out.extend(district_recognizers(config.recognizers))
    return out


def district_recognizers(path: Path) -> list[EntityRecognizer]:
    """A district's recognizer file: one the whole run shares, so a file Presidio cannot
    load stops the run with one line naming it (never an E902 on every post)."""
    from smcheck.engines import load_recognizers

    try:
        loaded = load_recognizers(path)  # Presidio compiles each pattern: a bad one fails here
    except Exception as exc:
        problem = " ".join(str(exc).split())[:200] or type(exc).__name__
        raise SetupError(str(path), "not a recognizer registry smcheck can load "
                         f"(the format of models/recognizers.yaml): {problem}") from None
    from smcheck.extract.text import KNOWN_ENTITIES

    for recognizer in loaded:  # a misspelt entity would find words no rule reads
        unknown = sorted(set(recognizer.supported_entities) - KNOWN_ENTITIES)
        if unknown:
            name: str = getattr(recognizer, "name", "")
            raise SetupError(str(path), f"recognizer {name!r}: unknown entity "
                             f"{', '.join(unknown)} (one of: "
                             f"{', '.join(sorted(KNOWN_ENTITIES))})")
    return loaded
