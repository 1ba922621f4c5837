"""Who a post names: roster students first, then full names of other people.

The roster is the primary source: NER is weak on first names ("Ava" comes out as
ORG). A student counts by first name, preferred name or a common nickname
(models/nicknames.toml over the `nicknames` package's list), with the last name,
with an initial, inside a hashtag or handle (#GoMasonChurch, @maya.thompson).
A name is a run of word tokens joined only by spaces or hyphens (or, inside a
hashtag, by nothing), so "Ava, Thompson" is two people and "Mary-Kate" one. Words
that are also names ("We hope", "Will you") count only when written as a name, and
titles of songs, books and films ("Moon River", "Martin's Big Words") are not
mentions. NER, backed by the US Census name lists, is the fallback for full names
of people who are not on the roster.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property, lru_cache
from importlib import resources
from itertools import pairwise
from typing import TYPE_CHECKING, Any, Literal

from smcheck.extract.index import Intervals, persons
from smcheck.extract.lines import breaks
from smcheck.extract.normalize import WORD, Folded
from smcheck.findings import Span
from smcheck.lexicon import lexicon, phrase_pattern, words
from smcheck.roster import Roster, Student

if TYPE_CHECKING:
    from spacy.tokens import Doc

NameKind = str  # "full", "initial" (first + last initial), "first"


@dataclass(frozen=True, kw_only=True)
class Token:
    key: str  # folded, apostrophes and a possessive 's removed
    start: int  # characters of the text
    end: int
    raw: str  # as written
    possessive: bool
    joined_to_next: bool  # only spaces or a hyphen (or, in a hashtag, nothing) before the next
    tag: bool = False  # a word of a hashtag or handle


@dataclass(frozen=True, kw_only=True)
class NameMention:
    span: Span
    students: tuple[Student, ...]  # more than one: the name is ambiguous in the roster
    kind: NameKind  # "full", "initial" (first + last initial) or "first"
    via: str = "name"  # "name", "nickname", "hashtag" or "family" (surname elsewhere)

    @property
    def student(self) -> Student | None:
        return self.students[0] if len(self.students) == 1 else None


@dataclass(frozen=True, kw_only=True)
class NameFindings:
    mentions: list[NameMention] = field(default_factory=list)
    people: list[Span] = field(default_factory=list)  # full names of others
    first_names: list[Span] = field(default_factory=list)  # lone first names of others


def _key(word: str) -> tuple[str, bool]:
    if word.endswith("'s"):
        return word[:-2].replace("'", ""), True
    return word.replace("'", ""), False


def name_parts(name: str) -> tuple[str, ...]:
    folded = Folded.of(name).text
    return tuple(_key(w)[0] for w in WORD.findall(folded))


# "#GoMasonChurch", "@maya.thompson": a tag's body. An "@" right after a word character is
# an email address, not a handle.
_TAG = re.compile(r"(?<![\w@#])[#@](?P<body>[^\W_][\w.]*[^\W_]|[^\W_])")
# The words of a tag body: capitalised runs, lower-case runs, capitals, digits.
_TAG_PART = re.compile(r"[A-Z][a-z'\u00c0-\u024f]+|[a-z\u00c0-\u024f]+|[A-Z]+(?![a-z])|\d+")


def tokenize(text: str, segment: TagSegmenter | None = None) -> list[Token]:
    """Word tokens with their folded keys; hashtags and handles split into words."""
    tags = {m.start("body"): m.end("body") for m in _TAG.finditer(text)}
    # A line that ends a sentence (a list item, a heading, a cast list's row) ends a name:
    # "Hazel\nRebecca Nurse" is two people.
    line_ends = {at for at, _ in breaks(text)} if "\n" in text else set()
    folded = Folded.of(text)
    matches = list(WORD.finditer(folded.text))
    tokens: list[Token] = []
    skip_to = -1
    for n, m in enumerate(matches):
        start, end = folded.original_span(m.start(), m.end())
        if start < skip_to:
            continue  # a word inside a tag already split below
        if start in tags:
            tokens.extend(_tag_tokens(text, start, tags[start], segment))
            skip_to = tags[start]
            if tokens and n + 1 < len(matches):
                nxt = folded.original_span(*matches[n + 1].span())[0]
                if nxt >= skip_to:
                    last = tokens[-1]
                    gap = text[last.end:nxt]
                    tokens[-1] = _joined(last, _joins(gap))
            continue
        key, possessive = _key(m.group())
        gap = ""
        if n + 1 < len(matches):
            gap = folded.text[m.end(): matches[n + 1].start()]
        trailing_s = text[end:end + 1] == "'" and key.endswith("s")  # "James'" possessive
        joined = _joins(gap) and not (line_ends and _ends_line(text, end, line_ends))
        tokens.append(Token(key=key, start=start, end=end, raw=text[start:end],
                            possessive=possessive or trailing_s, joined_to_next=joined))
    return tokens


def _ends_line(text: str, end: int, line_ends: set[int]) -> bool:
    nl = text.find("\n", end, end + 4)
    if nl < 0:
        return False
    at = end
    while at < nl and text[at] in " \t":
        at += 1
    return at in line_ends or nl in line_ends


def _joins(gap: str) -> bool:
    # A name may wrap onto the next line, but a blank line or a list ends it.
    return bool(gap) and ((gap.isspace() and gap.count("\n") <= 1) or gap == "-")


def _joined(tok: Token, joined: bool) -> Token:
    return Token(key=tok.key, start=tok.start, end=tok.end, raw=tok.raw,
                 possessive=tok.possessive, joined_to_next=joined, tag=tok.tag)


class TagSegmenter:
    """Splits the lower-case runs of hashtags ("#gomason") into words the roster knows,
    when the whole run splits into them (roster names and models' `tag_words`)."""

    def __init__(self, vocabulary: Iterable[str]) -> None:
        self.vocabulary = frozenset(v for v in vocabulary if v)
        self.longest = max((len(v) for v in self.vocabulary), default=0)

    @lru_cache(maxsize=4096)  # noqa: B019 (one segmenter per run)
    def split(self, run: str) -> tuple[str, ...] | None:
        if run in self.vocabulary:
            return (run,)
        for i in range(min(len(run) - 1, self.longest), 0, -1):
            head = run[:i]
            if head in self.vocabulary:
                rest = self.split(run[i:])
                if rest is not None:
                    return (head, *rest)
        return None


def _tag_tokens(text: str, start: int, end: int,
                segment: TagSegmenter | None) -> list[Token]:
    parts: list[tuple[int, int]] = []
    for m in _TAG_PART.finditer(text, start, end):
        word = m.group()
        split = segment.split(Folded.of(word).text) if (
            segment is not None and word.islower() and len(word) > 3) else None
        if split and len(split) > 1:
            pos = m.start()
            for piece in split:
                parts.append((pos, pos + len(piece)))
                pos += len(piece)
        else:
            parts.append((m.start(), m.end()))
    out = []
    for i, (a, b) in enumerate(parts):
        raw = text[a:b]
        key, possessive = _key(Folded.of(raw).text)
        joined = i + 1 < len(parts) and text[b:parts[i + 1][0]] in ("", ".", "_", "-")
        out.append(Token(key=key, start=a, end=b, raw=raw, possessive=possessive,
                         joined_to_next=joined, tag=True))
    return out


@cache
def _nickname_lists() -> tuple[dict[str, Any], frozenset[str], frozenset[tuple[str, str]]]:
    """models/nicknames.toml: its additions, and its exclusions (words, formal:nick pairs)."""
    import tomllib

    from smcheck.lexicon import models_dir

    with (models_dir() / "nicknames.toml").open("rb") as fh:
        conf = tomllib.load(fh)
    never = [str(w).casefold() for w in conf["never"]]
    excluded = frozenset(w for w in never if ":" not in w)
    pairs = frozenset((a, b) for a, b in (w.split(":", 1) for w in never if ":" in w))
    return conf, excluded, pairs


@cache
def _nickname_package() -> dict[str, set[str]]:
    from nicknames import NickNamer

    return NickNamer.default_lookup()


@lru_cache(maxsize=4096)
def _nicknames_of(formal: str) -> frozenset[str]:
    """Formal first name -> common nicknames: the `nicknames` package (a maintained list,
    Apache-2.0), less models/nicknames.toml's exclusions, plus its additions. Worked out
    per roster name, not for the package's ~1,100 names: a cold check asks for a few."""
    conf, excluded, pairs = _nickname_lists()
    nicks = _nickname_package().get(formal, set())
    kept = {n for n in nicks if n not in excluded and (formal, n) not in pairs and (
        n in conf["keep"] or is_census_name("first", n))}
    for name, added in conf["add"].items():
        if name.casefold() == formal:
            kept.update(n.casefold() for n in added)
    return frozenset(kept)


def nicknames_of(first_name: str) -> frozenset[str]:
    return _nicknames_of(Folded.of(first_name).text)


@dataclass(frozen=True)
class NameIndex:
    """Name parts -> people, for one roster, built once per run."""

    first: dict[tuple[str, ...], tuple[Student, ...]]
    longest_first: int
    # Keys reached only through a nickname of the list ("chris" for Christopher).
    nicknames: frozenset[tuple[str, ...]]

    @classmethod
    def of(cls, students: Iterable[Student], with_nicknames: bool = True) -> NameIndex:
        first: dict[tuple[str, ...], list[Student]] = {}
        own: set[tuple[str, ...]] = set()
        for s in students:
            for name in s.first_names():
                parts = name_parts(name)
                if parts:
                    own.add(parts)
                    if s not in first.setdefault(parts, []):
                        first[parts].append(s)
        if with_nicknames:
            for s in students:
                for nick in nicknames_of(s.first_name):
                    parts = (nick,)
                    if s not in first.setdefault(parts, []):
                        first[parts].append(s)
        longest = max((len(k) for k in first), default=1)
        return cls({k: tuple(v) for k, v in first.items()}, longest,
                   frozenset(k for k in first if k not in own))


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


def is_title_before(text: str, start: int, titles: frozenset[str]) -> bool:
    """An adult title right before a name: "Ms. Garcia", "Coach Leo", "Vice Principal"
    (written as a title, with a capital: "we miss Summer" has no Miss in it)."""
    before = text[max(0, start - 40):start]
    m = re.search(r"([A-Za-z][A-Za-z ]*?)(\.?)\s*$", before)
    if not m:
        return False
    phrase = m.group(1).strip()
    tail = phrase.split()
    for n in (1, 2, 3):
        if len(tail) >= n and " ".join(tail[-n:]).casefold() in titles:
            return tail[-n][:1].isupper() or bool(m.group(2))
    return False


_WRAPPED_LINE = 50  # characters: a shorter line before is a heading or a list item


def _wrapped(text: str, line_start: int) -> bool:
    """Does the line before run on into this one ("...where it meets the\nColumbia
    River")? A long line ending in a letter or a comma does."""
    if line_start < 2 or text[line_start - 1] != "\n":
        return False
    prev_start = text.rfind("\n", 0, line_start - 1) + 1
    prev = text[prev_start:line_start - 1].rstrip()
    return len(prev) >= _WRAPPED_LINE and (prev[-1].isalpha() or prev[-1] == ",")


_SENTENCE_PUNCT = set(".!?:;\"\u201c\u201d(*#\u2022-|>")


def sentence_initial(text: str, start: int) -> bool:
    """At the start of a sentence or line, where any word wears a capital; not the start
    of a line of hard-wrapped prose (the line before is long and runs on)."""
    line_start = text.rfind("\n", 0, start) + 1
    before = text[line_start:start].rstrip()
    if not before:
        return not _wrapped(text, line_start)
    last = before[-1]
    return last in _SENTENCE_PUNCT or not (last.isalnum() or last in ",'")


class NameMatcher:
    # Words read in a photo: a roster first name alone on its line is a name tag or a
    # desk card ("HOPE"), where a post's line of one word is a heading ("Summer").
    lone_lines = False

    def __init__(self, students: Sequence[Student], staff: Sequence[str],
                 with_nicknames: bool = True) -> None:
        self.roster = Roster(None, tuple(students))
        self.index = NameIndex.of(students, with_nicknames)
        self.staff = tuple(p for p in (name_parts(n) for n in staff) if p)
        self.titles = words("adult_titles")
        self.word_names = words("word_names")
        self.not_surnames = words("not_surnames")
        self.first_keys = frozenset(k[0] for k in self.index.first)
        self.surnames = {name_parts(s.last_name): s for s in students}
        counts: dict[str, int] = {}
        for s in students:
            key = " ".join(name_parts(s.last_name))
            counts[key] = counts.get(key, 0) + 1
        # Surnames one roster student has: "the Nguyen family" is that student's family.
        self.surname_ids = {k: s.id for s in students
                            if counts[k := " ".join(name_parts(s.last_name))] == 1}
        vocabulary = {p for k in self.index.first for p in k}
        vocabulary |= {p for s in students for p in name_parts(s.last_name)}
        self.segmenter = TagSegmenter(vocabulary | set(words("tag_words")))

    def for_photos(self) -> NameMatcher:
        """This matcher, reading the words of a photo (see `lone_lines`)."""
        photo = copy.copy(self)
        photo.lone_lines = True
        return photo

    def is_name_word(self, word: str) -> bool:
        """A (casefolded) word that is a name: a roster first name, nickname or surname
        part, or a census first or last name. Words in capitals on a name tag or a sign
        are cased by this before extraction (extract/imagetext.py)."""
        return (word in self.first_keys or word in self._surname_words
                or is_census_name("first", word) or is_census_name("last", word))

    def keeps_capital(self, word: str) -> bool:
        """A (casefolded) word in capitals on a sign that prose would still capitalise:
        a name, or a word of the names of teams, places and programs ("HOPE SQUAD" is
        "Hope Squad", not Hope's squad)."""
        return self.is_name_word(word) or word in words("institution_words") or \
            word in words("not_name_words")

    def is_name(self, word: str) -> bool:
        """A (casefolded) word that a disguise spells is a name (extract/normalize.py's
        NameWords): a roster name part, or a census name that is no English word (so
        "I 1ove it" stays love). A census surname needs four letters: short ones are
        codes as often ("CO2")."""
        if word in self.first_keys or word in self._surname_words:
            return True
        first = word in _census_set("first")
        if not first and (len(word) < 4 or word not in _census_set("last")):
            return False  # most readings of a made-up word: no name at all
        if word in _name_words():
            return False
        if first:
            return not is_english_word(word)
        # WordNet lists famous people's surnames as nouns ("thompson"); a surname that is
        # also a verb or an adjective ("love", "best", "brown") is read as that word.
        return word not in _wordnet()[1]

    def may_start_name(self, word: str) -> bool:
        """A (casefolded) word a name could start with or be: a roster name part or a
        census first name (narrower than is_name_word: the census surnames hold many
        words, "Fair", "Work", "Star")."""
        return (word in self.first_keys or word in self._surname_words
                or is_census_name("first", word))

    @cached_property
    def _surname_words(self) -> frozenset[str]:
        return frozenset(w for parts in self.surnames for w in parts)

    def tokenize(self, text: str) -> list[Token]:
        return tokenize(text, self.segmenter)

    def staff_spans(self, tokens: Sequence[Token]) -> list[tuple[int, int]]:
        if not self.staff:
            return []
        firsts: dict[str, list[tuple[str, ...]]] = {}
        for parts in self.staff:
            firsts.setdefault(parts[0], []).append(parts)
        spans = []
        for i, tok in enumerate(tokens):
            for parts in firsts.get(tok.key, ()):
                if _runs(tokens, i, parts):
                    spans.append((tokens[i].start, tokens[i + len(parts) - 1].end))
        return spans

    def analyze(self, text: str, tokens: Sequence[Token], doc: Doc) -> NameFindings:
        """Everything about names in one text: roster mentions, full names of other
        people, lone first names of other people."""
        titles = work_titles(text, tokens, self)
        strangers: list[Span] = []
        mentions = [m for m in self.find(text, tokens, doc, strangers)
                    if not titles.overlaps(m.span.start, m.span.end) or m.kind == "full"]
        roster_spans = [(m.span.start, m.span.end) for m in mentions]
        people = [p for p in person_names(text, tokens, doc, roster_spans, self, strangers)
                  if not titles.overlaps(p.start, p.end)]
        taken = Intervals([*roster_spans, *((p.start, p.end) for p in people)])
        firsts = [Span(start=t.start, end=t.end, text=t.raw) for t in tokens
                  if not taken.covers(t.start) and not titles.covers(t.start)
                  and is_first_name(text, t, doc, self)]
        return NameFindings(mentions=mentions, people=people, first_names=firsts)

    def find(self, text: str, tokens: Sequence[Token], doc: Doc | None,
             strangers: list[Span] | None = None) -> list[NameMention]:
        """Roster mentions; "first name + unknown surname" runs go to `strangers`."""
        if strangers is None:
            strangers = []
        staff = Intervals(self.staff_spans(tokens))
        mentions: list[NameMention] = []
        # Roster first names that are another person's surname here ("Kwame Alexander"):
        # found once, for the match at that word and for the post as a whole.
        of_another = frozenset(i for i, t in enumerate(tokens) if t.key in self.first_keys
                               and self._surname_of_another(text, tokens, i, doc))
        # Alone elsewhere in the post such a name is that person ("James Madison ...
        # Would Madison approve?"), as a pet's name is the pet ("a golden retriever named
        # Mason ... the time Mason ran onto the field").
        not_students = {tokens[i].key for i in of_another} | \
            _pet_names(text, tokens, self.first_keys)
        i = 0
        while i < len(tokens):
            found = self._match_at(text, tokens, i, doc, strangers, of_another)
            if found is None:
                i += 1
                continue
            mention, used = found
            s = mention.span
            if not staff.overlaps(s.start, s.end) and not (
                    mention.kind == "first" and used == 1 and tokens[i].key in not_students
                    and not tokens[i].tag):
                mentions.append(mention)
            i += used
        return mentions

    def _match_at(
        self, text: str, tokens: Sequence[Token], i: int, doc: Doc | None,
        strangers: list[Span], of_another: frozenset[int],
    ) -> tuple[NameMention, int] | None:
        for length in range(min(self.index.longest_first, len(tokens) - i), 0, -1):
            key = tuple(t.key for t in tokens[i:i + length])
            candidates = self.index.first.get(key)
            if not candidates or not _runs(tokens, i, key):
                continue
            first_end = i + length
            if is_title_before(text, tokens[i].start, self.titles) and not tokens[i].tag:
                return None  # "Ms. Ava Thompson", "Coach Leo": an adult
            if i in of_another:
                return None  # "Kwame Alexander", "Michael Jordan": somebody's surname
            full = self._full(tokens, i, first_end, candidates)
            if full is not None:
                return full
            nickname = key in self.index.nicknames
            initial = self._initial(text, tokens, i, first_end, candidates)
            if initial is not None:
                return initial
            if not self._first_name_counts(text, tokens, i, first_end, doc, strangers,
                                           nickname):
                return None
            start, end = tokens[i].start, tokens[first_end - 1].end
            span = Span(start=start, end=end, text=text[start:end])
            via = "hashtag" if tokens[i].tag else "nickname" if nickname else "name"
            return NameMention(span=span, students=candidates, kind="first", via=via), length
        return None

    def _surname_of_another(self, text: str, tokens: Sequence[Token], i: int,
                            doc: Doc | None) -> bool:
        """A roster first name right after another person's given name is their surname:
        "Kwame Alexander" is not Alexander Petrov. (Two roster first names, "Ava Leo",
        are two students.)"""
        if i == 0 or tokens[i].tag:
            return False
        prev = tokens[i - 1]
        if not prev.joined_to_next or "-" in text[prev.end:tokens[i].start] or prev.possessive:
            return False  # "Lincoln's Marcus": an owner, not a given name
        if prev.key in self.first_keys and _titlecase(prev.raw) and \
                _one_persons_name(doc, prev, tokens[i]):
            return True  # "Marcus Reed": Reed is Marcus's surname, not Reed Larsen
        if not _titlecase(prev.raw) or prev.key in self.first_keys or prev.key in self.titles:
            return False
        if prev.key in self.not_surnames or (sentence_initial(text, prev.start) and \
                not is_census_name("first", prev.key)):
            return False
        return (is_census_name("first", prev.key) and prev.key not in self.word_names) or (
            _is_person(doc, prev.start) and _is_person(doc, tokens[i].start))

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
        via = "hashtag" if tokens[i].tag else "name"
        return NameMention(span=text_span, students=tuple(matched), kind="full",
                           via=via), best - i

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
        strangers: list[Span], nickname: bool,
    ) -> bool:
        tok = tokens[i]
        key = " ".join(t.key for t in tokens[i:first_end])
        nxt = tokens[first_end] if first_end < len(tokens) else None
        if nxt is not None and text[tokens[first_end - 1].end:nxt.start] == "-" and not tok.tag:
            return False  # "Amara-Lee" is another name than Amara
        word_name = key in self.word_names
        if tok.tag:
            # In a hashtag a name is deliberate, but "#hope" is still the word: a word-name
            # counts written as a capitalised part ("#GoMason") or after a cheer ("#gomason").
            cheer = i > 0 and tokens[i - 1].tag and tokens[i - 1].joined_to_next and \
                tokens[i - 1].key in words("cheer_words")
            return not word_name or tok.raw[:1].isupper() or cheer
        if not tok.raw[:1].isupper() and not _casual(text) and (
                word_name or not tok.raw.islower() or len(key) < 3 or is_english_word(key)):
            # "luna moth", "aurora borealis", "we hope": a first name in lower case that is
            # an English word is the word, unless the whole post is written in lower case.
            # One that is no word ("congrats to birgitta") is still the name.
            return False
        if self.lone_lines and _alone_on_line(text, tokens, i, first_end) and \
                key not in words("month_names"):
            return True  # a name tag; a month alone is a calendar's heading
        # A name that is also a word: "We hope", "Will you", "Summer is here", "May 5".
        if word_name and not self._could_be_name(text, tok, nxt, doc):
            return False
        if word_name and self._in_a_thing_name(text, tokens, i, first_end):
            return False  # "Willamette River", "Summer Bridge", "Hope Squad"
        if nxt is not None and nxt.key in words("product_nouns") and \
                not tokens[first_end - 1].possessive and tokens[first_end - 1].joined_to_next:
            return False  # "Jordan hoodies", "a Hunter boot", "Paris 2024 shirt": a brand
        if nxt is not None and tokens[first_end - 1].joined_to_next and \
                nxt.key in self.first_keys and _titlecase(nxt.raw) and \
                (nxt.key,) not in self.surnames and _one_persons_name(doc, tok, nxt):
            # "Lincoln's Marcus Reed": one person's name, though both are roster first names.
            strangers.append(Span(start=tok.start, end=nxt.end, text=text[tok.start:nxt.end]))
            return False
        if nxt is not None and tokens[first_end - 1].joined_to_next and \
                not self._owner_of(tokens[first_end - 1], nxt) and \
                self._looks_like_surname(text, nxt, doc):
            # "Ava Martinez" is somebody else than the roster's Ava Thompson.
            if not is_title_before(text, tok.start, self.titles):
                strangers.append(Span(start=tok.start, end=nxt.end,
                                      text=text[tok.start:nxt.end]))
            return False
        if not word_name and not nickname:
            return True
        if key in words("month_names") and not (
                tok.possessive or _is_person(doc, tok.start)
                or _acts_like_name(text, tokens, first_end, doc, None, strict=True)
                or _name_cue_before(text, tok.start)):
            return False  # "through June", "June feels far away": the month
        if sentence_initial(text, tok.start):
            if word_name and not tok.possessive and _modifies_a_noun(doc, tok.start):
                return False  # "Summer open gyms and camps will be announced"
            return tok.possessive or _is_person(doc, tok.start) or _acts_like_name(
                text, tokens, first_end, doc, _pos_at(doc, tok.start))
        return not nickname or _pos_at(doc, tok.start) in ("PROPN", "NOUN", None) \
            or _is_person(doc, tok.start)

    @staticmethod
    def _owner_of(name: Token, nxt: Token) -> bool:
        """"River's EpiPen": a student and something of theirs. ("Sam's Club", "Lizzie's
        Diner" are businesses: a word of such names follows.)"""
        if not name.possessive:
            return False
        thing = words("institution_words") | words("not_name_words")
        return nxt.key not in thing and nxt.key.rstrip("s") not in thing

    def _in_a_thing_name(self, text: str, tokens: Sequence[Token], i: int, end: int) -> bool:
        """A word-name inside a capitalised name of a place, program or event: after a
        capitalised word ("Willamette River") or before a word of such names ("Summer
        Bridge", "River Gorge", "Hope Squad")."""
        thing = words("institution_words") | words("not_name_words")
        if end < len(tokens) and tokens[end - 1].joined_to_next:
            nxt = tokens[end]
            if nxt.raw[:1].isupper() and (nxt.key in thing or nxt.key.rstrip("s") in thing):
                return True
        if i > 0 and tokens[i - 1].joined_to_next and _titlecase(tokens[i - 1].raw) and \
                not sentence_initial(text, tokens[i - 1].start) and \
                tokens[i - 1].key not in self.first_keys and \
                tokens[i - 1].key not in self.titles and "-" not in text[tokens[i - 1].end:
                                                                          tokens[i].start]:
            return not tokens[i - 1].possessive
        return False

    def _could_be_name(
        self, text: str, tok: Token, nxt: Token | None, doc: Doc | None
    ) -> bool:
        """Written like a name, not used as the word it also is."""
        if not tok.raw[:1].isupper() or (tok.raw.isupper() and len(tok.raw) > 1):
            return False
        if nxt is not None and nxt.raw[:1].isdigit() and not _stat_after_token(nxt, text):
            return False  # "May 5", but not "Mason 18 pts"
        if nxt is not None and tok.joined_to_next and not tok.possessive and \
                nxt.raw[:1].islower() and _tag_at(doc, nxt.start) == "NNS":
            return False  # "Georgia schools", "Summer camps": the word describes a thing
        pos = _pos_at(doc, tok.start)
        if not sentence_initial(text, tok.start) and pos in {
            "AUX", "VERB", "ADJ", "ADV", "ADP", "DET", "PRON", "NUM"
        }:
            return False
        before = text[max(0, tok.start - 12):tok.start].casefold().split()
        return not (before and before[-1] in words("word_name_context"))  # "in May"

    def _looks_like_surname(self, text: str, tok: Token, doc: Doc | None) -> bool:
        if tok.tag:
            return False  # "#GoMasonGo": hashtag words are not surnames
        raw = re.sub(r"'s$|['\u2019-]", "", tok.raw)  # "O'Keeffe", "Davis's"
        if not raw[:1].isupper() or len(raw) < 2 or not raw.isalpha():
            return False
        if raw.isupper():
            return False  # "AVA WON": shouting, not a surname
        if tok.key in self.not_surnames or tok.key in self.titles:
            return False
        if tok.key in self.first_keys:
            return False  # "Ava Leo" is two roster first names, not a surname
        return _pos_at(doc, tok.start) == "PROPN"


