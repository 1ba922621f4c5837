"""Who a post names: roster students first, then full names of other people.

The roster is the primary source: NER is weak on first names ("Ava" comes out
as ORG). NER is the fallback for full names that are not on the roster.
A name is a run of word tokens joined only by spaces or hyphens, so "Ava,
Thompson" is two people and "Mary-Kate" one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from itertools import pairwise
from typing import TYPE_CHECKING

from smcheck.extract.index import Intervals, persons
from smcheck.extract.normalize import WORD, Folded
from smcheck.findings import Span
from smcheck.lexicon import words
from smcheck.roster import Student

if TYPE_CHECKING:
    from spacy.tokens import Doc


@dataclass(frozen=True, kw_only=True)
class Token:
    key: str  # folded, apostrophes and a possessive 's removed
    start: int  # original characters
    end: int
    raw: str  # as written
    possessive: bool
    joined_to_next: bool  # only spaces or a hyphen before the next token


@dataclass(frozen=True, kw_only=True)
class NameMention:
    span: Span
    students: tuple[Student, ...]  # more than one: the name is ambiguous in the roster
    kind: str  # "full", "initial" (first + last initial) or "first"

    @property
    def student(self) -> Student | None:
        return self.students[0] if len(self.students) == 1 else None


def _key(word: str) -> tuple[str, bool]:
    if word.endswith("'s"):
        return word[:-2].replace("'", ""), True
    return word.replace("'", ""), False


def tokenize(text: str) -> list[Token]:
    folded = Folded.of(text)
    matches = list(WORD.finditer(folded.text))
    tokens: list[Token] = []
    for n, m in enumerate(matches):
        start, end = folded.original_span(m.start(), m.end())
        key, possessive = _key(m.group())
        gap = ""
        if n + 1 < len(matches):
            gap = folded.text[m.end(): matches[n + 1].start()]
        trailing_s = text[end:end + 1] == "'" and key.endswith("s")  # "James'" possessive
        # A name may wrap onto the next line, but a blank line or a list ends it.
        joined = bool(gap) and ((gap.isspace() and gap.count("\n") <= 1) or gap == "-")
        tokens.append(Token(key=key, start=start, end=end, raw=text[start:end],
                            possessive=possessive or trailing_s, joined_to_next=joined))
    return tokens


def name_parts(name: str) -> tuple[str, ...]:
    folded = Folded.of(name).text
    return tuple(_key(w)[0] for w in WORD.findall(folded))


@dataclass(frozen=True)
class NameIndex:
    """Name parts -> people, for one roster or staff list, built once per run."""

    first: dict[tuple[str, ...], tuple[Student, ...]]
    longest_first: int

    @classmethod
    def of(cls, students: Iterable[Student]) -> NameIndex:
        first: dict[tuple[str, ...], list[Student]] = {}
        for s in students:
            for name in s.first_names():
                parts = name_parts(name)
                if parts and s not in first.setdefault(parts, []):
                    first[parts].append(s)
        longest = max((len(k) for k in first), default=1)
        return cls({k: tuple(v) for k, v in first.items()}, longest)


def _runs(tokens: Sequence[Token], i: int, parts: tuple[str, ...]) -> bool:
    """Do tokens[i:] spell `parts`, joined only by spaces or hyphens?"""
    if i + len(parts) > len(tokens):
        return False
    for n, part in enumerate(parts):
        if tokens[i + n].key != part:
            return False
        if n < len(parts) - 1 and not tokens[i + n].joined_to_next:
            return False
    return True


def _is_title_before(text: str, start: int, titles: frozenset[str]) -> bool:
    before = text[max(0, start - 40):start]
    m = re.search(r"([A-Za-z][A-Za-z ]*?)\.?\s*$", before)
    if not m:
        return False
    phrase = m.group(1).strip().casefold()
    tail = phrase.split()
    return any(" ".join(tail[-n:]) in titles for n in (1, 2, 3) if len(tail) >= n)


_SENTENCE_PUNCT = set(".!?:;\"\u201c\u201d(*#\u2022-|>")


def sentence_initial(text: str, start: int) -> bool:
    """At the start of a sentence or line, where any word wears a capital."""
    line_start = text.rfind("\n", 0, start) + 1
    before = text[line_start:start].rstrip()
    if not before:
        return True
    last = before[-1]
    return last in _SENTENCE_PUNCT or not (last.isalnum() or last in ",'")


class NameMatcher:
    def __init__(self, students: Sequence[Student], staff: Sequence[str]) -> None:
        self.index = NameIndex.of(students)
        self.staff = tuple(p for p in (name_parts(n) for n in staff) if p)
        self.titles = words("adult_titles")
        self.word_names = words("word_names")
        self.not_surnames = words("not_surnames")

    def staff_spans(self, tokens: Sequence[Token]) -> list[tuple[int, int]]:
        spans = []
        for i in range(len(tokens)):
            for parts in self.staff:
                if _runs(tokens, i, parts):
                    spans.append((tokens[i].start, tokens[i + len(parts) - 1].end))
        return spans

    def find(
        self, text: str, tokens: Sequence[Token], doc: Doc | None
    ) -> tuple[list[NameMention], list[Span]]:
        """Roster mentions, and "first name + unknown surname" runs (other people)."""
        strangers: list[Span] = []
        staff = self.staff_spans(tokens)
        mentions: list[NameMention] = []
        i = 0
        while i < len(tokens):
            found = self._match_at(text, tokens, i, doc, strangers)
            if found is None:
                i += 1
                continue
            mention, used = found
            s = mention.span
            if not any(a < s.end and s.start < b for a, b in staff):
                mentions.append(mention)
            i += used
        return mentions, strangers

    def _match_at(
        self, text: str, tokens: Sequence[Token], i: int, doc: Doc | None,
        strangers: list[Span],
    ) -> tuple[NameMention, int] | None:
        for length in range(min(self.index.longest_first, len(tokens) - i), 0, -1):
            key = tuple(t.key for t in tokens[i:i + length])
            candidates = self.index.first.get(key)
            if not candidates or not _runs(tokens, i, key):
                continue
            first_end = i + length
            if _is_title_before(text, tokens[i].start, self.titles):
                return None  # "Ms. Ava Thompson", "Coach Leo": an adult
            full = self._full(tokens, i, first_end, candidates)
            if full is not None:
                return full
            initial = self._initial(text, tokens, i, first_end, candidates)
            if initial is not None:
                return initial
            if not self._first_name_counts(text, tokens, i, first_end, doc, strangers):
                return None
            start, end = tokens[i].start, tokens[first_end - 1].end
            span = Span(start=start, end=end, text=text[start:end])
            return NameMention(span=span, students=candidates, kind="first"), length
        return None

    def _full(
        self, tokens: Sequence[Token], i: int, first_end: int, candidates: tuple[Student, ...]
    ) -> tuple[NameMention, int] | None:
        if not tokens[first_end - 1].joined_to_next:
            return None
        matched: list[Student] = []
        best = 0
        for s in candidates:
            last = name_parts(s.last_name)
            for skip in (0, 1):  # a middle initial: "Ava J. Thompson"
                j = first_end + skip
                if skip and not (j - 1 < len(tokens) and len(tokens[j - 1].key) == 1):
                    continue
                if _runs(tokens, j, last):
                    matched.append(s)
                    best = max(best, j + len(last))
                    break
        if not matched:
            return None
        start, end = tokens[i].start, tokens[best - 1].end
        text_span = Span(start=start, end=end, text="")
        return NameMention(span=text_span, students=tuple(matched), kind="full"), best - i

    def _initial(
        self, text: str, tokens: Sequence[Token], i: int, first_end: int,
        candidates: tuple[Student, ...],
    ) -> tuple[NameMention, int] | None:
        if first_end >= len(tokens) or not tokens[first_end - 1].joined_to_next:
            return None
        nxt = tokens[first_end]
        if len(nxt.raw) != 1 or not nxt.raw.isupper():
            return None
        # "Priya R." or "Priya R" at a boundary; not "Priya I think".
        after = text[nxt.end:nxt.end + 1]
        if after != "." and nxt.raw == "I":
            return None
        matched = tuple(s for s in candidates if name_parts(s.last_name)[0][:1] == nxt.key)
        if not matched:
            return None
        end = nxt.end + (1 if after == "." else 0)
        span = Span(start=tokens[i].start, end=end, text="")
        return NameMention(span=span, students=matched, kind="initial"), first_end + 1 - i

    def _first_name_counts(
        self, text: str, tokens: Sequence[Token], i: int, first_end: int, doc: Doc | None,
        strangers: list[Span],
    ) -> bool:
        tok = tokens[i]
        key = " ".join(t.key for t in tokens[i:first_end])
        nxt = tokens[first_end] if first_end < len(tokens) else None
        if nxt is not None and text[tokens[first_end - 1].end:nxt.start] == "-":
            return False  # "Amara-Lee" is another name than Amara
        word_name = key in self.word_names
        # A name that is also a word: "We hope", "Will you", "Summer is here", "May 5".
        if word_name and not self._could_be_name(text, tok, nxt, doc):
            return False
        if nxt is not None and tokens[first_end - 1].joined_to_next and self._looks_like_surname(
            text, nxt, doc
        ):
            # "Ava Martinez" is somebody else than the roster's Ava Thompson.
            if not _is_title_before(text, tok.start, self.titles):
                strangers.append(Span(start=tok.start, end=nxt.end,
                                      text=text[tok.start:nxt.end]))
            return False
        if not word_name:
            return True
        if sentence_initial(text, tok.start):
            return tok.possessive or _is_person(doc, tok.start) or _acts_like_name(
                text, tokens, first_end, doc, _pos_at(doc, tok.start))
        return True

    def _could_be_name(
        self, text: str, tok: Token, nxt: Token | None, doc: Doc | None
    ) -> bool:
        """Written like a name, not used as the word it also is."""
        if not tok.raw[:1].isupper() or (tok.raw.isupper() and len(tok.raw) > 1):
            return False
        if nxt is not None and nxt.raw[:1].isdigit():
            return False
        pos = _pos_at(doc, tok.start)
        if not sentence_initial(text, tok.start) and pos in {
            "AUX", "VERB", "ADJ", "ADV", "ADP", "DET", "PRON", "NUM"
        }:
            return False
        before = text[max(0, tok.start - 12):tok.start].casefold().split()
        return not (before and before[-1] in _WORD_CONTEXT)  # "in May", "our Summer"

    def _looks_like_surname(self, text: str, tok: Token, doc: Doc | None) -> bool:
        if not tok.raw[:1].isupper() or len(tok.raw) < 2 or not tok.raw.isalpha():
            return False
        if tok.raw.isupper():
            return False  # "AVA WON": shouting, not a surname
        if tok.key in self.not_surnames or tok.key in self.titles:
            return False
        if any(tok.key == k[0] for k in self.index.first):
            return False  # "Ava Leo" is two roster first names, not a surname
        return _pos_at(doc, tok.start) == "PROPN"


# Words before a word-name that make it the word: "in May", "our Summer Reading".
_WORD_CONTEXT = {"in", "of", "since", "until", "during", "this", "last", "next", "early", "late",
                 "a", "the", "with", "our", "my", "happy", "merry"}

_PRONOUNS = {"you", "we", "they", "everyone", "everybody", "all", "y'all", "yall", "i", "it",
             "this", "that", "the", "a", "an", "our", "your", "is", "was", "are", "were",
             "has", "have", "had", "be", "been", "to", "for", "so", "not"}
_IRREGULAR_PAST = {"won", "ran", "read", "wrote", "made", "got", "took", "drew", "sang", "gave",
                   "came", "went", "did", "built", "brought", "found", "led", "taught", "told",
                   "shared", "helped", "earned", "finished", "scored", "became", "spoke",
                   "showed", "danced", "played", "painted", "created", "designed", "presented"}


def _acts_like_name(
    text: str, tokens: Sequence[Token], after: int, doc: Doc | None, pos: str | None
) -> bool:
    """A word-name opening a sentence: "Hope did a great job" names Hope, "Hope you all
    have a great break" does not, "Summer is here" does not."""
    if after >= len(tokens):
        return pos == "PROPN"
    nxt = tokens[after]
    word = nxt.key
    if word in _PRONOUNS or nxt.raw[:1].isdigit():
        return False
    if word in {"and", "&"} or text[tokens[after - 1].end:nxt.start].strip() == ",":
        return True  # "Grace and Leo painted", "Grace, Leo and Max"
    if word in _IRREGULAR_PAST or (word.endswith("ed") and len(word) > 3):
        return True
    tag = _tag_at(doc, nxt.start)
    return tag in {"VBD", "VBZ"} or pos == "PROPN"


