"""The roster CSV: aliases, encodings, delimiters, releases, expiry, flags, errors."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from smcheck.errors import InputError
from smcheck.roster import Release, load_roster, summarize


def write(tmp_path: Path, text: str, encoding: str = "utf-8", name: str = "r.csv") -> Path:
    p = tmp_path / name
    p.write_bytes(text.encode(encoding))
    return p


BASIC = "student_id,first_name,last_name,media_release\nS1,Ava,Thompson,full\n"


def test_reads_basic(tmp_path: Path) -> None:
    [s] = load_roster(write(tmp_path, BASIC)).students
    assert (s.id, s.first_name, s.last_name, s.release) == ("S1", "Ava", "Thompson", Release.FULL)


@pytest.mark.parametrize("header", [
    "ID,First,Last,Release",
    "Student Number,Given Name,Surname,Photo Release",
    "studentid,FIRST_NAME,family-name,Media Consent",
    " Student_ID , first name , Last Name , media release ",
    "student.studentNumber,student.firstName,student.lastName,Media Release",  # IC ad hoc
])
def test_header_aliases(tmp_path: Path, header: str) -> None:
    [s] = load_roster(write(tmp_path, header + "\nS1,Ava,Thompson,full\n")).students
    assert s.first_name == "Ava" and s.release is Release.FULL


@pytest.mark.parametrize(("delimiter"), [",", ";", "\t"])
def test_delimiters(tmp_path: Path, delimiter: str) -> None:
    text = BASIC.replace(",", delimiter)
    assert len(load_roster(write(tmp_path, text))) == 1


def test_utf8_bom(tmp_path: Path) -> None:
    p = tmp_path / "r.csv"
    p.write_bytes(b"\xef\xbb\xbf" + "student_id,first_name,last_name,media_release\n"
                  "S1,Sofía,Hernández,none\n".encode())
    [s] = load_roster(p).students
    assert s.first_name == "Sofía" and s.id == "S1"


def test_windows_1252(tmp_path: Path) -> None:
    text = "student_id;first_name;last_name;media_release\nS1;José;Muñoz;none\n"
    [s] = load_roster(write(tmp_path, text, "cp1252")).students
    assert (s.first_name, s.last_name) == ("José", "Muñoz")


@pytest.mark.parametrize(("value", "release"), [
    ("Full", Release.FULL), (" yes ", Release.FULL), ("Name and Photo", Release.FULL),
    ("photo only", Release.PHOTO_ONLY), ("IMAGE ONLY", Release.PHOTO_ONLY),
    ("name", Release.NAME_ONLY), ("Name Only", Release.NAME_ONLY),
    ("opt-out", Release.NONE), ("restricted", Release.NONE), ("", Release.NONE),
    ("0", Release.NONE), ("n", Release.NONE),
])
def test_release_values(tmp_path: Path, value: str, release: Release) -> None:
    [s] = load_roster(write(tmp_path, BASIC.replace(",full", f",{value}"))).students
    assert s.release is release


def test_expiry_and_flag(tmp_path: Path) -> None:
    text = ("student_id,first_name,last_name,media_release,release_expires,safety_flag\n"
            "S1,Ava,Thompson,full,2026-06-30,x\nS2,Leo,Ramirez,full,,no\n")
    a, b = load_roster(write(tmp_path, text)).students
    assert a.effective_release(date(2026, 6, 30)) is Release.FULL
    assert a.effective_release(date(2026, 7, 1)) is Release.NONE
    assert a.safety_flag and not b.safety_flag


def test_photos_relative_to_roster(tmp_path: Path) -> None:
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "a.jpg").write_bytes(b"x")
    (tmp_path / "photos" / "b.jpg").write_bytes(b"x")
    text = "student_id,first_name,last_name,media_release,photo\nS1,Ava,T,full,photos/a.jpg; photos/b.jpg\n"
    [s] = load_roster(write(tmp_path, text)).students
    assert [p.name for p in s.photos] == ["a.jpg", "b.jpg"]


@pytest.mark.parametrize(("text", "expected"), [
    ("student_id,first_name,media_release\nS1,Ava,full\n", "r.csv:1: missing required column(s): last_name"),
    (BASIC + "S1,Leo,Ramirez,full\n", "r.csv:3 (column student_id): duplicate student_id 'S1' (first on line 2)"),
    (BASIC.replace(",full", ",maybe"), "r.csv:2 (column media_release): unknown media_release value (use"),
    ("student_id,first_name,last_name,media_release,release_expires\nS1,A,B,full,June 5\n",
     "r.csv:2 (column release_expires): not a date (use YYYY-MM-DD"),
    ("student_id,first_name,last_name,media_release,safety_flag\nS1,A,B,full,maybe\n",
     "r.csv:2 (column safety_flag): not a yes/no value (use yes"),
    ("student_id,first_name,last_name,media_release\nS1,,B,full\n", "r.csv:2 (column first_name): first_name is empty"),
    ("student_id,first_name,last_name,media_release,photo\nS1,A,B,full,nope.jpg\n",
     "r.csv:2 (column photo): reference photo 1 of 1 not found"),
    ("", "r.csv: roster is empty"),
    ("student_id,first_name,last_name,media_release\n", "r.csv:1: no students: a header and"),
    ("Media list, fall\n\nstudent_id,first_name,last_name,media_release\nS1,,B,full\n",
     "r.csv:4 (column first_name): first_name is empty"),  # lines count the title
    ("student_id,first_name,last_name,media_release,release_expires\nS1,A,B,full,13/30/2026\n",
     "r.csv:2 (column release_expires): not a date (use YYYY-MM-DD, or M/D/YYYY"),
])
def test_errors_name_file_line_and_column(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(InputError) as err:
        load_roster(write(tmp_path, text))
    assert str(err.value).replace(str(tmp_path) + "/", "").startswith(expected)


@pytest.mark.parametrize(("text", "line"), [
    ("\n\nstudent_id,first_name,last_name,media_release\nS1,Ava,B,full\n", 4),
    ("Student Media Release Report\nPrinted 11/01/2026 8:02 AM\n"
     "Student Number,Student Name,Photo/Video Opt Out\n1,\"Thompson, Ava\",N\n", 4),
    ("Roster;fall\nID;First;Last;Release\nS1;Ava;B;full\n", 3),  # the header's delimiter
])
def test_a_title_above_the_header(tmp_path: Path, text: str, line: int) -> None:
    """Report-style exports open with a title or a printed-on line."""
    [s] = load_roster(write(tmp_path, text)).students
    assert (s.first_name, s.release, s.line) == ("Ava", Release.FULL, line)


@pytest.mark.parametrize("value", ["2027-06-30", "6/30/2027", "06/30/2027",
                                   "6/30/2027 12:00:00 AM", "2027-06-30 00:00:00"])
def test_release_expires_as_exports_write_it(tmp_path: Path, value: str) -> None:
    [s] = load_roster(write(tmp_path, "student_id,first_name,last_name,media_release,"
                                      f"release_expires\nS1,A,B,full,{value}\n")).students
    assert s.release_expires == date(2027, 6, 30)


def test_missing_and_binary(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        load_roster(tmp_path / "nope.csv")
    p = tmp_path / "b.csv"
    p.write_bytes(b"\x00\x01\x02PNG")
    with pytest.raises(InputError, match="binary"):
        load_roster(p)


def test_roster_is_not_modified(tmp_path: Path) -> None:
    p = write(tmp_path, BASIC)
    before = (p.read_bytes(), p.stat().st_mtime_ns)
    load_roster(p)
    assert (p.read_bytes(), p.stat().st_mtime_ns) == before


def test_summary_names_nobody(tmp_path: Path) -> None:
    text = ("student_id,first_name,last_name,media_release,release_expires,safety_flag\n"
            "S1,Ava,Thompson,full,2020-01-01,yes\nS2,Leo,Ramirez,photo only,,\n")
    summary = summarize(load_roster(write(tmp_path, text)), date(2026, 1, 1))
    assert summary["by_release"] == {"full": 0, "photo only": 1, "name only": 0, "none": 1}
    assert summary["safety_flagged"] == 1 and summary["expired_releases"] == 1
    assert "Ava" not in repr(summary) and "Thompson" not in repr(summary)