# An aside about a person between dashes: "—our bravest reader—", "—who is 7—".
_DASH_ASIDE = re.compile(r"[ \t]*(?:\u2014|\u2013|--)[ \t]*(?:our|my|his|her|their|a|an|"
                         r"the|who|one)\b[^\u2014\u2013\n]{1,60}?(?:\u2014|\u2013|--)[ \t]*"
                         r"([^\W\d_]+)", re.I)


def _acts_like_name(
    text: str, tokens: Sequence[Token], after: int, doc: Doc | None, pos: str | None,
    strict: bool = False,
) -> bool:
    """A word-name opening a sentence: "Hope did a great job" names Hope, "Hope you all
    have a great break" does not, "Summer is here" does not. `strict` (a month): only a
    past deed or "and" makes it a name ("June won", not "June feels far away")."""
    if after < len(tokens) and _DASH_ASIDE.match(text, tokens[after - 1].end):
        # "Hope—our bravest reader—volunteered": an aside between dashes, then the deed
        verb = _DASH_ASIDE.match(text, tokens[after - 1].end)
        assert verb is not None
        return verb.group(1).casefold() in words("name_verbs") or \
            _tag_at(doc, verb.start(1)) in {"VBD", "VBZ", "VBN", "MD"}
    if after >= len(tokens) or (not tokens[after - 1].joined_to_next and
                                text[tokens[after - 1].end:tokens[after].start].strip()[:1]
                                not in (",", "")):
        return False  # alone on its line: "Summer" as a heading
    nxt = tokens[after]
    word = nxt.key
    if _stat_after(tokens, after):
        return True  # a box score: "Mason 18 pts, 7 reb"
    if text[tokens[after - 1].end:nxt.start].strip()[:1] == ",":
        return True  # "Willow, your mom asked...", "Grace, Leo and Max", 'Ruby, "Do Plants..."'
    if nxt.key in words("product_nouns") and not tokens[after - 1].possessive:
        return False  # "Jordan hoodies", "Hunter boots": a brand
    if word in ("is", "was") and after + 1 < len(tokens) and \
            _tag_at(doc, tokens[after + 1].start) == "VBG" and \
            tokens[after + 1].key not in words("word_name_predicates"):
        return True  # "Faith is spending December in Accra" ("Summer is coming" is not)
    if nxt.raw[:1].isdigit():
        return False
    if word in words("word_name_not_before") and not (
            tokens[after - 1].key in words("name_first_words") and word in
            ("is", "was", "has", "had", "will", "and", "can", "could")):
        return False
    if word in {"and", "&"} or text[tokens[after - 1].end:nxt.start].strip() == ",":
        return True  # "Grace and Leo painted", "Grace, Leo and Max"
    if word in words("name_verbs") or (word.endswith("ed") and len(word) > 3):
        return True
    tag = _tag_at(doc, nxt.start)
    if strict:
        return tag == "VBD"
    return tag in {"VBD", "VBZ"} or pos == "PROPN"


