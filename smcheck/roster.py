"""The roster (SPEC section 3): a CSV, or an Excel .xlsx / OpenDocument .ods sheet read
as rows of cells the same way (smcheck.documents); header aliases, encodings, consent
levels.

The roster is the primary source of student names: NER is weak on first names,
so every name check starts from here.
"""

from __future__ import annotations

import csv
import io
import json
import re
import tomllib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import Enum
from functools import cache, cached_property
from pathlib import Path

from smcheck.documents import refuse_roster, sheet_rows
from smcheck.errors import InputError
from smcheck.lexicon import models_dir
from smcheck.textfile import decode, read_regular


class Release(Enum):
    FULL = "full"
    PHOTO_ONLY = "photo only"
    NAME_ONLY = "name only"
    NONE = "none"

    @property
    def names_allowed(self) -> bool:
        return self in (Release.FULL, Release.NAME_ONLY)

    @property
    def photos_allowed(self) -> bool:
        return self in (Release.FULL, Release.PHOTO_ONLY)


    @classmethod
    def of(cls, names: bool, photos: bool) -> Release:
        return {(True, True): cls.FULL, (False, True): cls.PHOTO_ONLY,
                (True, False): cls.NAME_ONLY, (False, False): cls.NONE}[(names, photos)]

    def __and__(self, other: Release) -> Release:
        """What both allow: a general release and a channel's, say."""
        return Release.of(self.names_allowed and other.names_allowed,
                          self.photos_allowed and other.photos_allowed)


CHANNELS = ("web", "social", "print")

# Columns any of whose spellings a roster may use; several may hold a safety flag.
COLUMNS = (
    "student_id", "first_name", "last_name", "name", "preferred_name", "grade",
    "media_release", "media_opt_out", "photo_release", "photo_opt_out", "name_release",
    "name_opt_out", "web_release", "social_release", "print_release", "release_expires",
    "safety_flag", "safety_alert", "photo",
)
CONSENT = ("media_release", "media_opt_out", "photo_release", "photo_opt_out", "name_release",
           "name_opt_out")
# Several columns may say these: any of them flags, or restricts.
_MANY = ("safety_flag", "safety_alert", "media_opt_out", "photo_opt_out", "name_opt_out")
IGNORE = "ignore"  # [roster.columns] "Some Header" = "ignore"


def header_key(header: str) -> str:
    """Headers compare without case, spaces or punctuation ("#" reads as "number")."""
    folded = unicodedata.normalize("NFKC", header).strip().casefold().replace("#", "number")
    return re.sub(r"[^0-9a-z]+", "", folded)


def _cell_key(value: str) -> str:
    return " ".join(value.casefold().split())


@cache
def _knowledge() -> tuple[dict[str, str], dict[str, frozenset[str]]]:
    """models/roster.toml: header spellings per column, and the value words."""
    with (models_dir() / "roster.toml").open("rb") as fh:
        data = tomllib.load(fh)
    aliases = {header_key(a): col for col, spellings in data["columns"].items()
               for a in spellings}
    values = {k: frozenset(_cell_key(v) for v in words) for k, words in data["values"].items()}
    return aliases, values


def _words(name: str) -> frozenset[str]:
    return _knowledge()[1][name]


def _first_word(value: str) -> str:
    m = re.match(r"[a-z0-9]+", value)
    return m.group(0) if m else value


def consent_level(value: str) -> Release | None:
    """A consent cell as a level; None when it is no known way of saying one."""
    v = _cell_key(value)
    for level, key in ((Release.FULL, "full"), (Release.PHOTO_ONLY, "photo_only"),
                       (Release.NAME_ONLY, "name_only"), (Release.NONE, "none")):
        if v in _words(key):
            return level
    word = _first_word(v)  # "Yes, Directory Release Permitted", "No Photos"
    if word in _words("full") and word != v:
        return Release.FULL
    if word in _words("none") and word != v:
        return Release.NONE
    return None