def _tag_at(doc: Doc | None, start: int) -> str | None:
    if doc is None:
        return None
    token = doc.char_span(start, start + 1, alignment_mode="expand")
    return token[0].tag_ if token is not None and len(token) else None


def _pos_at(doc: Doc | None, start: int) -> str | None:
    if doc is None:
        return None
    token = doc.char_span(start, start + 1, alignment_mode="expand")
    return token[0].pos_ if token is not None and len(token) else None


def _is_person(doc: Doc | None, start: int) -> bool:
    return doc is not None and persons(doc).covers(start)


def with_text(mention: NameMention, text: str) -> NameMention:
    s = mention.span
    return NameMention(
        span=Span(start=s.start, end=s.end, text=text[s.start:s.end]),
        students=mention.students, kind=mention.kind,
    )


@cache
def _census_text(kind: str) -> str:
    """US Census 1990 name lists shipped in the `names` package (MIT), one
    "NAME  freq cum rank" a line. Kept as text: a post asks about a handful of
    words, and searching 2 MB of text is cheaper than splitting 90,000 lines."""
    files = ("dist.male.first", "dist.female.first") if kind == "first" else ("dist.all.last",)
    return "\n" + "\n".join(
        resources.files("names").joinpath(f).read_text(encoding="ascii") for f in files)