_PET_NAMED = re.compile(r"\s*,\s*|\s+(?:named|called)\s+|\s+")


def _pet_names(text: str, tokens: Sequence[Token], first_keys: frozenset[str]) -> set[str]:
    """Roster first names this post gives an animal: "<pet word> named X", "<pet word>,
    X" ("our class hamster, Hope, ..."), "<pet word> X" ("our goldfish Georgia")."""
    out: set[str] = set()
    for m in phrase_pattern("pet_words").finditer(text):
        i = _token_at(tokens, m.end())
        if i is not None and tokens[i].key in ("named", "called"):
            i += 1
        if i is None or i >= len(tokens):
            continue
        tok = tokens[i]
        if tok.key in first_keys and tok.raw[:1].isupper() and \
                _PET_NAMED.fullmatch(text[m.end():tok.start]):
            out.add(tok.key)
    return out


def _alone_on_line(text: str, tokens: Sequence[Token], i: int, end: int) -> bool:
    """Tokens [i, end) are all the words of their line (punctuation aside)."""
    a, b = tokens[i].start, tokens[end - 1].end
    line_start = text.rfind("\n", 0, a) + 1
    line_end = text.find("\n", b)
    line_end = len(text) if line_end < 0 else line_end
    return not any(c.isalnum() for c in text[line_start:a] + text[b:line_end])