@dataclass(frozen=True, kw_only=True)
class Student:
    id: str
    first_name: str
    last_name: str
    preferred_name: str | None
    grade: str | None
    release: Release  # as written in the roster
    release_expires: date | None
    safety_flag: bool
    photos: tuple[Path, ...]
    line: int
    # Per-channel consent (web, social, print), where the roster has those columns.
    channels: tuple[tuple[str, Release], ...] = ()

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def effective_release(self, today: date, channel: str | None = None) -> Release:
        """After the expiry date a release counts as none (SPEC section 3). A run for a
        channel also needs that channel's consent, where the roster records one."""
        if self.release_expires is not None and today > self.release_expires:
            return Release.NONE
        if channel is not None:
            for name, release in self.channels:
                if name == channel:
                    return self.release & release
        return self.release

    def first_names(self) -> tuple[str, ...]:
        names = [self.first_name]
        if self.preferred_name and self.preferred_name.casefold() != self.first_name.casefold():
            names.append(self.preferred_name)
        return tuple(names)


@dataclass(frozen=True)
class Roster:
    path: Path | None
    students: tuple[Student, ...]
    # Which header each column was read from, and the headers nothing read.
    columns: tuple[tuple[str, str], ...] = ()
    ignored: tuple[str, ...] = ()

    @cached_property
    def _by_id(self) -> dict[str, Student]:
        return {s.id: s for s in self.students}

    def by_id(self, student_id: str) -> Student | None:
        # Asked for every face's every distance: a scan would grow with roster size squared.
        return self._by_id.get(student_id)

    def __len__(self) -> int:
        return len(self.students)


EMPTY_ROSTER = Roster(None, ())


# Report-style exports open with a title or a date line; the header is within these.
HEADER_SEARCH_LINES = 10


def _header_index(lines: list[str], fmt: RosterFormat) -> int:
    """Which line is the header: the first (of the first few) naming a student id and a
    name column; else the first line that is not blank (its error then says what is
    missing)."""
    aliases, _ = _knowledge()
    mapped = {header_key(h): col for h, col in fmt.columns}
    first = next((i for i, t in enumerate(lines) if t.strip()), 0)
    for i, text in enumerate(lines[:HEADER_SEARCH_LINES]):
        if not text.strip():
            continue
        cells = next(csv.reader([text], delimiter=_sniff_delimiter(text)), [])
        found = {mapped.get(header_key(c)) or aliases.get(header_key(c)) for c in cells}
        if "student_id" in found and found & {"name", "first_name", "last_name"}:
            return i
    return first


def _sniff_delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


# An SIS writes dates its own way: 2027-06-30, or the US 6/30/2027, with a time after
# it in some exports ("6/30/2027 12:00:00 AM").
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[ T].*)?")
_US_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})(?: .*)?")


def _parse_date(value: str, file: str, line: int, column: str) -> date:
    value = value.strip()
    try:
        if m := _ISO_DATE.fullmatch(value):
            return date(int(m[1]), int(m[2]), int(m[3]))
        if m := _US_DATE.fullmatch(value):
            return date(int(m[3]), int(m[1]), int(m[2]))
    except ValueError:
        pass
    raise InputError(file, "not a date (use YYYY-MM-DD, or M/D/YYYY as US exports "
                     "write it)", line=line, column=column)


def _clean_name(value: str) -> str:
    return unicodedata.normalize("NFC", " ".join(value.split()))


@dataclass(frozen=True, kw_only=True)
class RosterFormat:
    """How to read a district's export: [roster] in smcheck.toml."""

    # Header as exported -> a column of COLUMNS, or "ignore".
    columns: tuple[tuple[str, str], ...] = ()
    # What an empty consent cell means: "none" (SPEC section 3), unless the district's
    # form says a blank is permission (Synergy's Directory Information Release).
    blank_release: Release = Release.NONE


DEFAULT_FORMAT = RosterFormat()


