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
    ("undefined.txt", b"Caf\xe9 \x81 au lait", "0x81 fits none of them"),
    ("badutf16.txt", b"\xff\xfeH\x00i\x00\x00\xd8", "is not valid UTF-16 post text"),
    ("controls.txt", bytes(range(1, 9)) * 200, "is a binary file"),
    ("empty.txt", b"", "post is empty"),
    ("blank.md", b"   \n\n\t", "post is empty"),
    ("huge.txt", b"word " * 400_000, "a post over 1 MB is not a post"),
    ("badyaml.md", b"---\npublish_at: [\n---\nHello", "front matter is not valid YAML"),
    ("badkey.md", b"---\nauthor: me\n---\nHello", "line 2: unknown front matter key"),
    ("nodate.md", b"---\npublish_at: 2026-11-31T09:00:00-08:00\n---\nHello",
     "line 2: publish_at is not an ISO 8601 date-time"),
    ("nodate2.md", b"---\npublic_event: true\npublish_at: 2026-02-30\n---\nHello",
     "line 3: publish_at is not an ISO 8601 date-time"),
    ("deep.md", b"---\npublish_at: " + b"[" * 1200 + b"\n---\nHello", "front matter is not valid YAML"),
    ("listkey.md", b"---\n? [a, b]\n: 1\n---\nHello", "front matter is not valid YAML"),
    ("notamap.md", b"---\n- a\n- b\n---\nHello", "front matter must be a YAML mapping"),
    ("badimages.md", b"---\nimages: photo.jpg\n---\nHello", "front matter images must be a list"),
    ("badevent.md", b"---\npublic_event: maybe\n---\nHello", "public_event must be true or false"),
    ("baddate.md", b"---\npublish_at: next week\n---\nHello", "not an ISO 8601 date-time"),
    ("onlyfront.md", b"---\npublic_event: true\n---\n", "post is empty"),
]
# Posts that read fine: no E901.
E901_NOT = [
    ("bom.txt", b"\xef\xbb\xbfOur class planted tulips."),
    ("crlf.txt", b"Our class\r\nplanted tulips.\r\n"),
    ("front.md", b"---\npublic_event: true\n---\nConcert tonight, all welcome!"),
    ("emoji.txt", "We did it! \U0001f389\U0001f4da".encode()),
    ("notepad.txt", "Caf\u00e9 au lait \u2014 \u201cyum\u201d".encode("cp1252")),
    ("utf16le.txt", "\ufeffCaf\u00e9 au lait".encode("utf-16-le")),
    ("utf16be.txt", "\ufeffCaf\u00e9 au lait".encode("utf-16-be")),
    ("date.md", b"---\npublish_at: 2026-12-01\n---\nOur class planted tulips."),
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


@pytest.mark.parametrize(("encoding", "bom"), [
    ("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("utf-16-le", b"\xff\xfe"),
    ("utf-16-be", b"\xfe\xff"), ("cp1252", b"")])
def test_posts_read_as_the_roster_is_read(tmp_path: Path, encoding: str, bom: bytes) -> None:
    """Word and Notepad drafts: the name is found, whatever the encoding."""
    (tmp_path / "post.txt").write_bytes(bom + "Bravo, Léo\u2026 Leo\u2019s team won!".encode(encoding))
    [finding] = audit(tmp_path)["post.txt"]
    assert finding["rule"] == "N102" and finding["student_id"] == "S1002"


def test_front_matter_errors_quote_no_post_text(tmp_path: Path) -> None:
    """A YAML error must not print post lines (names) to stderr (SPEC section 8)."""
    for front in ("publish_at: [Leo Ramirez", "publish_at: *Ramirez", "Ramirez: {Leo",
                  "Leo Ramirez: true", "publish_at: Leo Ramirez's game",
                  "publish_at: 2026-03-07T10:00[Ramirez/Leo]", "a: 'Leo\n Ramirez"):
        post = tmp_path / "post.md"
        post.write_text(f"---\n{front}\n---\nOur class planted tulips.\n")
        r = CliRunner().invoke(app, ["check", str(post)])
        assert r.exit_code == 2 and ("front matter" in r.output or "publish_at" in r.output)
        assert "Leo" not in r.output and "Ramirez" not in r.output, (front, r.output)
        assert "Traceback" not in r.output