@lru_cache(maxsize=64)
def _casual(text: str) -> bool:
    """A post written (nearly) without capitals: names lose theirs too."""
    # Words in capitals ("the loudest TIGHT MOTION") are shouting, not capitalisation.
    mixed = [w for w in re.findall(r"[^\W\d_]+", text[:4000]) if not (w.isupper() and len(w) > 1)]
    letters = [c for w in mixed for c in w]
    return len(letters) > 20 and sum(c.isupper() for c in letters) < len(letters) / 100


def _stat_after(tokens: Sequence[Token], after: int) -> bool:
    return after + 1 < len(tokens) and tokens[after].raw[:1].isdigit() and \
        tokens[after + 1].key in words("stat_words")


def _stat_after_token(nxt: Token, text: str) -> bool:
    following = text[nxt.end:nxt.end + 16].split()
    return bool(following) and following[0].strip(".,;:)").casefold() in words("stat_words")


def _name_cue_before(text: str, start: int) -> bool:
    """"Congrats to June", "Thank you, May": words before that make a word-name a name."""
    line = text[text.rfind("\n", 0, start) + 1:start]
    tail = " ".join(re.sub(r"[^\w\s']", " ", line).casefold().split()[-3:])
    return any(tail == c or tail.endswith(" " + c) for c in words("name_cues"))