@lru_cache(maxsize=8192)
def is_census_name(kind: str, word: str) -> bool:
    """Is `word` a first ("first") or last ("last") name in the US Census lists?"""
    return word.isalpha() and f"\n{word.upper()} " in _census_text(kind)


def _name_pairs(
    text: str, tokens: Sequence[Token], doc: Doc, matcher: NameMatcher
) -> Iterable[tuple[int, int]]:
    """"Marcus Bell": a common first name then a surname, both proper nouns.

    The small spaCy model often calls such pairs ORG; the census lists back it up.
    """
    pairs = [(a, b) for a, b in pairwise(tokens)
             if a.joined_to_next and "-" not in text[a.end:b.start]
             and _titlecase(a.raw) and _titlecase(b.raw)]
    if not pairs:
        return  # most posts: no need to read 90,000 census names
    for a, b in pairs:
        if a.key in matcher.word_names or not is_census_name("first", a.key):
            continue
        if not is_census_name("last", b.key):
            continue
        if b.key in matcher.not_surnames or b.key in _INSTITUTION_WORDS:
            continue
        if _pos_at(doc, a.start) != "PROPN" or _pos_at(doc, b.start) != "PROPN":
            continue
        yield a.start, b.end


def _titlecase(word: str) -> bool:
    return len(word) > 1 and word[:1].isupper() and not word.isupper()


