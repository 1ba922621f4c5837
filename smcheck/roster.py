"""The roster CSV (SPEC section 3): header aliases, encodings, consent levels.

The roster is the primary source of student names: NER is weak on first names,
so every name check starts from here.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import Enum
from functools import cached_property
from pathlib import Path

from smcheck.errors import InputError
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


_RELEASE_VALUES: dict[str, Release] = {
    **dict.fromkeys(("full", "yes", "y", "true", "1", "all", "name and photo"), Release.FULL),
    **dict.fromkeys(("photo", "photo only", "image only"), Release.PHOTO_ONLY),
    **dict.fromkeys(("name", "name only"), Release.NAME_ONLY),
    **dict.fromkeys(
        ("none", "no", "n", "false", "0", "opt out", "opt-out", "restricted", ""), Release.NONE
    ),
}

_TRUE = {"yes", "y", "true", "1", "x"}
_FALSE = {"no", "n", "false", "0", ""}

# Canonical column -> accepted header spellings, compared after _header_key().
_COLUMNS: dict[str, tuple[str, ...]] = {
    "student_id": ("student_id", "id", "student number", "studentid"),
    "first_name": ("first_name", "first", "given name"),
    "last_name": ("last_name", "last", "surname", "family name"),
    "preferred_name": ("preferred_name", "nickname", "goes by"),
    "grade": ("grade", "grade level"),
    "media_release": ("media_release", "release", "photo release", "media consent"),
    "release_expires": ("release_expires", "consent expires", "expires"),
    "safety_flag": ("safety_flag", "custody flag", "safety concern", "do not publish"),
    "photo": ("photo", "photos", "reference photo"),
}
_REQUIRED = ("student_id", "first_name", "last_name", "media_release")


def _header_key(header: str) -> str:
    return re.sub(r"[\s_\-]+", "", header.strip().casefold())


_ALIASES = {_header_key(a): col for col, aliases in _COLUMNS.items() for a in aliases}


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

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def effective_release(self, today: date) -> Release:
        """After the expiry date a release counts as none (SPEC section 3)."""
        if self.release_expires is not None and today > self.release_expires:
            return Release.NONE
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

    @cached_property
    def _by_id(self) -> dict[str, Student]:
        return {s.id: s for s in self.students}

    def by_id(self, student_id: str) -> Student | None:
        # Asked for every face's every distance: a scan would grow with roster size squared.
        return self._by_id.get(student_id)

    def __len__(self) -> int:
        return len(self.students)


EMPTY_ROSTER = Roster(None, ())


def _sniff_delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _parse_date(value: str, file: str, line: int, column: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InputError(
            file, f"{value!r} is not a date (use YYYY-MM-DD)", line=line, column=column
        ) from None


def _parse_flag(value: str, file: str, line: int, column: str) -> bool:
    v = value.strip().casefold()
    if v in _TRUE:
        return True
    if v in _FALSE:
        return False
    raise InputError(
        file, f"{value!r} is not a yes/no value (use yes, true, 1 or x)", line=line, column=column
    )


def _clean_name(value: str) -> str:
    return unicodedata.normalize("NFC", " ".join(value.split()))


def load_roster(path: Path, *, check_photos: bool = True) -> Roster:
    """Read and validate a roster. Every problem is an InputError naming line and column."""
    file = str(path)
    data = read_regular(path, file, what="roster file")
    text = decode(data, file, what="a CSV roster")
    if not text.strip():
        raise InputError(file, "roster is empty")
    first_line = text.splitlines()[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_sniff_delimiter(first_line))
    try:
        rows = list(reader)
    except csv.Error as exc:
        raise InputError(file, f"malformed CSV: {exc}", line=reader.line_num) from None
    header = rows[0]
    columns: dict[str, int] = {}
    for index, name in enumerate(header):
        canonical = _ALIASES.get(_header_key(name))
        if canonical is None:
            continue  # extra columns (homeroom, notes...) are allowed and ignored
        if canonical in columns:
            raise InputError(
                file, f"two columns mean {canonical}: {header[columns[canonical]]!r} and {name!r}",
                line=1, column=name,
            )
        columns[canonical] = index
    missing = [c for c in _REQUIRED if c not in columns]
    if missing:
        raise InputError(
            file, f"missing required column(s): {', '.join(missing)} (header: {', '.join(header)})",
            line=1,
        )
    students: list[Student] = []
    seen: dict[str, int] = {}
    for line_no, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        students.append(_parse_row(row, line_no, columns, header, path, seen, check_photos))
    return Roster(path, tuple(students))


def _parse_row(
    row: list[str],
    line: int,
    columns: dict[str, int],
    header: list[str],
    path: Path,
    seen: dict[str, int],
    check_photos: bool,
) -> Student:
    file = str(path)

    def cell(col: str) -> str:
        i = columns.get(col)
        return row[i].strip() if i is not None and i < len(row) else ""

    def colname(col: str) -> str:
        return header[columns[col]]

    sid = cell("student_id")
    if not sid:
        raise InputError(file, "student_id is empty", line=line, column=colname("student_id"))
    if sid in seen:
        raise InputError(
            file, f"duplicate student_id {sid!r} (first on line {seen[sid]})",
            line=line, column=colname("student_id"),
        )
    seen[sid] = line
    for col in ("first_name", "last_name"):
        if not cell(col):
            raise InputError(file, f"{col} is empty", line=line, column=colname(col))
    raw_release = cell("media_release")
    release = _RELEASE_VALUES.get(" ".join(raw_release.casefold().split()))
    if release is None:
        raise InputError(
            file,
            f"unknown media_release value {raw_release!r} "
            "(use full, photo only, name only or none)",
            line=line, column=colname("media_release"),
        )
    expires = None
    if cell("release_expires"):
        expires = _parse_date(cell("release_expires"), file, line, colname("release_expires"))
    flag = False
    if "safety_flag" in columns:
        flag = _parse_flag(cell("safety_flag"), file, line, colname("safety_flag"))
    photos: list[Path] = []
    for part in filter(None, (p.strip() for p in cell("photo").split(";"))):
        photo = (path.parent / part).resolve()
        if check_photos and not photo.is_file():
            raise InputError(
                file, f"reference photo {part!r} not found", line=line, column=colname("photo")
            )
        photos.append(photo)
    return Student(
        id=sid,
        first_name=_clean_name(cell("first_name")),
        last_name=_clean_name(cell("last_name")),
        preferred_name=_clean_name(cell("preferred_name")) or None,
        grade=cell("grade") or None,
        release=release,
        release_expires=expires,
        safety_flag=flag,
        photos=tuple(photos),
        line=line,
    )


def summarize(roster: Roster, today: date) -> dict[str, object]:
    """Counts for `smcheck roster check`: nothing that names a student."""
    by_release: dict[str, int] = {r.value: 0 for r in Release}
    expired = 0
    for s in roster.students:
        by_release[s.effective_release(today).value] += 1
        if s.release_expires is not None and today > s.release_expires:
            expired += 1
    return {
        "students": len(roster),
        "by_release": by_release,
        "safety_flagged": sum(s.safety_flag for s in roster.students),
        "expired_releases": expired,
        "with_photos": sum(bool(s.photos) for s in roster.students),
        "without_photos": sum(not s.photos for s in roster.students),
    }


def students_sorted(students: Iterable[Student]) -> list[Student]:
    return sorted(students, key=lambda s: (s.last_name.casefold(), s.first_name.casefold()))