def _tag_at(doc: Doc | None, start: int) -> str | None:
    if doc is None:
        return None
    token = doc.char_span(start, start + 1, alignment_mode="expand")
    return token[0].tag_ if token is not None and len(token) else None


def _modifies_a_noun(doc: Doc | None, start: int) -> bool:
    """The word describes a common noun after it: "Summer open gyms", "Summer camps"
    (a name would head its own phrase: "Summer won", "Summer Davis")."""
    if doc is None:
        return False
    span = doc.char_span(start, start + 1, alignment_mode="expand")
    if span is None or not len(span):
        return False
    tok = span[0]
    return tok.dep_ in ("compound", "amod", "nmod") and tok.head.i > tok.i and \
        tok.head.tag_ in ("NN", "NNS") and tok.head.text[:1].islower() and \
        not any(t.like_num for t in doc[tok.i + 1:tok.head.i])  # "Mason 18 pts": a box score


def _pos_at(doc: Doc | None, start: int) -> str | None:
    if doc is None:
        return None
    token = doc.char_span(start, start + 1, alignment_mode="expand")
    return token[0].pos_ if token is not None and len(token) else None


def _one_persons_name(doc: Doc | None, first: Token, second: Token) -> bool:
    """Two roster first names in a row that are one person's name: the second is a
    common surname ("Marcus Reed", "Jordan Parker") or NER takes them as one name; two
    students are written "Ava, Leo" or "Ava and Leo"."""
    if not first.joined_to_next or "-" in (doc.text[first.end:second.start] if doc else ""):
        return False
    rank = census_rank("last", second.key)
    return (rank is not None and rank <= _COMMON_SURNAME) or \
        (_one_entity(doc, first.start, second.start) and rank is not None)