def person_names(
    text: str, tokens: Sequence[Token], doc: Doc, roster_spans: Sequence[tuple[int, int]],
    matcher: NameMatcher, strangers: Sequence[Span] = (),
) -> list[Span]:
    """Full names of people NER (or the census lists) find that are not roster students,
    staff or public figures."""
    figures = words("public_figures")
    staff_spans = matcher.staff_spans(tokens)
    out: list[Span] = []
    candidates: list[tuple[int, int]] = []
    for ent in doc.ents:
        if ent.label_ != "PERSON":
            continue
        toks = [t for t in ent if t.is_alpha or t.text.endswith(".")]
        if toks and toks[0].text.rstrip(".").casefold() in matcher.titles:
            continue  # NER took the title in: "Ms. Garcia" is an adult
        if len(toks) < 2 or len(toks) > 4:
            continue
        if not all(t.text[:1].isupper() and not t.text.isupper() for t in toks if len(t) > 1):
            continue
        if any(len(t.text.rstrip(".")) == 1 for t in toks[:1]):
            continue
        start, end = toks[0].idx, toks[-1].idx + len(toks[-1].text)
        if len(text[start:end].split()) >= 2:  # "Amara-Lee" is one (first) name
            candidates.append((start, end))
    candidates.extend(_name_pairs(text, tokens, doc, matcher))
    candidates.extend((p.start, p.end) for p in strangers)
    # Every span judged, kept or not, ends before claimed_end: candidates come by start.
    claimed_end = -1
    taken = Intervals([*roster_spans, *staff_spans])
    for start, end in sorted(set(candidates), key=lambda c: (c[0], -c[1])):
        if start < claimed_end:
            continue  # "Luther King" inside "Martin Luther King Jr."
        claimed_end = end
        if _is_title_before(text, start, matcher.titles):
            continue
        if taken.overlaps(start, end):
            continue
        folded = " ".join(name_parts(text[start:end]))
        if any(folded.startswith(f) or f.startswith(folded) for f in figures):
            continue
        nxt = text[end:end + 25].split()
        if nxt and nxt[0].strip(".,").casefold() in _INSTITUTION_WORDS:
            continue  # "Rosa Parks Elementary", "Lincoln Park"
        if name_parts(text[start:end])[-1] in _INSTITUTION_WORDS:
            continue  # "Lovejoy St", "Grant Park"
        if _AUTHOR_BEFORE.search(text[max(0, start - 60):start]):
            continue  # "a book by Maurice Sendak": an author, not a student
        if _role_after(text, end, matcher.titles):
            continue  # "Jenny Walsh, PTA President": a signature, an adult
        out.append(Span(start=start, end=end, text=text[start:end]))
    return out


