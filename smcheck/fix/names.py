"""Names in a fixed copy: cut to the first name, or replaced by a neutral phrase.

What to change comes from the post's facts (every `NameMention`: its span in the
original text, its students, its kind) and its findings (which rules fired for whom,
and which a person accepted). How the sentence reads afterwards is decided here, from
the words around each name: a possessive stays possessive ("Hope's" -> "a student's"),
a sentence start keeps its capital, a list of names becomes one phrase ("Leo and Hope"
-> "two students"), a name someone is addressed by is dropped ("Great job, Leo!" ->
"Great job!"), a hashtag in a run of tags goes. The edits are applied by
presidio-anonymizer's engine and operators (`smcheck.fix.text`).
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Literal

from smcheck.extract.names import FamilyName, NameIndex, NameMention, name_parts
from smcheck.extract.normalize import Folded
from smcheck.findings import Finding, Severity
from smcheck.lexicon import models_dir, words
from smcheck.roster import Release, Student

Action = Literal["first-name", "neutral", "surname", "hidden-characters", "sentence"]


@dataclass(frozen=True, kw_only=True)
class TextEdit:
    """Replace original characters [start, end) with `new`."""

    start: int
    end: int
    new: str
    action: Action
    rule: str  # the finding this edit answers ("" for hidden characters)
    student_ids: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class NameDecision:
    """What becomes of one name mention, and which finding that answers."""

    mention: NameMention
    action: Literal["first-name", "neutral"]
    rule: str
    students: tuple[Student, ...]
    note: str = ""


@cache
def wording() -> dict[str, object]:
    with (models_dir() / "fix.toml").open("rb") as fh:
        return tomllib.load(fh)


def _phrase(key: str, n: int = 1) -> str:
    neutral = wording()["neutral"]
    assert isinstance(neutral, dict)
    numbers = neutral["numbers"]
    count = numbers[n] if n < len(numbers) else str(n)
    return str(neutral[key]).format(n=count)


@cache
def _opener_pattern() -> re.Pattern[str]:
    vocative = wording()["vocative"]
    assert isinstance(vocative, dict)
    items = sorted((str(w) for w in vocative["openers"]), key=len, reverse=True)
    alternation = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in items)
    return re.compile(rf"(?:^|(?<=[^\w]))(?:{alternation})[\s,]*$", re.I)


# ---- which mentions change, and how ---------------------------------------------------


class _Open:
    """The findings a fix answers: not accepted (an accepted finding is info), by rule
    and student, or by rule and words for a finding about no one student."""

    def __init__(self, findings: Sequence[Finding]) -> None:
        self.by_student: set[tuple[str, str]] = set()
        self.by_words: set[tuple[str, str]] = set()
        # Places a person accepted: an acceptance covers its place, not the student's
        # other mentions (smcheck/accept.py), and a fix leaves exactly those.
        self.accepted = {(f.rule, p.start, p.end) for f in findings
                         if f.severity <= Severity.INFO and f.source == "text" for p in f.spans}
        for f in findings:
            if f.severity <= Severity.INFO or f.source != "text":
                continue
            if f.student_id is not None:
                self.by_student.add((f.rule, f.student_id))
            if f.span is not None:
                self.by_words.add((f.rule, f.span.text.casefold()))

    def __call__(self, rule: str, m: NameMention, students: Sequence[Student]) -> bool:
        if (rule, m.span.start, m.span.end) in self.accepted:
            return False
        return any((rule, s.id) in self.by_student for s in students) or \
            (rule, m.span.text.casefold()) in self.by_words


def decide(mentions: Sequence[NameMention], findings: Sequence[Finding],
           release: Callable[[Student], Release]) -> list[NameDecision]:
    """Each mention a fix must change. A safety-flagged student (N104), or one whose
    release does not allow names (N101/N102, an ambiguous name among them), gets a
    neutral phrase; a released student's full name (N101) is cut to the first name."""
    is_open = _Open(findings)
    out: list[NameDecision] = []
    for m in mentions:
        flagged = tuple(s for s in m.students if s.safety_flag)
        if flagged:
            if is_open("N104", m, flagged):
                out.append(NameDecision(mention=m, action="neutral", rule="N104", students=flagged))
            continue
        restricted = tuple(s for s in m.students if not release(s).names_allowed)
        if m.kind == "full":
            if is_open("N101", m, m.students):
                out.append(NameDecision(mention=m, action="neutral" if restricted else "first-name",
                                     rule="N101", students=restricted or m.students))
            continue
        if not restricted:
            continue
        # A first name of a student whose full name is also in the post answers N101.
        rule = "N102" if is_open("N102", m, restricted) else \
            "N101" if is_open("N101", m, restricted) else ""
        if rule:
            note = "" if len(m.students) == 1 else (
                f"the name is shared by {len(m.students)} students on the roster, and one "
                "may not be named: replaced; put it back if it meant a student with a release")
            out.append(NameDecision(mention=m, action="neutral", rule=rule, students=restricted,
                                 note=note))
    return out