def load_roster(path: Path, *, check_photos: bool = True,
                fmt: RosterFormat = DEFAULT_FORMAT) -> Roster:
    """Read and validate a roster. Every problem is an InputError naming line and column.

    Line numbers are the file's: a quoted cell with a line break in it counts its lines.
    """
    file = str(path)
    data = read_regular(path, file, what="roster file")
    sheet = sheet_rows(data, file, path.suffix.lower())
    if sheet is not None:  # an Excel or OpenDocument workbook: its first sheet
        return _from_rows(path, _from_header(sheet, fmt, file), fmt, check_photos)
    refuse_roster(data, file)
    text = decode(data, file, what="a CSV roster")
    if not text.strip():
        raise InputError(file, "roster is empty")
    lines = text.splitlines(keepends=True)
    skip = _header_index(lines, fmt)
    body = "".join(lines[skip:]) if skip else text
    reader = csv.reader(io.StringIO(body, newline=""), delimiter=_sniff_delimiter(lines[skip]))
    rows: list[tuple[int, list[str]]] = []
    line = skip + 1
    try:
        for row in reader:
            rows.append((line, row))
            line = skip + reader.line_num + 1  # the next row starts after this one's last
    except csv.Error as exc:
        raise InputError(file, f"malformed CSV: {exc}", line=skip + reader.line_num) from None
    return _from_rows(path, rows, fmt, check_photos)


def _from_header(rows: list[tuple[int, list[str]]], fmt: RosterFormat,
                 file: str) -> list[tuple[int, list[str]]]:
    """A sheet's rows from its header on: as in a CSV, the first of the first few rows
    naming a student id and a name column, else the first row that is not empty."""
    aliases, _ = _knowledge()
    mapped = {header_key(h): col for h, col in fmt.columns}
    filled = [i for i, (_, cells) in enumerate(rows) if any(c.strip() for c in cells)]
    if not filled:
        raise InputError(file, "roster is empty (its first sheet has no cells)")
    for i in filled[:HEADER_SEARCH_LINES]:
        found = {mapped.get(header_key(c)) or aliases.get(header_key(c)) for c in rows[i][1]}
        if "student_id" in found and found & {"name", "first_name", "last_name"}:
            return rows[i:]
    return rows[filled[0]:]


def _from_rows(path: Path, rows: list[tuple[int, list[str]]], fmt: RosterFormat,
               check_photos: bool) -> Roster:
    """The roster from its rows (line or sheet row number, cells), header first."""
    file = str(path)
    header_line, header = rows[0]
    columns, ignored = _columns(header, fmt, file, header_line)
    missing = [c for c in ("student_id",) if c not in columns]
    if "name" not in columns:
        missing += [c for c in ("first_name", "last_name") if c not in columns]
    if not any(c in columns for c in CONSENT):
        missing.append("media_release")
    if missing:
        # The example names a header of this export that was not understood: the one
        # most likely to need the mapping (an opt-out under a district's own name).
        example = f'"{ignored[0] if ignored else "Your Header"}" = "{missing[0]}"'
        if missing[0] == "media_release":
            example += ' (a level or yes/no), or = "media_opt_out" (a mark means opted out)'
        raise InputError(
            file, f"missing required column(s): {', '.join(missing)} (not understood: "
            f"{', '.join(ignored) or 'none'}); map your export's headers in smcheck.toml "
            f"under [roster.columns], e.g. {example}", line=header_line)
    students: list[Student] = []
    seen: dict[str, int] = {}
    for line_no, row in rows[1:]:
        if not any(cell.strip() for cell in row):
            continue
        students.append(_Row(row, line_no, columns, header, path, fmt).student(seen, check_photos))
    if not students:  # an export that failed half-way: every student would be unknown
        raise InputError(file, "no students: a header and no rows", line=header_line)
    named = tuple((col, ", ".join(header[i] for i in idx)) for col, idx in columns.items())
    return Roster(path, tuple(students), columns=named, ignored=ignored)