_ROLE_WORDS = {"pta", "pto", "president", "vice", "chair", "secretary", "treasurer",
               "parent", "teacher", "principal", "coach", "counselor", "librarian",
               "nurse", "volunteer", "director", "coordinator", "specialist", "aide",
               "para", "paraeducator", "custodian", "manager", "advisor", "administrator"}


def _role_after(text: str, end: int, titles: frozenset[str]) -> bool:
    """", PTA President", " (4th grade teacher)", " - Principal" right after a name."""
    m = re.match(r"\s*(?:,|\(|-|\u2013|\u2014)\s*(?:our\s+|the\s+)?((?:[\w'-]+\s+){0,3}[\w'-]+)",
                 text[end:end + 60])
    if not m:
        return False
    words = {w.casefold() for w in m.group(1).split()}
    return bool(words & (_ROLE_WORDS | set(titles)))


# "by NAME" after a work: its author, illustrator or composer.
_AUTHOR_BEFORE = re.compile(
    r"(?:\b(?:book|books|novel|story|stories|poem|poems|song|songs|music|film|movie|series|"
    r"picture\s+book|chapter\s+book|written|illustrated|composed|painted|wrote|author|"
    r"read|reading|listened\s+to|sang|watched)\b"
    r"|[\"\u201d])[^.!?]{0,40}\bby\s+$", re.I)

_INSTITUTION_WORDS = {
    "elementary", "school", "middle", "high", "academy", "park", "center", "library",
    "award", "awards", "day", "street", "st", "avenue", "ave", "road", "boulevard", "hall",
    "stadium", "field", "gym", "museum", "foundation", "prize", "scholarship", "k-8",
    "rd", "dr", "ln", "blvd", "way", "lane", "drive", "court", "ct", "place", "pl",
    "parkway", "pkwy", "highway", "hwy", "bridge", "river", "lake", "mountain", "mt",
    "program", "programs", "week", "night", "festival", "fest", "fair", "club", "team",
    "month", "camp", "challenge", "league", "cup", "bowl", "band", "choir", "orchestra",
    "reading", "math", "science", "art", "arts", "music", "assembly", "showcase", "breakfast",
}


def is_first_name(text: str, token: Token, doc: Doc, matcher: NameMatcher) -> bool:
    """A capitalised common first name used as a name ("Jordan is at..."), not a word.
    (`text` is the doc's text: spaCy rebuilds `doc.text` from every token on each read.)"""
    if not _titlecase(token.raw):
        return False
    if token.key in matcher.titles or token.key in matcher.not_surnames:
        return False
    if _is_title_before(text, token.start, matcher.titles):
        return False
    if not is_census_name("first", token.key):
        return False
    return _pos_at(doc, token.start) == "PROPN" or _is_person(doc, token.start)
