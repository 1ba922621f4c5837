"""F40x as pure functions of face distances (no photo needed), and L203 on generated images."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from PIL import Image
from typer.testing import CliRunner

from smcheck.cli import app
from smcheck.config import Config
from smcheck.extract.text import TextFacts
from smcheck.facts import Face, Facts, ImageFacts
from smcheck.findings import Box
from smcheck.post import Post
from smcheck.roster import Roster
from smcheck.rules import RULES, Context

NOW = datetime.fromisoformat("2026-11-20T15:00:00-08:00")
BOX = Box(top=10, right=60, bottom=60, left=10)


def run(roster: Roster, distances: dict[str, float], references: bool = True,
        tolerance: float = 0.5) -> list[tuple[str, str | None]]:
    face = Face(box=BOX, distances=tuple(sorted(distances.items(), key=lambda kv: kv[1])))
    facts = Facts(post=Post(path="p", text=""),
                  text=TextFacts(text="", sentences=(), names=(), people=(), contacts=()),
                  images=(ImageFacts(file="a.jpg", faces=(face,), location=None,
                                     references=references),))
    ctx = Context(config=Config(face_tolerance=tolerance), roster=roster, publish_at=NOW)
    return sorted((f.rule, f.student_id) for r in RULES for f in r.run(facts, ctx))


# Test roster: S1001 full, S1002 photo only, S1003 none, S1004 name only,
# S1006 full + safety flag, S1013 full but expired.
TABLE = [
    ({"S1001": 0.35, "S1003": 0.80}, [("F400", "S1001")]),  # a consented student
    ({"S1002": 0.42, "S1001": 0.75}, [("F400", "S1002")]),  # photo-only release
    ({"S1003": 0.30, "S1001": 0.70}, [("F402", "S1003")]),  # no release
    ({"S1004": 0.44, "S1001": 0.70}, [("F402", "S1004")]),  # name only: no photos
    ({"S1013": 0.40, "S1001": 0.70}, [("F402", "S1013")]),  # expired release
    ({"S1006": 0.41, "S1001": 0.72}, [("F403", "S1006")]),  # safety flag
    ({"S1001": 0.40, "S1003": 0.44}, [("F404", "S1003")]),  # too close to call, one restricted
    ({"S1001": 0.55, "S1003": 0.58}, [("F404", "S1003")]),  # review band, restricted nearby
    ({"S1003": 0.57}, [("F404", "S1003")]),  # only in the review band
    ({"S1001": 0.40, "S1002": 0.43}, [("F401", None)]),  # two consented look-alikes
    ({"S1001": 0.65, "S1003": 0.80}, [("F401", None)]),  # nobody close
    ({"S1001": 0.52}, [("F401", None)]),  # past the tolerance, consented: unverified
    ({}, [("F401", None)]),  # no student has reference photos
]


@pytest.mark.parametrize(("distances", "expected"), TABLE)
def test_face_rules(roster: Roster, distances: dict[str, float],
                    expected: list[tuple[str, str | None]]) -> None:
    assert run(roster, distances) == expected


def test_no_reference_photos_means_unverified(roster: Roster) -> None:
    assert run(roster, {}, references=False) == [("F401", None)]


def test_tolerance(roster: Roster) -> None:
    assert run(roster, {"S1003": 0.45}, tolerance=0.5) == [("F402", "S1003")]
    assert run(roster, {"S1003": 0.45}, tolerance=0.4) == [("F404", "S1003")]


def _gps_photo(path: Path, gps: bool) -> None:
    exif = Image.Exif()
    if gps:
        ifd = exif.get_ifd(0x8825)
        ifd.update({1: "N", 2: (45.0, 31.0, 12.5), 3: "W", 4: (122.0, 40.0, 30.2)})
        exif[0x8825] = ifd
    Image.new("RGB", (80, 60), (90, 140, 60)).save(path, exif=exif)


@pytest.mark.parametrize(("gps", "expected"), [(True, ["L203"]), (False, [])])
def test_l203(tmp_path: Path, gps: bool, expected: list[str]) -> None:
    _gps_photo(tmp_path / "garden.jpg", gps)
    (tmp_path / "garden.txt").write_text("Our garden grew!")
    r = CliRunner().invoke(app, ["audit", str(tmp_path), "--format", "json"])
    [post] = json.loads(r.stdout)["posts"]
    assert [f["rule"] for f in post["findings"]] == expected
    if gps:
        f = post["findings"][0]
        assert f["file"] == f"{tmp_path}/garden.jpg" and f["box"] is None
        assert f["source"] == "image"