# Census surname rank under which a second roster first name is taken for a surname.
_COMMON_SURNAME = 1000


def _one_entity(doc: Doc | None, a: int, b: int) -> bool:
    """Are the words at a and b inside one named entity ("Marcus Reed" tagged as one)?"""
    if doc is None:
        return False
    first = doc.char_span(a, a + 1, alignment_mode="expand")
    last = doc.char_span(b, b + 1, alignment_mode="expand")
    if not first or not last:
        return False
    x, y = first[0], last[0]
    if not x.ent_type_ or x.ent_type_ in ("DATE", "TIME", "CARDINAL", "ORDINAL"):
        return False
    return y.i > x.i and all(t.ent_iob_ == "I" and t.ent_type_ == x.ent_type_
                             for t in doc[x.i + 1:y.i + 1])


def _is_person(doc: Doc | None, start: int) -> bool:
    return doc is not None and persons(doc).covers(start)


def with_text(mention: NameMention, text: str) -> NameMention:
    s = mention.span
    return NameMention(
        span=Span(start=s.start, end=s.end, text=text[s.start:s.end]),
        students=mention.students, kind=mention.kind, via=mention.via,
    )


# ---- titles of songs, books and films ---------------------------------------------

_QUOTED = re.compile(r"\"([^\"\n]{1,80}(?:\n[^\"\n]{1,80})?)\"|\*{1,2}([^*\n]{2,80})\*{1,2}"
                     r"|(?<!\w)_([^_\n]{2,80})_(?!\w)")


def work_titles(text: str, tokens: Sequence[Token], matcher: NameMatcher) -> Intervals:
    """Titles of songs, books, films and shows: quoted or emphasised title-case words
    ("\u201cGrace for President\u201d", *Moon River*), and runs of two or more capitalised
    words right after a word that introduces a work ("sang Moon River", "we read
    Martin's Big Words"), unless the run is somebody's full name."""
    spans: list[tuple[int, int]] = []
    small = words("title_small_words")
    for m in _QUOTED.finditer(text):
        quoted = next(g for g in m.groups() if g is not None)
        if _quoted_title(quoted, small):
            spans.append((m.start(), m.end()))
    cues = phrase_pattern("work_cues")
    for m in cues.finditer(text):
        i = _token_at(tokens, m.end())
        if i is None:
            continue
        j = i
        caps = 0
        while j < len(tokens) and (tokens[j].raw[:1].isupper() or tokens[j].raw[:1].isdigit()
                                   or (tokens[j].key in small and caps)):
            caps += tokens[j].raw[:1].isupper()
            if not tokens[j].joined_to_next:
                j += 1
                break
            j += 1
        while j > i and tokens[j - 1].key in small:
            j -= 1  # "sang Moon River at": the title ends at its last capital
        if caps >= 2 and j - i >= 2:
            start, end = tokens[i].start, tokens[j - 1].end
            if not _is_full_name(text, tokens[i:j], matcher):
                spans.append((start, end))
    return Intervals(spans)


def _quoted_title(quoted: str, small: frozenset[str]) -> bool:
    """Quoted words that are a title ("Grace for President", "Oh, the Places You'll
    Go!", "Let it go"), not somebody's words ("Leo read first.", "Danny, you nailed
    it!"): title case, or sentence case without a sentence's punctuation."""
    inner = quoted.split()
    if len(inner) < 2 or not inner[0][:1].isupper():
        return False
    content = [w for w in inner if w.strip(_PUNCT).casefold() not in small and w != "I"]
    capitalised = [w for w in content if w[:1].isupper()]
    if len(capitalised) >= 2 and len(capitalised) >= 0.75 * len(content):
        return True
    return not re.search(r"[.,!?;:]", quoted)


_PUNCT = ".,!?;:\"'()\u201c\u201d\u2018\u2019"


def _token_at(tokens: Sequence[Token], pos: int) -> int | None:
    """The first token starting at or after pos, if only spaces (or "the") come between."""
    from bisect import bisect_left

    i = bisect_left([t.start for t in tokens], pos)
    if i < len(tokens) and tokens[i].key == "the" and i + 1 < len(tokens):
        i += 1
    return i if i < len(tokens) else None


def _is_full_name(text: str, run: Sequence[Token], matcher: NameMatcher) -> bool:
    if len(run) < 2:
        return False
    keys = tuple(t.key for t in run)
    for n in range(1, len(keys)):
        if keys[:n] in matcher.index.first and keys[n:] in matcher.surnames:
            return True
    return len(run) == 2 and is_census_name("first", run[0].key) and \
        is_census_name("last", run[1].key) and run[0].key not in matcher.word_names


# ---- other people's names ------------------------------------------------------------


@cache
def _census_text(kind: str) -> str:
    """US Census 1990 name lists shipped in the `names` package (MIT), one
    "NAME  freq cum rank" a line. Kept as text: a post asks about a handful of
    words, and searching 2 MB of text is cheaper than splitting 90,000 lines."""
    files = ("dist.male.first", "dist.female.first") if kind == "first" else ("dist.all.last",)
    return "\n" + "\n".join(
        resources.files("names").joinpath(f).read_text(encoding="ascii") for f in files)


