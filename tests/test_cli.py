"""The CLI through its exit codes and JSON (SPEC section 6)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from smcheck.cli import app
from tests.conftest import DATA, ROOT

runner = CliRunner()
ROSTER = str(DATA / "roster.csv")
WHEN = "2026-11-20T15:00:00-08:00"


def run(*args: str, stdin: str | None = None):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args), input=stdin)


def test_clean_post_exits_0(tmp_path: Path) -> None:
    p = tmp_path / "post.txt"
    p.write_text("Our class planted tulips today!")
    r = run("check", str(p), "--roster", ROSTER)
    assert r.exit_code == 0, r.output
    assert "OK" in r.output


def test_violation_exits_1_and_json_shape() -> None:
    r = run("check", "--text", "Great job, Leo! Text me at 503-555-0142.", "--roster", ROSTER,
            "--format", "json", "--publish-at", WHEN)
    assert r.exit_code == 1, r.output
    data = json.loads(r.stdout)
    assert set(data) == {"version", "publish_at", "posts", "notices", "summary"}
    assert [n["code"] for n in data["notices"]] == ["no-config"]  # a roster, no config
    assert data["version"] == 1 and data["publish_at"] == WHEN
    [post] = data["posts"]
    assert post["verdict"] == "block" and post["path"] == "<text>" and post["images"] == []
    n102 = next(f for f in post["findings"] if f["rule"] == "N102")
    assert set(n102) == {"rule", "name", "severity", "message", "source", "file", "span", "box",
                         "student_id", "policy"}
    assert n102["span"] == {"start": 11, "end": 14, "text": "Leo"}
    assert n102["student_id"] == "S1002" and n102["source"] == "text" and n102["box"] is None
    assert n102["policy"][0].startswith("004_d46a769eba9133b8.txt: ")
    assert data["summary"] == {"posts": 1, "blocked": 1, "review": 0, "ok": 0,
                               "findings": {"critical": 0, "violation": 2, "warning": 1,
                                            "info": 0}}


def test_warning_only_is_review_and_exit_0() -> None:
    r = run("check", "--text", "Shout out to Marcus Bell!", "--format", "json")
    assert r.exit_code == 0
    assert json.loads(r.stdout)["posts"][0]["verdict"] == "review"


@pytest.mark.parametrize(("fail_on", "code"), [
    ("warning", 1), ("critical", 0), ("never", 0), ("violation", 1), ("info", 1)])
def test_fail_on(fail_on: str, code: int) -> None:
    text = "Great job, Leo! Shout out to Marcus Bell!"
    assert run("check", "--text", text, "-r", ROSTER, "--fail-on", fail_on).exit_code == code


def test_exit_zero() -> None:
    assert run("check", "--text", "Great job, Leo!", "-r", ROSTER, "--exit-zero").exit_code == 0


def test_stdin() -> None:
    r = run("check", "-", "-r", ROSTER, "--format", "json", stdin="Great job, Leo!")
    assert r.exit_code == 1
    assert json.loads(r.stdout)["posts"][0]["path"] == "<stdin>"


def test_redact_keeps_names_and_words_out() -> None:
    r = run("check", "--text", "Sofia Hernandez got an F on her test.", "-r", ROSTER,
            "--format", "json", "--redact")
    assert r.exit_code == 1
    assert "Sofia" not in r.stdout and "Hern" not in r.stdout and "got an F" not in r.stdout
    findings = json.loads(r.stdout)["posts"][0]["findings"]
    assert {f["rule"] for f in findings} == {"N101", "R501"}
    assert all(f["span"]["text"] == "" and f["student_id"] is None for f in findings)


def test_text_output_is_plain_off_a_terminal() -> None:
    r = run("check", "--text", "Great job, Leo!", "-r", ROSTER)
    assert "\x1b[" not in r.output
    assert "N102" in r.output and "Leo Ramirez (S1002)" in r.output and "BLOCK" in r.output


def test_quiet_prints_only_findings_and_verdict(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Our class planted tulips.")
    (tmp_path / "b.txt").write_text("Great job, Leo!")
    r = run("audit", str(tmp_path), "-r", ROSTER, "-q")
    assert "a.txt" not in r.output and "b.txt" in r.output
    assert r.output.strip().splitlines()[-1].startswith("BLOCK")


@pytest.mark.parametrize(("args", "message"), [
    (("check", "nope.txt"), "nope.txt: file not found"),
    (("check", "--text", "   "), "--text: post is empty"),
    (("check",), "give the post as FILE"),
    (("check", "--text", "hi", "-r", "missing.csv"), "missing.csv: roster file not found"),
    (("check", "--text", "hi", "--publish-at", "soon"), "is not an ISO 8601 date-time"),
    (("check", "--text", "hi", "--fail-on", "loud"), "--fail-on: unknown severity"),
    (("audit", "no-such-folder"), "no-such-folder: folder not found"),
    (("rules", "X999"), "unknown rule code"),
    (("check", "--text", "hi", "--image", "missing.jpg"), "missing.jpg: image file not found"),
])
def test_usage_errors_exit_2_with_one_line(args: tuple[str, ...], message: str) -> None:
    r = run(*args)
    assert r.exit_code == 2, r.output
    assert message in r.output
    assert "Traceback" not in r.output


@pytest.mark.parametrize(("content", "message"), [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "is a binary file"),
    (b"Caf\xe9 \x81 menu", "is not post text in UTF-8, UTF-16 with a byte-order mark, or Windows-1252"),
    (b"", "post is empty"),
    (b"x" * 5_000_000, "a post over 1 MB is not a post"),
    (b"---\npublish_at: [\n---\nHi", "front matter is not valid YAML"),
    (b"---\nwhen: now\n---\nHi", ":2: unknown front matter key (known: publish_at"),
])
def test_bad_post_exits_2(tmp_path: Path, content: bytes, message: str) -> None:
    p = tmp_path / "post.md"
    p.write_bytes(content)
    r = run("check", str(p))
    assert r.exit_code == 2
    assert message in r.output and "Traceback" not in r.output


def test_bad_post_in_audit_is_e901_and_the_batch_goes_on(tmp_path: Path) -> None:
    (tmp_path / "a-bad.txt").write_bytes(b"Caf\xe9 \x9d")
    (tmp_path / "b-good.txt").write_text("Great job, Leo!")
    r = run("audit", str(tmp_path), "-r", ROSTER, "--format", "json")
    assert r.exit_code == 1
    posts = {p["path"].removeprefix(f"{tmp_path}/"): p for p in json.loads(r.stdout)["posts"]}
    assert [f["rule"] for f in posts["a-bad.txt"]["findings"]] == ["E901"]
    assert "UTF-8, UTF-16 with a byte-order mark, or Windows-1252" in posts["a-bad.txt"]["findings"][0]["message"]
    assert [f["rule"] for f in posts["b-good.txt"]["findings"]] == ["N102"]


def test_a_corrupt_image_is_never_a_silent_pass(tmp_path: Path) -> None:
    img = tmp_path / "photo.jpg"
    img.write_bytes(b"\xff\xd8\xff")
    r = run("check", "--text", "Our class planted tulips.", "--image", str(img), "--format", "json")
    assert r.exit_code == 1
    [post] = json.loads(r.stdout)["posts"]
    assert post["verdict"] == "block"
    assert [(f["rule"], f["file"]) for f in post["findings"]] == [("E901", str(img))]


def test_inputs_are_never_modified(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Great job, Leo!")
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in tmp_path.iterdir()}
    run("audit", str(tmp_path), "-r", ROSTER)
    after = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in tmp_path.iterdir()}
    assert before == after


def test_rules_list_and_explain() -> None:
    r = run("rules")
    assert r.exit_code == 0 and "N101" in r.output and "C602" in r.output
    r = run("rules", "n104")
    assert r.exit_code == 0
    for part in ("What it does", "Why", "Example", "Use instead", "Policy",
                 "Particular care must be taken on social media"):
        assert part in r.output


def test_roster_check_hides_names_unless_asked() -> None:
    r = run("roster", "check", ROSTER)
    assert r.exit_code == 0 and "14 students" in r.output
    assert "Thompson" not in r.output
    r = run("roster", "check", ROSTER, "--show-names")
    assert "Ava Thompson" in r.output


def test_roster_check_bad_roster_exits_2(tmp_path: Path) -> None:
    p = tmp_path / "r.csv"
    p.write_text("student_id;first_name;last_name;media_release\nS1;A;B;sometimes\n")
    r = run("roster", "check", str(p))
    assert r.exit_code == 2 and ":2 (column media_release)" in r.output


def test_config_discovered_beside_the_audited_folder() -> None:
    r = run("audit", str(ROOT / "sample_posts"), "--format", "json", "--publish-at", WHEN)
    assert r.exit_code == 1
    paths = {p["path"]: p["verdict"] for p in json.loads(r.stdout)["posts"]}
    assert paths[f"{ROOT}/sample_posts/01-clean-art-show.txt"] == "ok"  # staff names from sample_posts/smcheck.toml


def _photo(path: Path) -> None:
    from PIL import Image

    Image.new("RGB", (64, 48), (200, 180, 160)).save(path)


def test_check_file_finds_the_photos_beside_it(tmp_path: Path) -> None:
    """As audit does: draft.jpg and draft-1.png go with draft.txt; --image replaces them."""
    (tmp_path / "draft.txt").write_text("Our class planted tulips.")
    _photo(tmp_path / "draft.jpg")
    _photo(tmp_path / "draft-1.png")
    _photo(tmp_path / "unrelated.jpg")
    r = run("check", str(tmp_path / "draft.txt"), "--format", "json")
    [post] = json.loads(r.stdout)["posts"]
    assert post["images"] == [f"{tmp_path}/draft-1.png", f"{tmp_path}/draft.jpg"]
    r = run("check", str(tmp_path / "draft.txt"), "--image", str(tmp_path / "unrelated.jpg"),
            "--format", "json")
    assert json.loads(r.stdout)["posts"][0]["images"] == [f"{tmp_path}/unrelated.jpg"]


def test_check_file_front_matter_leaves_no_photo_unchecked(tmp_path: Path) -> None:
    (tmp_path / "draft.md").write_text("---\nimages: []\n---\nOur class planted tulips.")
    _photo(tmp_path / "draft.jpg")
    r = run("check", str(tmp_path / "draft.md"), "--format", "json")
    posts = json.loads(r.stdout)["posts"]
    assert [(p["path"], p["images"]) for p in posts] == [
        (f"{tmp_path}/draft.md", []), (f"{tmp_path}/draft.jpg", [f"{tmp_path}/draft.jpg"])]


def test_check_file_leaves_its_neighbours_photos_alone(tmp_path: Path) -> None:
    """A photo that another post's front matter leaves out is that post's business: not
    checked with `check other.txt`, and checked once when both are given."""
    (tmp_path / "draft.md").write_text("---\nimages: []\n---\nOur class planted tulips.")
    _photo(tmp_path / "draft.jpg")
    (tmp_path / "other.txt").write_text("Our class sang.")
    r = run("check", str(tmp_path / "other.txt"), "--format", "json")
    assert [p["path"] for p in json.loads(r.stdout)["posts"]] == [f"{tmp_path}/other.txt"]
    r = run("check", str(tmp_path / "other.txt"), str(tmp_path / "draft.md"),
            str(tmp_path / "draft.md"), "--format", "json")
    assert [p["path"].removeprefix(f"{tmp_path}/") for p in json.loads(r.stdout)["posts"]] \
        == ["other.txt", "draft.md", "draft.jpg", "draft.md"]
