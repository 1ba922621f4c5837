"""smcheck's own Presidio recognizers: the ones built from the run's roster.

Presidio's AnalyzerEngine runs them beside the recognizers of
models/recognizers.yaml, on the same parse. Importing this module registers the
classes with Presidio (a registry YAML file may name them).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, cached_property
from typing import TYPE_CHECKING

from smcheck._presidio import load as _load_presidio

_load_presidio()  # before any presidio_analyzer import: see smcheck/_presidio.py

from presidio_analyzer import LocalRecognizer, PatternRecognizer, RecognizerResult  # noqa: E402
from presidio_analyzer.predefined_recognizers import PhoneRecognizer  # noqa: E402

from smcheck.errors import SetupError  # noqa: E402
from smcheck.extract.names import NameMatcher  # noqa: E402
from smcheck.lexicon import lexicon  # noqa: E402

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

# The entities Presidio finds (ours, models/recognizers.yaml's, a district's) that
# extract/text.py sorts into facts: (group, kind).
ENTITY_KINDS: dict[str, tuple[str, str]] = {
    "PHONE_NUMBER": ("contact", "phone"), "EMAIL_ADDRESS": ("contact", "email"),
    "ROSTER_ID": ("identifier", "roster_id"), "STUDENT_NUMBER": ("identifier", "student_number"),
    "US_SSN": ("identifier", "ssn"),
    "RECORD_ASSESSMENT": ("record", "assessment"), "RECORD_HEALTH": ("record", "health"),
    "RECORD_SERVICE": ("record", "service"), "RECORD_DISCIPLINE": ("record", "discipline"),
    "RECORD_ATTENDANCE": ("record", "attendance"), "RECORD_LUNCH": ("record", "lunch"),
    "EPHEMERAL_APP": ("app", ""), "PRIVATE_CHANNEL": ("private", ""),
}
# What a district's recognizer may find: any other entity would be found and ignored.
KNOWN_ENTITIES = frozenset(ENTITY_KINDS)

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


@dataclass(frozen=True)
class _Piece:
    """A word of a number that may be disguised: where it is written, its digits."""

    start: int
    end: int
    digits: str
    disguised: bool  # a digit written as a word ("oh") or a look-alike letter ("O142")


def _entries(items: tuple[str, ...]) -> dict[str, str]:
    """A lexicon list of "word value" entries, as a table."""
    return dict(e.rsplit(" ", 1) for e in items)


@cache
def _number_words() -> tuple[re.Pattern[str], dict[str, str], dict[str, int]]:
    """The words of a number a phone may be written in, their digits, and the words that
    repeat the next digit ("double five")."""
    digits = _entries(lexicon()["phone_digit_words"])
    repeats = {k: int(v) for k, v in _entries(lexicon()["phone_repeat_words"]).items()}
    letters = "".join(_entries(lexicon()["phone_digit_letters"]))
    words_ = "|".join(re.escape(w) for w in sorted([*digits, *repeats], key=len, reverse=True))
    like = f"[0-9{re.escape(letters)}]"
    return re.compile(rf"(?<!\w)(?:{words_}|{like}*[0-9]{like}*)(?!\w)", re.I), digits, repeats


@cache
def _digit_letters() -> dict[int, str]:
    return str.maketrans(_entries(lexicon()["phone_digit_letters"]))


@cache
def _email_dot() -> re.Pattern[str]:
    dot = "|".join(re.escape(w) for w in lexicon()["email_dot_words"])
    return re.compile(rf"\s*[\[({{<]\s*(?:{dot})\s*[\])}}>]\s*|\s+(?:{dot})\s+|\s+\.\s+|\.",
                      re.I)


@cache
def _email_pattern() -> re.Pattern[str]:
    at = "|".join(re.escape(w) for w in lexicon()["email_at_words"])
    label = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
    return re.compile(
        rf"(?<![\w.+-])(?P<local>[A-Za-z0-9](?:[\w.+-]*[A-Za-z0-9_])?)"
        # "@" with a space after it ("jsmith @ gmail . com"), not only before: "DM us at
        # @fernhill.counselor" is a handle.
        rf"(?P<at>\s*[\[({{<]\s*(?:{at})\s*[\])}}>]\s*|\s+(?:{at})\s+|\s*@\s+|@)"
        rf"(?P<domain>{label}(?:(?:{_email_dot().pattern}){label})+)(?![\w-])", re.I)


_GAP = re.compile(r"[\s,.\-/()]{0,4}")  # between a number's words: spaces, grouping marks
_GROUP_END = re.compile(r"[,.\-/()]")
_BRACKETS = re.compile(r"[\[({<]")


class DisguisedContactRecognizer(LocalRecognizer):
    """Phone numbers and email addresses written so that a checker would not see them:
    digits as words ("five oh three, five five five, oh one four two") or look-alike
    letters ("503-555-O142"), "jsmith [at] gmail [dot] com". Each is read in its plain
    form and found there by the recognizer of plain ones (Presidio's phone matcher with
    smcheck's regions; Presidio's email pattern and domain check): a disguise is found
    exactly when its plain form would be. A plain number or address is left to those
    recognizers. Words: models/lexicon.toml (`phone_digit_words`, `phone_repeat_words`,
    `phone_digit_letters`, `email_at_words`, `email_dot_words`, `mail_providers`)."""

    def __init__(self, context: list[str] | None = None, supported_language: str = "en",
                 name: str | None = None) -> None:
        super().__init__(supported_entities=["PHONE_NUMBER", "EMAIL_ADDRESS"],
                         supported_language=supported_language, context=context,
                         name=name or "DisguisedContactRecognizer")

    def load(self) -> None:
        pass

    @cached_property
    def _phone(self) -> SchoolPhoneRecognizer:
        return SchoolPhoneRecognizer()

    @cached_property
    def _email(self) -> PatternRecognizer:
        from presidio_analyzer.predefined_recognizers import EmailRecognizer

        return EmailRecognizer()

    def analyze(self, text: str, entities: list[str],
                nlp_artifacts: NlpArtifacts | None = None) -> list[RecognizerResult]:
        return [*self._phones(text), *self._emails(text)]

    def _phones(self, text: str) -> list[RecognizerResult]:
        """Runs of number words (one pass over the text), each read as digits."""
        pattern, digits, repeats = _number_words()
        out: list[RecognizerResult] = []
        run: list[_Piece] = []
        times = 1
        for m in pattern.finditer(text):
            if run and not _GAP.fullmatch(text, run[-1].end, m.start()):
                out += self._run_phones(text, run)
                run, times = [], 1
            word = m.group().casefold()
            if word in repeats:
                times = repeats[word]
                run.append(_Piece(m.start(), m.end(), "", True))
                continue
            plain = digits.get(word) or word.translate(_digit_letters())
            run.append(_Piece(m.start(), m.end(), plain * times, plain != word))
            times = 1
        return out + self._run_phones(text, run)

    def _run_phones(self, text: str, run: list[_Piece]) -> list[RecognizerResult]:
        if not any(p.disguised for p in run):
            return []  # plain digits: Presidio's own phone recognizer reads them
        plain, owner = "", []  # the run's digits, and the piece each character came from
        for i, piece in enumerate(run):
            if i and _GROUP_END.search(text, run[i - 1].end, piece.start):
                plain += "-"  # "five oh three, five five five": the groups stay groups
                owner.append(i)
            plain += piece.digits
            owner += [i] * len(piece.digits)
        out = []
        for r in self._phone.analyze(plain, ["PHONE_NUMBER"]):
            pieces = run[owner[r.start]:owner[r.end - 1] + 1]
            core = pieces[:]
            while core and core[0].disguised:
                core.pop(0)
            while core and core[-1].disguised:
                core.pop()
            if not any(p.disguised for p in core) and core and self._phone.analyze(
                    text[core[0].start:core[-1].end], ["PHONE_NUMBER"]):
                continue  # "Room one, 503-555-0142": the plain number, read as it is
            if any(p.disguised for p in pieces):
                out.append(RecognizerResult("PHONE_NUMBER", pieces[0].start, pieces[-1].end,
                                            r.score,
                                            recognition_metadata={"plain": plain[r.start:r.end]}))
        return out

    def _emails(self, text: str) -> list[RecognizerResult]:
        out = []
        dot = _email_dot()
        for m in _email_pattern().finditer(text):
            at, domain = m.group("at"), m.group("domain")
            dots = [d.group() for d in dot.finditer(domain)]
            if at == "@" and all(d == "." for d in dots):
                continue  # a plain address: Presidio's email recognizer reads it
            # "Meet at the dot com museum": a bare "at" and "dot" make an address only with
            # a mail provider's name ("jsmith at gmail dot com") or a bracket somewhere.
            if "@" not in at and not _BRACKETS.search(at) and not any(
                    _BRACKETS.search(d) for d in dots) and \
                    dot.split(domain)[0].casefold() not in _providers():
                continue
            address = f"{m.group('local')}@{'.'.join(dot.split(domain))}"
            if any(r.start == 0 and r.end == len(address)
                   for r in self._email.analyze(address, ["EMAIL_ADDRESS"])):
                out.append(RecognizerResult("EMAIL_ADDRESS", m.start(), m.end(), 1.0,
                                            recognition_metadata={"address": address}))
        return out


@cache
def _providers() -> frozenset[str]:
    return frozenset(lexicon()["mail_providers"])


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
    try:
        loaded = load_recognizers(path)  # Presidio compiles each pattern: a bad one fails here
    except Exception as exc:
        problem = " ".join(str(exc).split())[:200] or type(exc).__name__
        raise SetupError(str(path), "not a recognizer registry smcheck can load "
                         f"(the format of models/recognizers.yaml): {problem}") from None
    for recognizer in loaded:  # a misspelt entity would find words no rule reads
        unknown = sorted(set(recognizer.supported_entities) - KNOWN_ENTITIES)
        if unknown:
            name: str = getattr(recognizer, "name", "")
            raise SetupError(str(path), f"recognizer {name!r}: unknown entity "
                             f"{', '.join(unknown)} (one of: "
                             f"{', '.join(sorted(KNOWN_ENTITIES))})")
    return loaded


def load_recognizers(conf_file: Path) -> list[EntityRecognizer]:
    """The recognizers a Presidio registry YAML file describes (a district's extra ones
    named by the config; smcheck's own classes, registered by importing this module, may
    be named in it)."""
    from presidio_analyzer.recognizer_registry import RecognizerRegistryProvider

    registry = RecognizerRegistryProvider(conf_file=conf_file).create_recognizer_registry()
    return list(registry.recognizers)