# ---- the words around a name -----------------------------------------------------------

_APOSTROPHES = "'\u2019"
_BULLETS = "*\u2022>-\u2013\u2014"
_OPENING = " \t\"\u201c\u2018'(" + _BULLETS  # quotes and bullets before a word
# Between two names of a list: ", ", " and ", ", and ", " & ".
_LIST_GAP = re.compile(r"\s*,\s*(?:(?:and|&)\s+)?|\s+(?:and|&)\s+", re.I)
_HASHTAG_RUN = re.compile(r"(?:\s|#\w+|@\w+(?:\.\w+)*|[^\w\s])*")


def _line(text: str, pos: int) -> tuple[int, int]:
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return start, len(text) if end < 0 else end


def _wrapped(text: str, line_start: int) -> bool:
    """Does the line starting here continue the sentence of the line before (a draft
    wrapped by hand), rather than start a list item, a paragraph or a sentence?"""
    if line_start == 0:
        return False
    rest = text[line_start:].lstrip(" \t")
    if rest[:1] in _BULLETS or (rest and _symbol(rest[0])) or re.match(r"\d+[.)]\s", rest):
        return False  # a list item, an emoji for a bullet
    before = text[:line_start - 1].rstrip(" \t\r")
    if not before or before.endswith("\n"):
        return False  # a blank line: a new paragraph
    if re.search(r"(?:^|\s)#\w+$", before):
        return False  # a line of hashtags ends what it tags
    return before[-1].isalnum() or before[-1] in ",;:&(\u2013\u2014-"


def _sentence_line(text: str, pos: int) -> tuple[int, int]:
    """The line around `pos`, widened over lines it wraps onto and from."""
    start, end = _line(text, pos)
    while _wrapped(text, start):
        start = _line(text, start - 1)[0]
    while end < len(text) and _wrapped(text, end + 1):
        end = _line(text, end + 1)[1]
    return start, end


def _symbol(ch: str) -> bool:
    """An emoji or a symbol ("✅", "🏆"), or what builds one (a variation
    selector, a joiner, a skin tone): a mark before a sentence, not a word of it."""
    return unicodedata.category(ch) in ("So", "Sk", "Mn", "Cf")


def starts_sentence(text: str, pos: int) -> bool:
    """Would a word at `pos` open a sentence (a line that does not continue the one
    before, or after . ! ?), past quotes, bullets and emoji?"""
    j = pos - 1
    while j >= 0 and (text[j] in _OPENING or _symbol(text[j])):
        j -= 1
    if j < 0 or text[j] in ".!?":
        return True
    if text[j] in "\n\r":
        return not _wrapped(text, _line(text, pos)[0])
    return False


def _possessive(text: str, start: int, end: int) -> tuple[str, int]:
    """The possessive ending of a name ("'s", or "'" after an s) and where it ends."""
    raw = text[start:end]
    if len(raw) > 2 and raw[-2] in _APOSTROPHES and raw[-1] in "sS":
        return raw[-2:], end
    # "Williams' poem", "Ramirez' dog": an apostrophe alone after a sibilant.
    if raw[-1:] in "sSzZxX" and text[end:end + 1] in tuple(_APOSTROPHES) and \
            not text[end + 1:end + 2].isalnum():
        return text[end], end + 1
    return "", end


