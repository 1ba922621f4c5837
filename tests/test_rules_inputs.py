"""E9xx tables: what cannot be read or checked is reported, and the batch goes on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from smcheck.cli import app
from tests.conftest import DATA

# (file name, content, a fragment of the E901 message)
E901 = [
    ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00", "is a binary file"),
    ("latin1.txt", "Caf\u00e9 au lait".encode("latin-1"), "is not UTF-8 text"),
    ("empty.txt", b"", "post is empty"),
    ("blank.md", b"   \n\n\t", "post is empty"),
    ("huge.txt", b"word " * 400_000, "a post over 1 MB is not a post"),
    ("badyaml.md", b"---\npublish_at: [\n---\nHello", "front matter is not valid YAML"),
    ("badkey.md", b"---\nauthor: me\n---\nHello", "unknown front matter key(s): author"),
    ("baddate.md", b"---\npublish_at: next week\n---\nHello", "not an ISO 8601 date-time"),
    ("onlyfront.md", b"---\npublic_event: true\n---\n", "post is empty"),
]
# Posts that read fine: no E901.
E901_NOT = [
    ("bom.txt", b"\xef\xbb\xbfOur class planted tulips."),
    ("crlf.txt", b"Our class\r\nplanted tulips.\r\n"),
    ("front.md", b"---\npublic_event: true\n---\nConcert tonight, all welcome!"),
    ("emoji.txt", "We did it! \U0001f389\U0001f4da".encode()),
]


def audit(folder: Path) -> dict[str, list[dict[str, object]]]:
    r = CliRunner().invoke(app, ["audit", str(folder), "-r", str(DATA / "roster.csv"),
                                 "--format", "json"])
    assert r.exit_code in (0, 1), r.output
    # Keyed by the path below the folder; the output names them as "FOLDER/path".
    return {p["path"].removeprefix(f"{folder}/"): [
        {**f, "file": str(f["file"]).removeprefix(f"{folder}/")} for f in p["findings"]]
        for p in json.loads(r.stdout)["posts"]}


@pytest.mark.parametrize(("name", "content", "message"), E901)
def test_e901(tmp_path: Path, name: str, content: bytes, message: str) -> None:
    (tmp_path / name).write_bytes(content)
    (tmp_path / "zz-good.txt").write_text("Great job, Leo!")
    posts = audit(tmp_path)
    [finding] = posts[name]
    assert finding["rule"] == "E901" and message in str(finding["message"])
    assert [f["rule"] for f in posts["zz-good.txt"]] == ["N102"]  # the batch went on


@pytest.mark.parametrize(("name", "content"), E901_NOT)
def test_e901_not(tmp_path: Path, name: str, content: bytes) -> None:
    (tmp_path / name).write_bytes(content)
    assert audit(tmp_path)[name] == []


def test_e901_missing_image_named_in_front_matter(tmp_path: Path) -> None:
    (tmp_path / "post.md").write_text("---\nimages: [gone.jpg]\n---\nOur tulips!")
    [finding] = audit(tmp_path)["post.md"]
    assert finding["rule"] == "E901" and finding["file"] == "gone.jpg"
    assert "image file not found" in str(finding["message"])


def _photo(path: Path) -> None:
    from PIL import Image

    Image.new("RGB", (64, 48), (200, 180, 160)).save(path)


@pytest.fixture
def no_face_models(monkeypatch: pytest.MonkeyPatch) -> None:
    from smcheck.engines import Engines
    from smcheck.extract.faces import FaceModelsUnavailable

    def broken(self: Engines) -> None:
        raise FaceModelsUnavailable("dlib cannot be imported (simulated)")

    monkeypatch.setattr(Engines, "faces", property(broken))


@pytest.mark.parametrize("images", [["a.jpg"], ["a.jpg", "a-1.png"], ["a_2.png"]])
def test_e902_every_image_when_the_face_models_cannot_load(
        tmp_path: Path, images: list[str], no_face_models: None) -> None:
    (tmp_path / "a.txt").write_text("Our class planted tulips.")
    for i in images:
        _photo(tmp_path / i)
    findings = audit(tmp_path)["a.txt"]
    assert sorted(str(f["file"]) for f in findings) == sorted(images)
    assert {f["rule"] for f in findings} == {"E902"}
    assert "simulated" in str(findings[0]["message"])


def test_e902_photo_only_post_blocks(tmp_path: Path, no_face_models: None) -> None:
    _photo(tmp_path / "lonely.png")
    r = CliRunner().invoke(app, ["audit", str(tmp_path), "--format", "json"])
    [post] = json.loads(r.stdout)["posts"]
    assert [f["rule"] for f in post["findings"]] == ["E902"] and post["verdict"] == "block"
    assert r.exit_code == 1


def test_e902_not_for_text_only_posts(tmp_path: Path, no_face_models: None) -> None:
    (tmp_path / "a.txt").write_text("Our class planted tulips.")
    assert audit(tmp_path)["a.txt"] == []


def test_e902_not_when_the_models_load(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Our class planted tulips.")
    _photo(tmp_path / "a.png")
    assert audit(tmp_path)["a.txt"] == []  # a photo with no face: nothing to report