@lru_cache(maxsize=8192)
def census_rank(kind: str, word: str) -> int | None:
    """The rank of a name in the US Census lists (1 = the most common), or None."""
    if not word.isalpha():
        return None
    text = _census_text(kind)
    at = text.find(f"\n{word.upper()} ")
    if at < 0:
        return None
    line = text[at + 1:text.find("\n", at + 1)].split()
    return int(line[3]) if len(line) >= 4 and line[3].isdigit() else None


@cache
def _wordnet() -> tuple[frozenset[str], frozenset[str]]:
    """English words (and those of them that are verbs, adjectives or adverbs):
    WordNet's nouns, verbs, adjectives and adverbs, as the spaCy
    pipeline ships them for its lemmatizer (lemma_index; read here, the lemmatizer itself
    does not run). WordNet also lists people and places ("noah", "paris"), lower-cased."""
    import tomllib

    from spacy.lookups import Lookups
    from spacy.util import get_package_path

    from smcheck.lexicon import models_dir

    with (models_dir() / "nlp.toml").open("rb") as fh:
        package = str(tomllib.load(fh)["spacy"]["package"])
    root = get_package_path(package)
    found = next(root.glob("*/lemmatizer/lookups"), None) or root / "lemmatizer" / "lookups"
    index = Lookups().from_disk(found).get_table("lemma_index")
    others = frozenset(w for pos in ("verb", "adj", "adv") for w in index[pos])
    return frozenset(index["noun"]) | others, others


@lru_cache(maxsize=8192)
def is_english_word(word: str) -> bool:
    """Is this casefolded word an English word, written in lower case as a word is? A
    first name that is one ("hope", "holly", "carol": models/lexicon.toml's word_names and
    lower_case_name_words) is; a name WordNet lists as a person ("noah", "leo") is not."""
    if word in _name_words():
        return True
    return word in _wordnet()[0] and word not in _census_set("first")


@cache
def _name_words() -> frozenset[str]:
    return words("word_names") | words("lower_case_name_words")


