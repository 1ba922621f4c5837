"""One canonical text for every check, and folded text for name matching, each with a map
back to the characters the teacher wrote.

Word and copy-paste insert characters nobody sees: a soft hyphen inside "Jay\u00adlen", a
zero-width space inside an email, a Cyrillic "\u0430" in "M\u0430ya". Any of them would turn
a match into a silent miss, so before anything looks at a post its text is made
canonical (SPEC section 2): format characters dropped, NFKC, look-alike letters
folded (models/homoglyphs.toml), words hyphenated across a line break joined,
typographic apostrophes and quotes made plain. Every extractor and rule works on
that text; a finding's span is mapped back to the original characters only when it
is reported, so it still points at what gets published.

A name can also be disguised on purpose, and what counts is what a reader sees
(issue 18): letters in regional-indicator, negative-enclosed, parenthesized or small
capital form (models/letterforms.toml) are read as the letters they show; text under a
right-to-left override is read in the order it is displayed; and, given the names a run
knows (`NameWords`), letters spaced or dotted apart ("B i r g i t t a") and digits or
signs for letters ("B1rg1tta", "M@ya") are read as the name they spell, only when they
spell one, so "U.S.A.", "A B C D", "1st" and "K9" stay as written.
"""

from __future__ import annotations

import re
import string
import tomllib
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from functools import cache
from itertools import product
from typing import Any, Protocol

from smcheck.lexicon import models_dir

# Typographic marks with a plain equivalent, one character for one.
_PLAIN = {"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "\u00b4": "'",
          "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2033": '"',
          "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2212": "-"}

# "Jay-\nlen": a word split over two lines. Before a lower-case letter the hyphen is
# the break's ("Jay-len" -> "Jaylen"); before a capital it is the name's ("Mary-Kate").
_LINE_BREAK_HYPHEN = re.compile(r"(?<=[^\W\d_])-[ \t]*\r?\n[ \t]*(?=[^\W\d_])")


@cache
def homoglyphs() -> dict[str, str]:
    """Cyrillic, Greek and other letters that look like Latin ones (models/homoglyphs.toml)."""
    with (models_dir() / "homoglyphs.toml").open("rb") as fh:
        data = tomllib.load(fh)
    table: dict[str, str] = {}
    for latin, lookalikes in data["latin"].items():
        for ch in lookalikes:
            table[ch] = latin
    return table


@dataclass(frozen=True)
class LetterForms:
    """models/letterforms.toml: letters in other forms, by the Latin letter they show."""

    letters: dict[str, str]  # a character -> its letter (kept in the case given)
    one_case: frozenset[str]  # characters with no case of their own (🇧, 🅑, ʙ)
    regional: frozenset[str]  # regional indicators: letters only when not flags
    flags: frozenset[str]  # pairs of regional-indicator letters shown as a flag ("US")
    signs: dict[str, tuple[str, ...]]  # "1" -> ("i", "l"): what a digit or sign may stand for


@cache
def letterforms() -> LetterForms:
    with (models_dir() / "letterforms.toml").open("rb") as fh:
        data: dict[str, Any] = tomllib.load(fh)
    letters: dict[str, str] = {}
    one_case: set[str] = set()
    for first, letter in data["runs"].items():
        for k in range(26):
            ch = chr(int(first, 16) + k)
            letters[ch] = chr(ord(letter) + k)
            if letter.isupper() and not unicodedata.name(ch, "").startswith("PARENTHESIZED"):
                one_case.add(ch)
    for letter, ch in data["small_capitals"].items():
        letters[ch] = letter
        one_case.add(ch)
    regional = frozenset(chr(0x1F1E6 + k) for k in range(26))
    signs = {k: tuple(v) for k, v in data["digits_for_letters"].items()}
    return LetterForms(letters, frozenset(one_case), regional,
                       frozenset(data["flags"]["regions"]), signs)


class NameWords(Protocol):
    """What a run knows of names (the roster's, and common ones): is this casefolded
    word one? Asked only of a disguise's reading."""

    def is_name(self, word: str) -> bool: ...


_RLO, _PDF = "\u202e", "\u202c"
_PUSH = {"\u202a", "\u202b", "\u202d", "\u202e"}  # embeddings and overrides, closed by PDF
# Letters spaced, dotted, hyphenated or slashed apart: "B i r g i t t a", "B.i.r.g.i.t.t.a".
_SPACED = re.compile(r"(?<![^\W_])[^\W\d_](?P<sep>[ ./\-_*\u00b7\u2022])[^\W\d_]"
                     r"(?:(?P=sep)[^\W\d_])+(?![^\W_])")