def _columns(header: list[str], fmt: RosterFormat, file: str,
             line: int = 1) -> tuple[dict[str, list[int]], tuple[str, ...]]:
    """Which columns hold what: the config's mapping first, then the built-in aliases."""
    aliases, _ = _knowledge()
    mapped = {header_key(h): col for h, col in fmt.columns}
    columns: dict[str, list[int]] = {}
    ignored: list[str] = []
    for index, name in enumerate(header):
        key = header_key(name)
        canonical = mapped.get(key) or aliases.get(key)
        if canonical is None or canonical == IGNORE:
            ignored.append(name)  # homeroom, notes...: allowed, and listed by `roster check`
            continue
        if canonical in columns and canonical not in _MANY:
            first = header[columns[canonical][0]]
            raise InputError(
                file, f"two columns mean {canonical}: {first!r} and {name!r} (say which in "
                f"smcheck.toml: [roster.columns] {json.dumps(name)} = \"ignore\")",
                line=line, column=name)
        columns.setdefault(canonical, []).append(index)
    return columns, tuple(ignored)


class _Row:
    """One student's row: its cells by column, with errors naming line and column.

    Errors never repeat a cell: in a row shifted by a missing comma, the consent column
    holds a student's name."""

    def __init__(self, row: list[str], line: int, columns: dict[str, list[int]],
                 header: list[str], path: Path, fmt: RosterFormat) -> None:
        self.row, self.line, self.columns, self.header = row, line, columns, header
        self.path, self.file, self.fmt = path, str(path), fmt

    def cells(self, col: str) -> list[tuple[str, str]]:
        """(header, value) of each column `col` was read from."""
        return [(self.header[i], self.row[i].strip() if i < len(self.row) else "")
                for i in self.columns.get(col, ())]

    def cell(self, col: str) -> str:
        found = self.cells(col)
        return found[0][1] if found else ""

    def colname(self, col: str) -> str:
        return self.header[self.columns[col][0]]

    def error(self, col: str, problem: str) -> InputError:
        return InputError(self.file, problem, line=self.line, column=self.colname(col))

    def level(self, col: str) -> Release:
        raw = self.cell(col)
        if not raw and self.fmt.blank_release is not Release.NONE:
            return self.fmt.blank_release
        level = consent_level(raw)
        if level is None:
            raise self.error(col, f"unknown {col} value (use full, photo only, name "
                                  "only or none; yes or no)")
        return level

    def restricts(self, col: str) -> bool:
        """Opt-out cells: does any of them restrict?"""
        out = False
        for header, raw in self.cells(col):
            v = _cell_key(raw)
            if v in _words("restrict") or _first_word(v) in _words("restrict"):
                out = True
            elif not (v in _words("unrestricted") or _first_word(v) in _words("unrestricted")):
                raise InputError(self.file, "not a yes/no value for an opt-out "
                                 "column (yes or x: opted out; no or blank: not)",
                                 line=self.line, column=header)
        return out

    def release(self) -> Release:
        """Every consent column the roster has, the strictest reading of all. What no
        column speaks of is allowed only where the roster records consent by opt-outs
        alone (a blank opt-out is no objection); an opt-in roster needs a yes."""
        cols = set(self.columns)
        opt_in_only_default = not ({"media_release", "photo_release", "name_release"} & cols)
        names = photos = True
        if "media_release" in cols:
            level = self.level("media_release")
            names, photos = level.names_allowed, level.photos_allowed
        elif "media_opt_out" not in cols:
            if not {"name_release", "name_opt_out"} & cols:
                names = opt_in_only_default
            if not {"photo_release", "photo_opt_out"} & cols:
                photos = opt_in_only_default
        if "media_opt_out" in cols and self.restricts("media_opt_out"):
            names = photos = False
        if "photo_release" in cols:
            photos = photos and self.level("photo_release").photos_allowed
        if "photo_opt_out" in cols and self.restricts("photo_opt_out"):
            photos = False
        if "name_release" in cols:
            names = names and self.level("name_release").names_allowed
        if "name_opt_out" in cols and self.restricts("name_opt_out"):
            names = False
        return Release.of(names, photos)

    def safety(self) -> bool:
        for header, value in self.cells("safety_flag"):
            v = _cell_key(value)
            if v in _words("flag_yes"):
                return True
            if v not in _words("flag_no"):
                raise InputError(self.file, "not a yes/no value (use yes, true, "
                                 "1 or x)", line=self.line, column=header)
        # An alert's wording may name a parent: it is read, never repeated.
        return any(_cell_key(value) not in _words("no_alert")
                   for _, value in self.cells("safety_alert"))

    def names(self) -> tuple[str, str]:
        first, last = self.cell("first_name"), self.cell("last_name")
        if "first_name" in self.columns and "last_name" in self.columns:
            for col, value in (("first_name", first), ("last_name", last)):
                if not value:
                    raise self.error(col, f"{col} is empty")
            return first, last
        combined = " ".join(self.cell("name").split())
        if not combined:
            raise self.error("name", "name is empty")
        if "," in combined:  # "Last, First Middle"
            last, _, given = combined.partition(",")
            words = given.split()
            first = first or (words[0] if words else "")
            parts = last.split()
            while len(parts) > 1 and parts[-1].casefold() in _words("suffixes"):
                parts.pop()
            last = " ".join(parts)
        else:  # "First Last"
            words = combined.split()
            first, last = (first or " ".join(words[:-1]), words[-1]) if len(words) > 1 \
                else ("", "")
        if not first or not last:
            raise self.error("name", "name is not \"Last, First\" (nor \"First Last\")")
        return first, last

    def student(self, seen: dict[str, int], check_photos: bool) -> Student:
        sid = self.cell("student_id")
        if not sid:
            raise self.error("student_id", "student_id is empty")
        if sid in seen:
            raise self.error("student_id",
                             f"duplicate student_id {sid!r} (first on line {seen[sid]})")
        seen[sid] = self.line
        first, last = self.names()
        release = self.release()
        expires = None
        if self.cell("release_expires"):
            expires = _parse_date(self.cell("release_expires"), self.file, self.line,
                                  self.colname("release_expires"))
        channels = tuple((channel, self.level(f"{channel}_release")) for channel in CHANNELS
                         if f"{channel}_release" in self.columns)
        photos: list[Path] = []
        parts = [p.strip() for p in self.cell("photo").split(";") if p.strip()]
        for k, part in enumerate(parts, start=1):
            photo = (self.path.parent / part).resolve()
            if check_photos and not photo.is_file():
                # Counted, not named: photo files are often named after the student.
                raise self.error("photo", f"reference photo {k} of {len(parts)} not found")
            photos.append(photo)
        return Student(
            id=sid,
            first_name=_clean_name(first),
            last_name=_clean_name(last),
            preferred_name=_clean_name(self.cell("preferred_name")) or None,
            grade=self.cell("grade") or None,
            release=release,
            release_expires=expires,
            safety_flag=self.safety(),
            photos=tuple(photos),
            line=self.line,
            channels=channels,
        )