@cache
def _census_set(kind: str) -> frozenset[str]:
    """The census names as a set, for disguises: a post of many made-up words must not
    search the lists' text once for each of their readings."""
    return frozenset(line.split(" ", 1)[0].casefold()
                     for line in _census_text(kind).split("\n") if line)


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
             if a.joined_to_next and "-" not in text[a.end:b.start] and not a.tag
             and not a.possessive
             and _titlecase(a.raw) and _titlecase(b.raw)]
    if not pairs:
        return  # most posts: no need to read 90,000 census names
    not_names = words("not_name_words")
    for a, b in pairs:
        if a.key in matcher.word_names or a.key in not_names or b.key in not_names:
            continue
        if not is_census_name("first", a.key) or not is_census_name("last", b.key):
            continue
        if b.key in matcher.not_surnames or b.key in words("institution_words") or \
                b.key in words("adult_roles") or b.key in matcher.titles:
            continue  # "Lincoln Park", "Art Teacher"
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
    staff, public figures, authors, signatures, or the names of places and events."""
    figures = words("public_figures")
    institutions = words("institution_words")
    not_names = words("not_name_words")
    staff_spans = matcher.staff_spans(tokens)
    out: list[Span] = []
    candidates: list[tuple[int, int]] = []
    for ent in doc.ents:
        if ent.label_ != "PERSON":
            continue
        toks = [t for t in ent if t.is_alpha or t.text.endswith(".")]
        if any(t.text.casefold() in ("'s", "\u2019s") for t in ent[:-1]):
            continue  # "River's EpiPen": somebody's thing, not a full name
        if toks and toks[0].text.rstrip(".").casefold() in matcher.titles:
            continue  # NER took the title in: "Ms. Garcia" is an adult
        if len(toks) < 2 or len(toks) > 4:
            continue
        if not all(t.text[:1].isupper() and not t.text.isupper() for t in toks if len(t) > 1):
            continue
        if any(len(t.text.rstrip(".")) == 1 for t in toks[:1]):
            continue
        # A person's name has a given name: NER's "Turkey Trot" and "Preseason Info" don't.
        first = toks[0].text.casefold()
        if not (is_census_name("first", first) or first in matcher.first_keys):
            continue
        if any(t.text.casefold() in not_names for t in toks):
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
        while start > 1 and text[start - 1] == "-" and text[start - 2].isalpha():
            start = text.rfind(" ", 0, start - 1) + 1  # "Lin-Manuel Miranda", whole
        claimed_end = end
        if is_title_before(text, start, matcher.titles):
            continue
        if taken.overlaps(start, end):
            continue
        folded = " ".join(name_parts(text[start:end]))
        if any(folded.startswith(f) or f.startswith(folded) for f in figures):
            continue
        nxt = text[end:end + 25].split()
        if nxt and nxt[0].strip(".,").casefold() in institutions:
            continue  # "Rosa Parks Elementary", "Lincoln Park"
        if name_parts(text[start:end])[-1] in institutions:
            continue  # "Lovejoy St", "Grant Park", "Mason's Hardware"
        if _AUTHOR_BEFORE.search(text[max(0, start - 60):start]):
            continue  # "a book by Maurice Sendak", '"Sleigh Ride" (Leroy Anderson)'
        if _CHARACTER.search(text[max(0, start - 20):start]) or _CAST_ROW.match(text, end):
            continue  # "Nolan as John Proctor", "John Proctor ...... Nolan": a role
        if folded in words("not_people") or any(
                folded.startswith(f + " ") for f in words("not_people")):
            continue  # "Les Schwab", "Fred Meyer": shops named after people
        if _determiner_before(text, start):
            continue  # "the Art Walk", "our Turkey Trot": a thing, not a person
        if re.search(r"\b[A-Z]\.\s*$", text[max(0, start - 4):start]):
            continue  # "F. Scott Fitzgerald": an author's style, not a student's
        if _figure_context(text, start):
            continue  # a character of a novel, a leader in history, a pro athlete
        if _inside_longer_name(text, start, end, doc):
            continue  # "Hazel Dell Grange", "Portland Art Museum": a place's name
        if _role_after(text, end, matcher.titles):
            continue  # "Jenny Walsh, PTA President": a signature, an adult
        out.append(Span(start=start, end=end, text=text[start:end]))
    return out


def _figure_context(text: str, start: int) -> bool:
    """Is the name in a paragraph about books, plays, films, history, professional sport
    or sponsors? There a full name is a character, an author or a public figure."""
    begin = max(text.rfind("\n\n", 0, start), 0, start - 1500)
    end = text.find("\n\n", start)
    stop = min(end if end >= 0 else len(text), start + 600)
    if phrase_pattern("figure_context").search(text, begin, stop):
        return True
    # A work and its author in the paragraph: '"Holes" by Louis Sachar'.
    return bool(_WORK_BY.search(text, begin, stop))


_WORK_BY = re.compile(r"[\"\u201d]\s+by\s+[A-Z]")


def _inside_longer_name(text: str, start: int, end: int, doc: Doc) -> bool:
    """A pair inside a longer run of capitalised words that NER does not call a person."""
    before = re.search(r"([A-Z][\w'&.-]*)[ \t]+$", text[max(0, start - 30):start])
    after = re.match(r"[ \t]+([A-Z][\w'&.-]*)", text[end:end + 30])
    if not before and not after:
        return False
    words_ = [w for w in (before.group(1) if before else "", after.group(1) if after else "")
              if w and not w.endswith(("'s", "\u2019s"))]  # "Lincoln's Marcus Reed": an owner
    if not words_:
        return False
    if any(w.casefold() in words("adult_titles") or w.endswith(".") for w in words_):
        return False  # "Ms. Ava Martinez", "Ava Martinez Jr."
    return not (persons(doc).covers(start) and persons(doc).covers(end - 1))


def _determiner_before(text: str, start: int) -> bool:
    before = text[max(0, start - 12):start].split()
    return bool(before) and before[-1].casefold() in {"the", "our", "this", "a", "an",
                                                      "annual", "at"}


def _role_after(text: str, end: int, titles: frozenset[str]) -> bool:
    """", PTA President", " (4th grade teacher)", " - Principal" right after a name."""
    m = re.match(r"\s*(?:,|\(|-|\u2013|\u2014)\s*(?:our\s+|the\s+)?((?:[\w'-]+\s+){0,3}[\w'-]+)",
                 text[end:end + 60])
    if not m:
        return False
    found = {w.casefold() for w in m.group(1).split()}
    return bool(found & (words("adult_roles") | set(titles)))


# "by NAME" after a work, or "(NAME)" right after a quoted title: its author,
# illustrator, composer or arranger.
_AUTHOR_BEFORE = re.compile(
    r"(?:\b(?:book|books|novel|story|stories|poem|poems|song|songs|music|film|movie|series|"
    r"picture\s+book|chapter\s+book|written|illustrated|composed|painted|wrote|author|"
    r"read|reading|listened\s+to|sang|watched|piece|pieces|arranged|arr)\b"
    r"|[\"\u201d])[^.!?]{0,40}\b(?:by|arr\.?|arranged\s+by)\s+"
    r"(?:[A-Z][\w.'-]+(?:\s+[A-Z][\w.'-]+){0,2}\s+(?:and|&)\s+)?$"
    r"|[\"\u201d]\s*\((?:arr\.?|by|music\s+by|words\s+by|lyrics\s+by)?\s*$", re.I)
# A role in a play: "Nolan as John Proctor", "plays Abigail Williams".
_CHARACTER = re.compile(r"\b(?:as|playing|plays|played|portrays|portraying)\s+(?:the\s+)?$",
                        re.I)
# A cast list's row: "John Proctor .......... Nolan", "Abigail Williams - Lydia".
_CAST_ROW = re.compile(r"\s*(?:\.{3,}|\u2026+|\s[-\u2013\u2014]\s|:)\s*[A-Z][a-z]+\s*$", re.M)


def is_first_name(text: str, token: Token, doc: Doc, matcher: NameMatcher) -> bool:
    """A capitalised common first name used as a name ("Jordan is at..."), not a word.
    (`text` is the doc's text: spaCy rebuilds `doc.text` from every token on each read.)"""
    if not _titlecase(token.raw) or token.tag:
        return False
    if token.key in matcher.titles or token.key in matcher.not_surnames:
        return False
    if is_title_before(text, token.start, matcher.titles):
        return False
    if not is_census_name("first", token.key):
        return False
    return _pos_at(doc, token.start) == "PROPN" or _is_person(doc, token.start)


# ---- a family's surname elsewhere in the post --------------------------------------


@dataclass(frozen=True, kw_only=True)
class FamilyName:
    """Words that give a roster student's surname away through the family: "the Okoye
    family", "the Okoyes", "Mr. and Mrs. Okoye", "Okoye family"."""

    span: Span  # the whole phrase
    surname: Span  # the surname as written in it ("Okoye", "Okoyes")
    form: Literal["family", "plural", "couple"]
    student: Student


def family_names(text: str, matcher: NameMatcher) -> list[FamilyName]:
    """Each phrase that names a family by a surname one roster student has."""
    unique = {k: s for k, s in matcher.surnames.items() if len(k) == 1}
    counts: dict[str, int] = {}
    for k in matcher.surnames:
        counts[k[0]] = counts.get(k[0], 0) + 1
    out: list[FamilyName] = []
    for m in _family_pattern().finditer(text):
        group = next(g for g in range(1, 5) if m.group(g))
        word = m.group(group)
        plural = group == 2  # "the Okoyes", "the Joneses"
        forms = [word[:-1], word[:-2]] if plural else [word]
        for form in forms:
            key = name_parts(form)
            if key in unique and counts[key[0]] == 1:
                out.append(FamilyName(
                    span=Span(start=m.start(), end=m.end(), text=m.group()),
                    surname=Span(start=m.start(group), end=m.end(group), text=word),
                    form="plural" if plural else "couple" if group == 3 else "family",
                    student=unique[key]))
                break
    return out


def family_surnames(text: str, matcher: NameMatcher) -> dict[str, Student]:
    """Roster surnames the post gives away through a family ("the Okoye family", "the
    Okoyes", "Mr. and Mrs. Okoye"): folded surname -> its student, when the surname
    belongs to one roster student."""
    return {name_parts(f.student.last_name)[0]: f.student for f in family_names(text, matcher)}


@cache
def _family_pattern() -> re.Pattern[str]:
    family = "|".join(re.escape(w) for w in lexicon()["family_words"])
    name = r"([A-Z][\w'\u00c0-\u024f-]+)"
    return re.compile(
        rf"\b[Tt]he\s+{name}\s+(?:{family})\b"            # the Okoye family
        rf"|\b[Tt]he\s+([A-Z][\w'\u00c0-\u024f-]+s)\b(?!')"  # the Okoyes
        rf"|\bMr\.?\s+(?:and|&)\s+Mrs\.?\s+{name}"            # Mr. and Mrs. Okoye
        rf"|\b{name}\s+(?:{family})\b")                      # Okoye family