def _hashtag(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The hashtag ("#HopeWilliams", "#GoHope") or handle ("@hope.williams") a name is
    written in, if any: where its # or @ is, and where it ends."""
    h = start
    while h > 0 and (text[h - 1].isalnum() or text[h - 1] in "_."):
        h -= 1
    while h < start and text[h] == ".":
        h += 1
    if h == 0 or text[h - 1] not in "#@":
        return None
    h -= 1
    if text[h] == "@" and h > 0 and (text[h - 1].isalnum() or text[h - 1] in "_."):
        return None  # an email address, not a handle
    e = end
    while e < len(text) and (text[e].isalnum() or text[e] in "_" + _APOSTROPHES or (
            text[h] == "@" and text[e] == "." and text[e + 1:e + 2].isalnum())):
        e += 1
    return h, e


def _in_tag_run(text: str, start: int, end: int, more_than_a_name: bool = False) -> bool:
    """A hashtag among tags ("Great day! #HopeWilliams #proud"), not a word of a
    sentence ("So proud of #HopeWilliams!"). A tag that is more than the name ("#GoHope")
    is never a word of the sentence when only tags follow it."""
    ls, le = _line(text, start)
    before, after = text[ls:start], text[end:le]
    if not _HASHTAG_RUN.fullmatch(after):
        return False
    if more_than_a_name:
        return True
    tail = before.rstrip()
    return bool(_HASHTAG_RUN.fullmatch(before)) or tail[-1:] in ".!?" or \
        bool(re.search(r"#\w+$", tail))


def hashtag_in_run(text: str, start: int, end: int) -> bool:
    """Is the name at [start, end) written in a hashtag or handle among tags, one a fix
    drops alone (see `_single_edit`)?"""
    tag = _hashtag(text, start, end)
    if tag is None:
        return False
    return _in_tag_run(text, *tag, more_than_a_name=(tag[0] + 1, tag[1]) != (start, end))


def _drop_with_space(text: str, start: int, end: int) -> tuple[int, int]:
    """[start, end) widened by the spaces on one side, so no double space is left."""
    s = start
    while s > 0 and text[s - 1] in " \t":
        s -= 1
    if s < start and s > 0 and text[s - 1] != "\n":
        return s, end
    e = end
    while e < len(text) and text[e] in " \t":
        e += 1
    return start, e


def _capital(phrase: str, at_start: bool, shout: bool) -> str:
    if shout:
        return phrase.upper()
    return phrase[:1].upper() + phrase[1:] if at_start else phrase


def _shouting(text: str, start: int, end: int) -> bool:
    """Is the name written in capitals in a line written in capitals ("GO JAYLEN!")?
    "JJ" in an ordinary sentence is only a short name."""
    ls, le = _line(text, start)
    for part in (text[start:end], text[ls:start] + text[end:le]):
        letters = [c for c in part if c.isalpha()]
        if len(letters) < 2 or not all(c.isupper() for c in letters):
            return False
    return True


# ---- first names -----------------------------------------------------------------------


def _prefix_end(raw: str, name: str) -> int | None:
    """Where `name` ends at the start of `raw`, comparing folded letters only (case,
    accents, spaces, hyphens aside), at a word or camel-case boundary."""
    folded = Folded.of(raw)
    target = [c for c in Folded.of(name).text if c.isalnum()]
    i = k = 0
    while k < len(target):
        if i >= len(folded.text):
            return None
        c = folded.text[i]
        if not c.isalnum():
            i += 1
            continue
        if c != target[k]:
            return None
        i += 1
        k += 1
    end = folded.index[i - 1] + 1
    nxt = raw[end:end + 1]
    if nxt.isalnum() and not (nxt.isupper() and raw[end - 1].islower()):
        return None  # "Avalon" is not "Ava"
    return end


def _first_name(raw: str, student: Student) -> str | None:
    ends = [e for n in student.first_names() if (e := _prefix_end(raw, n)) is not None]
    return raw[:max(ends)] if ends else None


def _shared_first_name(first: str, student: Student, index: NameIndex,
                       release: Callable[[Student], Release]) -> bool:
    """Would the first name alone point at a student who may not be named?"""
    others = index.first.get(name_parts(first), ())
    return any(o.id != student.id and (o.safety_flag or not release(o).names_allowed)
               for o in others)


# ---- putting it together ---------------------------------------------------------------


@dataclass
class _Item:
    """One mention in text order, with the span it will replace."""

    mention: NameMention
    decision: NameDecision | None
    start: int
    end: int  # past a possessive apostrophe outside the span
    poss: str


def name_edits(text: str, mentions: Sequence[NameMention], findings: Sequence[Finding],
               release: Callable[[Student], Release], index: NameIndex,
               families: Sequence[FamilyName] = ()) -> list[TextEdit]:
    """The edits that answer the post's N101/N102/N104 findings. `families`: the phrases
    that name a student's family by surname (spans in `text`), which make a first name
    elsewhere a full name: the surname goes from them."""
    decisions = {id(d.mention): d for d in decide(mentions, findings, release)}
    if not decisions:
        return []
    items: list[_Item] = []
    for m in sorted(mentions, key=lambda m: m.span.start):
        d = decisions.get(id(m))
        start, end = m.span.start, m.span.end
        if d is not None and d.action == "neutral" and m.kind == "initial" and \
                text[end - 1:end] == "." and _period_ends_sentence(text, end):
            end -= 1  # "Great job, Leo R." keeps its full stop
        poss, end = _possessive(text, start, end)
        items.append(_Item(mention=m, decision=d, start=start, end=end, poss=poss))
    items = _whole_names(text, items)
    neutral_ids = {tuple(s.id for s in d.students) for d in decisions.values()
                   if d.action == "neutral"}
    introduced: set[tuple[str, ...]] = set()
    edits: list[TextEdit] = []
    for group in _groups(text, items):
        decided = [i for i in group if i.decision is not None]
        if not decided:
            continue
        neutral = [i for i in group if i.decision is not None
                   and i.decision.action == "neutral"]
        if len(group) > 1 and neutral:
            edits.append(_group_edit(text, group, neutral, release, index))
            continue
        for item in decided:
            assert item.decision is not None
            key = tuple(s.id for s in item.decision.students)
            edit, phrased = _single_edit(text, item, item.decision,
                                         _which(key, introduced, len(neutral_ids)), release,
                                         index)
            edits.append(edit)
            if phrased:  # a dropped name or tag introduced no one to refer back to
                introduced.add(key)
    # A first name whose surname is only in "the Okoye family" is already as short as
    # it gets: what changes is the family's phrase.
    edits = [e for e in edits if text[e.start:e.end] != e.new]
    return edits + _family_edits(text, families, decisions.values(), edits)


def _family_edits(text: str, families: Sequence[FamilyName],
                  decisions: Iterable[NameDecision], taken: Sequence[TextEdit]) -> list[TextEdit]:
    """The surname out of each family phrase of a student whose first name, with that
    surname, made a full name: "the Okoye family" -> "the family", "the Okoyes" -> "the
    family", "Marcus's family, the Okoyes, are" -> "Marcus's family are"."""
    rule_of = {s.id: d.rule for d in decisions if d.mention.via == "family"
               for s in d.students}
    out: list[TextEdit] = []
    for f in families:
        rule = rule_of.get(f.student.id)
        if rule is None or any(e.start < f.span.end and f.span.start < e.end for e in taken):
            continue
        start, end, new = _family_phrase(text, f)
        out.append(TextEdit(start=start, end=end, new=new, action="surname", rule=rule,
                            student_ids=(f.student.id,),
                            note="the family's surname, which made the first name a full name"))
    return out


def _family_phrase(text: str, f: FamilyName) -> tuple[int, int, str]:
    """What replaces a family phrase: [start, end) and the new words."""
    at_start = starts_sentence(text, f.span.start)
    shout = _shouting(text, f.span.start, f.span.end)
    if f.form == "family":  # "the Okoye family": the surname and its space go
        rest = text[f.surname.end:f.span.end].lstrip()
        return f.surname.start, f.span.end, _capital(rest, f.surname.start == f.span.start
                                                     and at_start, shout)
    if f.form == "plural" and re.search(r"\w,\s*$", text[:f.span.start]) and \
            text[f.span.end:f.span.end + 1] == "," and \
            _family_word_before(text, f.span.start):
        # An apposition ("Marcus's family, the Okoyes, are"): said already; it goes.
        comma = text.rindex(",", 0, f.span.start)
        return comma, f.span.end + 1, ""
    return f.span.start, f.span.end, _capital(_phrase("family"), at_start, shout)


def _family_word_before(text: str, pos: int) -> bool:
    """Is the word before the comma ahead of `pos` a family word ("family", "household")?"""
    m = re.search(r"(\w+),\s*$", text[:pos])
    return m is not None and m.group(1).casefold() in _family_words()


@cache
def _family_words() -> frozenset[str]:
    return frozenset(w.casefold() for w in words("family_words"))


# After a first name: a nickname in quotes or brackets ("Jaylen “JJ”", "Jaylen (JJ)"),
# then perhaps a word that may be the surname.
_NICKNAME = re.compile(r"[ \t]+([\"\u201c\u2018'(])"
                       r"([^\"\u201d\u2019')\n]{1,40}?)([\"\u201d\u2019')])")
_NEXT_WORD = re.compile(r"[ \t]+([^\W\d_][\w'\u2019\u2010\u2011-]*)")


def _whole_names(text: str, items: list[_Item]) -> list[_Item]:
    """A name written with a nickname between its parts ("Jaylen “JJ” Brooks", "Leo
    (Lion) Ramirez") is one name to replace: the nickname in quotes or brackets, and the
    surname after it, go with a mention that is replaced by a phrase, so no part of the
    name is left behind."""
    out: list[_Item] = []
    skip_to = -1
    for item in items:
        if item.start < skip_to:
            continue  # inside a name already taken whole
        d = item.decision
        if d is None or d.action != "neutral" or item.poss:
            out.append(item)
            continue
        nick = _NICKNAME.match(text, item.end)
        if nick is None or (nick.group(1) == "(") != (nick.group(3) == ")"):
            out.append(item)
            continue
        end = nick.end()
        word = _NEXT_WORD.match(text, end)
        surname = False
        if word is not None:
            bare = word.group(1)
            if bare[-2:-1] in _APOSTROPHES and bare[-1:] in "sS":
                bare = bare[:-2]
            parts = name_parts(bare)
            surname = any(parts == name_parts(s.last_name) for s in d.students)
            if surname:
                end = word.start(1) + len(bare)
        ids = {s.id for s in d.students}
        inside = [o for o in items if nick.start(2) <= o.start and o.end <= nick.end(2)]
        if not surname and not any(ids & {s.id for s in o.mention.students} for o in inside):
            out.append(item)  # a quoted word that is not this student's name
            continue
        poss, end = _possessive(text, item.start, end)
        out.append(_Item(mention=item.mention, decision=d, start=item.start, end=end,
                         poss=poss))
        skip_to = end
    return out


def _which(key: tuple[str, ...], introduced: set[tuple[str, ...]], students: int) -> str:
    """ "a student" first, "another student" for a second one, "the student" again when
    the post only has the one."""
    if key in introduced:
        return "again" if students == 1 else "one"
    return "other_one" if introduced else "one"


def _period_ends_sentence(text: str, end: int) -> bool:
    rest = text[end:]
    stripped = rest.lstrip(" \t")
    return not stripped or stripped[0] in "\r\n" or (rest[:1] in " \t" and stripped[0].isupper())


def _groups(text: str, items: list[_Item]) -> list[list[_Item]]:
    """Mentions joined as a list ("Leo, Hope and Ava") are one group."""
    groups: list[list[_Item]] = []
    for item in items:
        if groups and _LIST_GAP.fullmatch(text[groups[-1][-1].end:item.start]) and \
                not groups[-1][-1].poss:
            groups[-1].append(item)
        else:
            groups.append([item])
    return groups


def _kept_text(text: str, item: _Item, release: Callable[[Student], Release],
               index: NameIndex) -> str:
    """A group member that stays, without its possessive ending."""
    if item.decision is None:
        return text[item.start:item.end - len(item.poss)]
    return _cut(text, item, item.decision, release, index, possessive=False)


def _cut(text: str, item: _Item, d: NameDecision, release: Callable[[Student], Release],
         index: NameIndex, possessive: bool = True, handle: bool = False) -> str:
    """A released student's full name as its first name, possessive kept; "Ava T." when
    "Ava" alone would also be a student who may not be named."""
    student = d.students[0]
    raw = text[item.start:item.end - len(item.poss)]
    poss = item.poss if possessive else ""
    first = _first_name(raw, student)
    if handle and first is not None and first.islower():
        first = first[:1].upper() + first[1:]  # "@maya.thompson" -> "Maya", a name again
    if first is None:  # no first name to keep (cannot happen for a roster full name)
        return _with_possessive(_capital(_phrase("one"), starts_sentence(text, item.start),
                                         _shouting(text, item.start, item.end)), poss)
    if _shared_first_name(first, student, index, release):
        initial = student.last_name[:1].upper()
        in_tag = not handle and _hashtag(text, item.start, item.end) is not None
        full_stop = "" if in_tag or text[item.end:item.end + 1] == "." else "."
        first += initial if in_tag else f" {initial}{full_stop}"
    return _with_possessive(first, poss)


def _with_possessive(word: str, poss: str, plural: bool = False) -> str:
    """"a student" + "'s"; "two students" + "'"; the post's own apostrophe and case."""
    if not poss:
        return word
    apostrophe = poss[0]
    if plural:
        return word + apostrophe
    s = "S" if word.isupper() else "s"
    return word + apostrophe + ("" if len(poss) == 1 and word.endswith(("s", "S")) else s)


def _group_edit(text: str, group: list[_Item], neutral: list[_Item],
                release: Callable[[Student], Release], index: NameIndex) -> TextEdit:
    start, end = group[0].start, group[-1].end
    poss = group[-1].poss
    kept = []
    for item in group:
        if item in neutral:
            continue
        kept.append(_kept_text(text, item, release, index))  # the possessive goes last
    n = len(neutral)
    if kept:
        phrase = _phrase("other_one") if n == 1 else _phrase("other_many", n)
        parts = [*kept, phrase]
        new = ", ".join(parts[:-1]) + " and " + parts[-1]
    else:
        phrase = _phrase("one") if n == 1 else _phrase("many", n)
        new = _capital(phrase, starts_sentence(text, start), _shouting(text, start, end))
    new = _with_possessive(new, poss, plural=n > 1)
    rules = {i.decision.rule for i in neutral if i.decision}
    rule = "N104" if "N104" in rules else min(rules)  # the gravest: a flagged student
    ids = tuple(s.id for i in group if i.decision for s in i.decision.students)
    return TextEdit(start=start, end=end, new=new, action="neutral", rule=rule,
                    student_ids=ids, note="a list of names made one phrase")


def _single_edit(text: str, item: _Item, d: NameDecision, again: str,
                 release: Callable[[Student], Release],
                 index: NameIndex) -> tuple[TextEdit, bool]:
    """The edit for one mention, and whether it wrote a neutral phrase in its place."""
    ids = tuple(s.id for s in d.students)

    def edit(start: int, end: int, new: str, note: str = d.note) -> TextEdit:
        return TextEdit(start=start, end=end, new=new, action=d.action, rule=d.rule,
                        student_ids=ids, note=note)

    if d.action == "first-name":
        tag = _hashtag(text, item.start, item.end)
        if tag is not None and text[tag[0]] == "@":
            # A handle cut to a first name would be another account's: the name, no @.
            return edit(tag[0], tag[1], _cut(text, item, d, release, index, handle=True)), \
                False
        return edit(item.start, item.end, _cut(text, item, d, release, index)), False
    tag = _hashtag(text, item.start, item.end)
    if tag is not None:
        more = (tag[0] + 1, tag[1]) != (item.start, item.end)
        if _in_tag_run(text, *tag, more_than_a_name=more):
            return edit(*_drop_with_space(text, *tag), "", d.note or "hashtag removed"), False
        item = _Item(mention=item.mention, decision=d, start=tag[0], end=tag[1],
                     poss=_possessive(text, tag[0], tag[1])[0])
    vocative = _vocative(text, item)
    if vocative is not None:
        return edit(*vocative, d.note or "name dropped where the student was addressed"), \
            False
    phrase = _phrase(again)
    new = _capital(phrase, starts_sentence(text, item.start),
                   _shouting(text, item.start, item.end))
    return edit(item.start, item.end, _with_possessive(new, item.poss)), True


def _vocative(text: str, item: _Item) -> tuple[int, int, str] | None:
    """A name the post addresses someone by, at the end of a sentence ("Great job, Leo!",
    "Congrats Leo!") or at its start ("Leo, you did it!"): the edit that drops it."""
    if item.poss:
        return None
    ls, le = _sentence_line(text, item.start)
    before, after = text[ls:item.start], text[item.end:le]
    clause_end = re.match(r"[^\w]*?(?:[.!?]|$)", after)
    if clause_end is not None and not re.search(r"\w", clause_end.group()):
        comma = re.search(r"\s*,\s*$", before)
        if comma and before[:comma.start()].strip():
            return ls + comma.start(), item.end, ""
        opener = _opener_pattern().search(before)
        if opener and before.strip():
            s = item.start
            while s > ls and text[s - 1] in " \t,":
                s -= 1
            return s, item.end, ""
    if starts_sentence(text, item.start):
        m = re.match(r"[ \t]*,\s*(\w)", after)
        if m:
            return item.start, item.end + m.end(), m.group(1).upper()
    return None