def summarize(roster: Roster, today: date) -> dict[str, object]:
    """Counts for `smcheck roster check`: nothing that names a student."""
    by_release: dict[str, int] = {r.value: 0 for r in Release}
    expired = 0
    for s in roster.students:
        by_release[s.effective_release(today).value] += 1
        if s.release_expires is not None and today > s.release_expires:
            expired += 1
    out: dict[str, object] = {
        "students": len(roster),
        "columns": dict(roster.columns),
        "ignored_columns": list(roster.ignored),
        "by_release": by_release,
        "safety_flagged": sum(s.safety_flag for s in roster.students),
        "expired_releases": expired,
        "with_photos": sum(bool(s.photos) for s in roster.students),
        "without_photos": sum(not s.photos for s in roster.students),
    }
    channels = [c for c in CHANNELS if f"{c}_release" in dict(roster.columns)]
    if channels:
        by_channel: dict[str, dict[str, int]] = {}
        for channel in channels:
            counts = {r.value: 0 for r in Release}
            for s in roster.students:
                counts[s.effective_release(today, channel).value] += 1
            by_channel[channel] = counts
        out["by_channel"] = by_channel
    return out


def students_sorted(students: Iterable[Student]) -> list[Student]:
    return sorted(students, key=lambda s: (s.last_name.casefold(), s.first_name.casefold()))