# A word with digits or signs among its letters: "B1rg1tta", "M@ya", "Th0mps0n". It starts
# with a letter ("1st", "4th", "@maya" are not disguises), and a "!" ends it ("Maya!").
_SIGNED = re.compile(r"(?<![\w@$|!+])[A-Za-z][A-Za-z0-9@$|!+]*[A-Za-z0-9@$|+](?![\w@$|+])")
_SIGNED_CHARS = frozenset(string.ascii_letters + string.digits + "@$|!+")
_MAX_READINGS = 16  # "1" is "i" or "l": readings of one word, tried in turn
_LONGEST_NAME = 40  # letters: a longer run or word is not read as a name (and costs nothing)


def _is_latin(ch: str) -> bool:
    return ch.isascii() or unicodedata.name(ch, "").startswith("LATIN")


@dataclass(frozen=True)
class Canonical:
    """A post's canonical text and, for each of its characters, the original characters
    it came from: [starts[i], ends[i])."""

    original: str
    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    @property
    def identical(self) -> bool:
        return self.text == self.original

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Original [start, end) of canonical [start, end)."""
        if self.identical:
            return start, end
        n = len(self.text)
        if end <= start:
            pos = self.starts[start] if start < n else len(self.original)
            return pos, pos
        return self.starts[start], self.ends[min(end, n) - 1]

    def canonical_pos(self, original_pos: int) -> int:
        """The canonical position of an original one (the next kept character)."""
        if self.identical:
            return original_pos
        return bisect_right(self.ends, original_pos)


def canonical(original: str, names: NameWords | None = None) -> Canonical:
    if original.isascii() and "-\n" not in original and "-\r\n" not in original \
            and "`" not in original and not (names is not None and _may_disguise(original)):
        return Canonical(original, original, (), ())  # most posts: nothing to do
    # 1. Which original characters survive, and what each cluster becomes.
    drop: set[int] = set()
    keep_hyphen: set[int] = set()
    for m in _LINE_BREAK_HYPHEN.finditer(original):
        after = original[m.end()]
        drop.update(range(m.start(), m.end()))
        if after.isupper():
            keep_hyphen.add(m.start())
    if original.isascii() and not drop:  # a disguise in plain letters: one for one
        chars = [_PLAIN.get(c, c) for c in original]
        return _finish(original, chars, list(range(len(original))),
                       list(range(1, len(original) + 1)), names)
    forms = _letter_forms(original, names)
    out = _Out([], [], [], [])
    _clusters(original, 0, len(original), drop - keep_hyphen, forms, out)
    chars = out.chars
    # Letters with one form only take a word's capital: "🇧🇮🇷🇬..." reads "Birg...".
    for k in out.one_case:
        first = k == 0 or not chars[k - 1].isalpha()
        chars[k] = chars[k].upper() if first else chars[k].lower()
    return _finish(original, chars, out.starts, out.ends, names)


# A word with a letter beyond ASCII: where a look-alike may be.
_NON_ASCII_WORD = re.compile(r"[^\W\d_]*[^\W\d_\x00-\x7f][^\W\d_]*")


def _finish(original: str, chars: list[str], starts: list[int], ends: list[int],
            names: NameWords | None) -> Canonical:
    # 2. Look-alike letters, word by word: folded only in a word whose every non-Latin
    # letter has a Latin twin ("M\u0430ya"), so real Cyrillic or Greek words stay.
    table = homoglyphs()
    text = "".join(chars)
    for m in _NON_ASCII_WORD.finditer("" if text.isascii() else text):
        word = m.group()
        foreign = [c for c in word if not _is_latin(c)]
        if foreign and all(c in table for c in foreign) and any(c in table for c in word):
            for k, c in enumerate(word, start=m.start()):
                if c in table:
                    chars[k] = table[c]
    # 3. Names spelled in disguise: letters spaced apart, digits and signs for letters.
    if names is not None:
        chars, starts, ends = _undisguise(chars, starts, ends, names)
    return Canonical(original, "".join(chars), tuple(starts), tuple(ends))


@dataclass(frozen=True)
class _Out:
    """Canonical characters as they are made: each with the original [start, end) it
    came from; which are letters of a one-case form."""

    chars: list[str]
    starts: list[int]
    ends: list[int]
    one_case: list[int]


_ASCII_RUN = re.compile(r"[\x00-\x7f]+")
_PLAIN_ASCII = str.maketrans({k: v for k, v in _PLAIN.items() if k.isascii()})


def _clusters(original: str, lo: int, hi: int, drop: set[int],
              forms: dict[int, tuple[str, bool]], out: _Out, nested: bool = False) -> None:
    """original[lo:hi] as canonical characters, added to `out`."""
    drops = sorted(d for d in drop if lo <= d < hi) if drop else []
    chars, starts, ends = out.chars, out.starts, out.ends
    i = lo
    while i < hi:
        ch = original[i]
        if ch < "\x80" and i not in drop:
            # A run of plain ASCII: one for one, no NFKC needed (up to a dropped hyphen,
            # and short of a base letter that combining marks follow).
            j = _ASCII_RUN.match(original, i, hi).end()  # type: ignore[union-attr]
            k = bisect_right(drops, i)
            if k < len(drops) and drops[k] < j:
                j = drops[k]
            if j < hi and unicodedata.combining(original[j]):
                j -= 1
            if j > i:
                chars.extend(original[i:j].translate(_PLAIN_ASCII))
                starts.extend(range(i, j))
                ends.extend(range(i + 1, j + 1))
                i = j
                continue
        if i in drop:
            i += 1
            continue
        if ch == _RLO and not nested:
            # A right-to-left override shows its letters in reverse: "\u202eattigriB\u202c"
            # displays "Birgitta". Read as displayed; each letter points at the whole run.
            # (An override inside it changes nothing more: dropped, read once.)
            end = _override_end(original, i + 1, hi)
            stop = end + 1 if end < hi and original[end] == _PDF else end
            seg = original[i + 1:end]
            k = bisect_right(drops, i)
            if seg.isascii() and not (k < len(drops) and drops[k] < end):
                n = len(seg)  # most overrides: plain letters, read backwards
                chars.extend(reversed(seg.translate(_PLAIN_ASCII)))
                starts.extend([i] * n)
                ends.extend([stop] * n)
                i = stop
                continue
            inner = _Out([], [], [], [])
            _clusters(original, i + 1, end, drop, forms, inner, nested=True)
            at = len(chars)
            n = len(inner.chars)
            chars.extend(reversed(inner.chars))
            starts.extend([i] * n)
            ends.extend([stop] * n)
            out.one_case.extend(at + n - 1 - k for k in reversed(inner.one_case))
            i = stop
            continue
        if unicodedata.category(ch) == "Cf":
            i += 1  # soft hyphen, zero-width space/joiner, word joiner, BOM, bidi marks
            continue
        if i in forms:
            letter, one = forms[i]
            if one:
                out.one_case.append(len(chars))
            chars.append(letter)
            starts.append(i)
            ends.append(i + 1)
            i += 1
            continue
        # A base character and the combining marks after it normalise together.
        j = i + 1
        while j < hi and unicodedata.combining(original[j]) and j not in drop:
            j += 1
        for c in unicodedata.normalize("NFKC", original[i:j]):
            chars.append(_PLAIN.get(c, c))
            starts.append(i)
            ends.append(j)
        i = j


_BIDI_STOP = re.compile("[\u202a\u202b\u202c\u202d\u202e\n\r\u2029]")


def _override_end(original: str, start: int, hi: int) -> int:
    """Where an override opened before `start` ends: its PDF, or the end of its line."""
    depth = 0
    for m in _BIDI_STOP.finditer(original, start, hi):
        ch = m.group()
        if ch in "\n\r\u2029":
            return m.start()
        if ch != _PDF:
            depth += 1
        elif depth == 0:
            return m.start()
        else:
            depth -= 1
    return hi


def _letter_forms(original: str, names: NameWords | None) -> dict[int, tuple[str, bool]]:
    """Original positions of letters in another form: their letter, and whether the form
    has one case only. A run of regional indicators that is all flags ("\U0001f1fa
    \U0001f1f8") stays flags, unless its letters spell a name."""
    forms = letterforms()
    out: dict[int, tuple[str, bool]] = {}
    for m in _form_pattern().finditer(original):
        run = m.group()
        if run[0] in forms.regional:
            letters = "".join(forms.letters[c] for c in run)
            pairs = [letters[k:k + 2] for k in range(0, len(letters), 2)]
            flags = len(letters) % 2 == 0 and all(p in forms.flags for p in pairs)
            if flags and not (names is not None and names.is_name(letters.casefold())):
                continue
        for k, c in enumerate(run, start=m.start()):
            out[k] = (forms.letters[c], c in forms.one_case)
    return out


@cache
def _form_pattern() -> re.Pattern[str]:
    """Runs of regional indicators, and any other letter form, one at a time."""
    forms = letterforms()
    # As ranges of code points: a class of single astral characters is slow to scan.
    points = sorted(ord(c) for c in set(forms.letters) - forms.regional)
    ranges: list[list[int]] = []
    for p in points:
        if ranges and p == ranges[-1][1] + 1:
            ranges[-1][1] = p
        else:
            ranges.append([p, p])
    others = "".join(re.escape(chr(a)) + ("-" + re.escape(chr(b)) if b > a else "")
                     for a, b in ranges)
    return re.compile(f"[\U0001f1e6-\U0001f1ff]+|[{others}]")


# A letter, then a digit or sign ("B1", "M@", "i!t"): where a word with signs for letters
# may be ("Maya!" is not one).
_SIGN_AFTER_LETTER = re.compile(r"[A-Za-z](?:[0-9@$|+]|![A-Za-z])")


def _may_disguise(text: str) -> bool:
    """Could this plain-ASCII text hold a name in disguise (cheap test, most posts fail)?"""
    return bool(_SIGN_AFTER_LETTER.search(text) or _SPACED.search(text))


def _undisguise(chars: list[str], starts: list[int], ends: list[int],
                names: NameWords) -> tuple[list[str], list[int], list[int]]:
    """Spaced letters joined, digits and signs read as letters, where a name results."""
    text = "".join(chars)
    gone: set[int] = set()
    for m in _SPACED.finditer(text):
        letters = [k for k in range(m.start(), m.end(), 2)]
        split = _name_split("".join(text[k] for k in letters).casefold(), names)
        if split is None:
            continue
        for k in range(m.start() + 1, m.end(), 2):
            gone.add(k)
        if split:  # two names: the separator before the second stays, as a space
            at = letters[split] - 1
            gone.discard(at)
            chars[at] = " "
    signs = letterforms().signs
    done = -1
    for hint in _SIGN_AFTER_LETTER.finditer(text):
        # Back to the start of the word the sign is in: not past a word read already,
        # nor further than a name is long.
        at, floor = hint.start(), max(done, hint.start() - _LONGEST_NAME)
        while at > floor and text[at - 1] in _SIGNED_CHARS:
            at -= 1
        if at > 0 and text[at - 1] in _SIGNED_CHARS:
            continue
        signed = _SIGNED.match(text, at)
        if signed is None:
            continue
        done = signed.end()
        word = signed.group()
        if len(word) > _LONGEST_NAME or not any(c in signs for c in word[1:]) or \
                sum(c.isdigit() for c in word) > \
                sum(c.isalpha() for c in word) or re.search(r"\d{3}", word):
            continue  # "K9", "S2037", a code: not a word with letters swapped out
        reading = _signed_reading(word, names)
        if reading is not None:
            chars[signed.start():signed.end()] = list(reading)
    if not gone:
        return chars, starts, ends
    keep = [k for k in range(len(chars)) if k not in gone]
    return [chars[k] for k in keep], [starts[k] for k in keep], [ends[k] for k in keep]


def _name_split(word: str, names: NameWords) -> int | None:
    """Spaced letters that spell a name: 0 for one name, or the index of the letter that
    starts a second ("mayathompson" -> 4); None if they spell none."""
    if not 3 <= len(word) <= _LONGEST_NAME:
        return None
    if names.is_name(word):
        return 0
    for k in range(2, len(word) - 1):
        if names.is_name(word[:k]) and names.is_name(word[k:]):
            return k
    return None


def _signed_reading(word: str, names: NameWords) -> str | None:
    """"B1rg1tta" -> "Birgitta" when that is a name; None when no reading is."""
    signs = letterforms().signs
    options = [signs.get(c, (c,)) if k else (c,) for k, c in enumerate(word)]
    shouting = all(c.isupper() for c in word if c.isalpha())
    for n, letters in enumerate(product(*options)):
        if n >= _MAX_READINGS:
            break
        reading = "".join(letters)
        if len(reading) >= 3 and reading.isalpha() and names.is_name(reading.casefold()):
            return "".join(r.upper() if shouting and r != c else r
                           for r, c in zip(reading, word, strict=True))
    return None


# ---- folding for name matching -------------------------------------------------------


def fold(text: str) -> str:
    return Folded.of(text).text


@dataclass(frozen=True)
class Folded:
    """Accent- and case-folded text: "Sofia Hernandez" must find Sofía Hernández."""

    text: str
    index: tuple[int, ...]  # folded position -> original position; one extra at the end

    @classmethod
    def of(cls, original: str) -> Folded:
        out: list[str] = []
        index: list[int] = []
        for i, ch in enumerate(original):
            ch = _PLAIN.get(ch, ch)
            for part in unicodedata.normalize("NFKD", ch):
                if unicodedata.combining(part):
                    continue
                for c in part.casefold():
                    out.append(c)
                    index.append(i)
        index.append(len(original))
        return cls("".join(out), tuple(index))

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Original [start, end) for folded [start, end)."""
        if end <= start:
            return self.index[start], self.index[start]
        return self.index[start], self.index[end - 1] + 1


# A word: letters/digits joined by inner apostrophes ("o'brien", "amara's").
WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
