"""Rosters as student information systems export them: PowerSchool, Infinite Campus,
Skyward and Synergy (tests/data/sis, fictional students), [roster.columns], combined
names, yes/no and opt-out columns, consent per channel, and `roster check`."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from smcheck.cli import app
from smcheck.config import load_config_file
from smcheck.errors import InputError
from smcheck.roster import Release, RosterFormat, load_roster
from tests.conftest import DATA, ROOT

SIS = DATA / "sis"
TODAY = date(2026, 11, 20)


def run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, list(args))


def check_json(*args: str) -> dict[str, object]:
    r = run("roster", "check", *args, "--skip-photos", "--format", "json")
    assert r.exit_code == 0, r.output
    return dict(json.loads(r.stdout))


# (arguments of `roster check`, students, releases, safety-flagged, ignored columns)
VENDORS = [
    ((str(SIS / "powerschool.txt"),), 5, {"full": 3, "photo only": 0, "name only": 0, "none": 2},
     1, ["Home_Room", "Alert_GuardianExpires"]),
    (("-c", str(SIS / "infinite_campus.toml")), 4,
     {"full": 3, "photo only": 0, "name only": 0, "none": 1}, 1, ["Teacher"]),
    ((str(SIS / "skyward.csv"),), 4, {"full": 2, "photo only": 0, "name only": 0, "none": 2},
     1, ["Homeroom"]),
    (("-c", str(SIS / "synergy.toml")), 4,
     {"full": 3, "photo only": 0, "name only": 0, "none": 1}, 1, []),
]


@pytest.mark.parametrize(("args", "students", "releases", "flagged", "ignored"), VENDORS,
                         ids=["powerschool", "infinite-campus", "skyward", "synergy"])
def test_each_vendor_export_imports(args: tuple[str, ...], students: int,
                                    releases: dict[str, int], flagged: int,
                                    ignored: list[str]) -> None:
    summary = check_json(*args)
    assert summary["students"] == students
    assert summary["by_release"] == releases
    assert summary["safety_flagged"] == flagged
    assert summary["ignored_columns"] == ignored


def _roster(name: str, config: str | None = None) -> dict[str, tuple[str, str, Release, bool]]:
    fmt = load_config_file(SIS / config).roster_format if config else RosterFormat()
    ros = load_roster(SIS / name, fmt=fmt)
    return {s.id: (s.first_name, s.last_name, s.release, s.safety_flag) for s in ros.students}


def test_powerschool_lastfirst_alerts_and_line_numbers() -> None:
    students = _roster("powerschool.txt")
    assert students["300101"] == ("Ren", "Nakamura", Release.FULL, False)  # middle name dropped
    assert students["300103"] == ("Mateo", "Castellanos", Release.FULL, True)  # "Jr." dropped
    assert students["300102"][2] is Release.NONE  # Media_Release N
    assert students["300105"][2:] == (Release.NONE, False)  # blank release; alert "None"
    lines = {s.id: s.line for s in load_roster(SIS / "powerschool.txt").students}
    # The alert of 300103 spans two lines of the file: the rows after it keep their lines.
    assert lines == {"300101": 2, "300102": 3, "300103": 4, "300104": 6, "300105": 7}


def test_a_line_break_in_a_quoted_cell_keeps_error_lines_right(tmp_path: Path) -> None:
    p = tmp_path / "r.csv"
    p.write_text('student_id,first_name,last_name,media_release,notes\n'
                 'S1,Ava,Thompson,full,"two\nlines"\nS2,Leo,Ramirez,sometimes,\n')
    with pytest.raises(InputError) as err:
        load_roster(p)
    assert str(err.value).startswith(f"{p}:4 (column media_release)")


def test_infinite_campus_flag_columns() -> None:
    students = _roster("infinite_campus.csv", "infinite_campus.toml")
    assert students["41002"][2] is Release.NONE  # Flag: No Media = X
    assert students["41003"][2:] == (Release.FULL, True)  # Custody Alert = X
    with pytest.raises(InputError) as error:
        load_roster(SIS / "infinite_campus.csv")  # without the mapping: no consent column
    # the fix is named with this export's own header, not a made-up one
    assert "missing required column(s): media_release (not understood: Flag: No Media, " \
        'Teacher)' in str(error.value)
    assert '"Flag: No Media" = "media_release"' in str(error.value)


def test_skyward_cp1252_combined_names_and_opt_outs() -> None:
    students = _roster("skyward.csv")
    assert students["7001"] == ("José", "Peña", Release.FULL, False)
    assert students["7002"][2] is Release.NONE  # Photo/Video Opt Out = Y
    assert students["7003"][2] is Release.NONE  # Directory Opt Out = Y
    assert students["7004"][2:] == (Release.FULL, True)


def test_synergy_utf16_directory_release_and_court_order() -> None:
    students = _roster("synergy.txt", "synergy.toml")
    assert students["880011"][2] is Release.FULL  # "Yes, Directory Release Permitted"
    assert students["880012"][:3] == ("Lucía", "Vasquez", Release.NONE)  # "No, ... Denied"
    assert students["880013"][2:] == (Release.FULL, True)  # blank: permitted; court order
    # Without the district's blank_release, a blank is no release (SPEC section 3).
    assert _roster("synergy.txt")["880013"][2] is Release.NONE


def test_an_sis_roster_drives_the_checks(tmp_path: Path) -> None:
    config = tmp_path / "smcheck.toml"
    shutil.copy(SIS / "infinite_campus.csv", tmp_path)
    config.write_text((SIS / "infinite_campus.toml").read_text())
    r = run("check", "--text", "Congrats to Theo Fairbanks and Chidera!", "-c", str(config),
            "--format", "json")
    rules = sorted((f["rule"], f["student_id"])
                   for f in json.loads(r.stdout)["posts"][0]["findings"])
    assert rules == [("N101", "41002"), ("N104", "41003")]


# ---- [roster.columns], yes/no and opt-out columns -------------------------------------


@pytest.mark.parametrize(("header", "row", "release"), [
    ("Student #,Student Name,Media Release Y/N", 'S1,"Thompson, Ava",Y', Release.FULL),
    ("Student #,Student Name,Media Release Y/N", 'S1,"Thompson, Ava",N', Release.NONE),
    ("ID,Name,Photo/Video Opt Out", "S1,Ava Thompson,", Release.FULL),
    ("ID,Name,Photo/Video Opt Out", "S1,Ava Thompson,Yes", Release.NONE),
    ("ID,Name,Photo Opt Out", "S1,Ava Thompson,x", Release.NAME_ONLY),
    ("ID,Name,Name Opt Out", "S1,Ava Thompson,no", Release.FULL),
    ("ID,Name,Photo Consent", "S1,Ava Thompson,yes", Release.PHOTO_ONLY),  # opt-in: no name
    ("ID,Name,Media Release,No Photos", "S1,Ava Thompson,full,Y", Release.NAME_ONLY),
    ("ID,Name,Media Release", "S1,Ava Thompson,\"Yes - all media\"", Release.FULL),
    ("ID,Name,Media Release", "S1,Ava Thompson,No Photos Please", Release.NONE),
])
def test_consent_columns(tmp_path: Path, header: str, row: str, release: Release) -> None:
    p = tmp_path / "r.csv"
    p.write_text(f"{header}\n{row}\n")
    [s] = load_roster(p).students
    assert (s.first_name, s.last_name, s.release) == ("Ava", "Thompson", release)


def test_roster_columns_mapping(tmp_path: Path) -> None:
    (tmp_path / "export.csv").write_text(
        "Pupil Ref,Forename,Family,Consent To Publish,Welfare Concern,DCID\n"
        "P1,Ava,Thompson,Yes,,1\nP2,Leo,Ramirez,No,yes,2\n")
    (tmp_path / "smcheck.toml").write_text(
        '[roster]\npath = "export.csv"\n[roster.columns]\n"Pupil Ref" = "student_id"\n'
        '"Forename" = "first_name"\n"Family" = "last_name"\n'
        '"consent to publish" = "media_release"\n"Welfare Concern" = "safety_flag"\n'
        '"DCID" = "ignore"\n')
    cfg = load_config_file(tmp_path / "smcheck.toml")
    assert cfg.roster == tmp_path / "export.csv"
    a, b = load_roster(tmp_path / "export.csv", fmt=cfg.roster_format).students
    assert (a.id, a.release, b.release, b.safety_flag) == ("P1", Release.FULL, Release.NONE, True)


@pytest.mark.parametrize(("toml", "message"), [
    ('[roster]\npath = 3\n', "[roster] path must be a path string"),
    ('[roster]\nfile = "r.csv"\n', "[roster]: unknown key(s): file"),
    ('[roster.columns]\n"ID" = "student"\n', "'student' is not a roster column"),
    ('[roster]\nblank_release = "maybe"\n', "blank_release must be"),
    ('channel = "tiktok"\n', "channel must be one of web, social, print"),
])
def test_bad_roster_config(tmp_path: Path, toml: str, message: str) -> None:
    (tmp_path / "smcheck.toml").write_text(toml)
    r = run("check", "--text", "Hi", "-c", str(tmp_path / "smcheck.toml"))
    assert r.exit_code == 2 and message in r.output and r.output.count("\n") == 1


def test_two_columns_for_one_thing_names_the_fix(tmp_path: Path) -> None:
    p = tmp_path / "r.csv"
    p.write_text("ID,Student Number,First,Last,Release\n1,S1,Ava,Thompson,full\n")
    with pytest.raises(InputError, match=r'\[roster.columns\] "Student Number" = "ignore"'):
        load_roster(p)


def test_alert_text_is_never_repeated(tmp_path: Path) -> None:
    p = tmp_path / "r.csv"
    p.write_text("ID,First,Last,Release,Custody Alert\nS1,Ava,Thompson,full,"
                 "Father Marcus Bell may not pick up\nS2,Leo,Ramirez,sometimes,\n")
    with pytest.raises(InputError) as err:
        load_roster(p)
    assert "Marcus" not in str(err.value)
    r = run("roster", "check", str(p), "--skip-photos")
    assert "Marcus" not in r.output


# ---- consent per channel ---------------------------------------------------------------

CHANNEL_ROSTER = ("student_id,first_name,last_name,media_release,web_release,social_release,"
                  "print_release\nS1,Ava,Thompson,full,full,none,photo only\n")


@pytest.mark.parametrize(("channel", "expected"), [
    (None, ["N101"]), ("web", ["N101"]), ("social", ["N101"]), ("print", ["N101"])])
def test_channel_consent(tmp_path: Path, channel: str | None, expected: list[str]) -> None:
    roster = tmp_path / "r.csv"
    roster.write_text(CHANNEL_ROSTER)
    extra = ("--channel", channel) if channel else ()
    r = run("check", "--text", "Congrats to Ava Thompson!", "-r", str(roster), *extra,
            "--format", "json")
    [f] = json.loads(r.stdout)["posts"][0]["findings"]
    assert [f["rule"]] == expected
    # The name may go on the web, not on social media, not in print.
    allowed = channel in (None, "web")
    assert f["severity"] == ("warning" if allowed else "violation"), (channel, f)


def test_channel_from_config_and_summary(tmp_path: Path) -> None:
    roster = tmp_path / "r.csv"
    roster.write_text(CHANNEL_ROSTER)
    (tmp_path / "smcheck.toml").write_text('roster = "r.csv"\nchannel = "social"\n')
    r = run("check", "--text", "Congrats to Ava!", "-c", str(tmp_path / "smcheck.toml"),
            "--format", "json")
    assert [f["rule"] for f in json.loads(r.stdout)["posts"][0]["findings"]] == ["N102"]
    summary = check_json(str(roster))
    assert summary["by_channel"] == {
        "web": {"full": 1, "photo only": 0, "name only": 0, "none": 0},
        "social": {"full": 0, "photo only": 0, "name only": 0, "none": 1},
        "print": {"full": 0, "photo only": 1, "name only": 0, "none": 0}}
    s = load_roster(roster).students[0]
    assert s.effective_release(TODAY, "print") is Release.PHOTO_ONLY
    assert s.effective_release(TODAY) is Release.FULL


# ---- roster check: every reference photo -----------------------------------------------


def test_roster_check_validates_every_reference_photo(tmp_path: Path) -> None:
    from PIL import Image

    shutil.copy(ROOT / "sample_posts" / "photos" / "nova-reyes.jpg", tmp_path / "a.jpg")
    Image.new("RGB", (200, 200), (120, 160, 200)).save(tmp_path / "blank.jpg")
    Image.new("RGB", (200, 200), (20, 60, 90)).save(tmp_path / "dark.png")
    with Image.open(tmp_path / "a.jpg") as one:  # the same face twice: a group photo
        two = Image.new("RGB", (one.width * 2, one.height))
        two.paste(one, (0, 0))
        two.paste(one, (one.width, 0))
        two.save(tmp_path / "pair.jpg")
    roster = tmp_path / "r.csv"
    roster.write_text("student_id,first_name,last_name,media_release,photo\n"
                      "S1,Nova,Reyes,full,a.jpg\nS2,Ava,Thompson,full,blank.jpg\n"
                      "S3,Leo,Ramirez,none,a.jpg;dark.png\nS4,Will,Johnson,full,pair.jpg\n")
    r = run("roster", "check", str(roster))
    assert r.exit_code == 2, r.output
    assert f"{roster}:3 (column photo): reference photo 1 of 1: no face found" in r.output
    assert f"{roster}:4 (column photo): reference photo 2 of 2: no face found" in r.output
    assert f"{roster}:5 (column photo): reference photo 1 of 1: 2 faces found" in r.output
    assert ":2 (column photo)" not in r.output  # one clear face
    assert not any(w in r.output for w in ("blank", "dark", "pair"))  # counted, not named
    r = run("roster", "check", str(roster), "--skip-photos")
    assert r.exit_code == 0


def test_roster_knowledge_is_data_and_all_used() -> None:
    """models/roster.toml: one list per column (no header meaning two columns), and every
    value list read by smcheck/roster.py."""
    import tomllib

    from smcheck.roster import COLUMNS, header_key

    data = tomllib.loads((ROOT / "models" / "roster.toml").read_text())
    assert set(data["columns"]) == set(COLUMNS)
    seen: dict[str, str] = {}
    for column, spellings in data["columns"].items():
        for spelling in spellings:
            assert seen.setdefault(header_key(spelling), column) == column, spelling
    source = (ROOT / "smcheck" / "roster.py").read_text()
    for key in data["values"]:
        assert f'"{key}"' in source, key
