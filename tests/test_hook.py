"""`smcheck hook FILE...`: the posts changed files belong to, as pre-commit passes them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from smcheck.cli import app
from tests.conftest import ROOT

WHEN = "2026-11-20T15:00:00-08:00"


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("roster.csv", "17-space-day.txt", "17-space-day.jpg", "01-clean-art-show.txt"):
        shutil.copy(ROOT / "sample_posts" / name, tmp_path / name)
    shutil.copytree(ROOT / "sample_posts" / "photos", tmp_path / "photos")
    shutil.copy(ROOT / "sample_posts" / "smcheck.toml", tmp_path / "smcheck.toml")
    (tmp_path / "README.md").write_text("Leo Ramirez runs the camera.\n")
    for name in ("CHANGELOG.md", "CONTRIBUTING.md", "LICENSE.txt", "requirements.txt",
                 "docs/readme-es.md"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text("Thanks to Leo Ramirez.\n")
    # A post whose photo lives in another folder, named by its front matter
    (tmp_path / "concert").mkdir()
    (tmp_path / "concert" / "post.md").write_text(
        "---\nimages: [../media/stage.jpg]\n---\nOur concert was lovely.\n")
    (tmp_path / "media").mkdir()
    shutil.copy(ROOT / "sample_posts" / "17-space-day.jpg", tmp_path / "media" / "stage.jpg")
    sub = tmp_path / "trip"
    sub.mkdir()
    (sub / "post.md").write_text("Our trip was fun!\n")
    shutil.copy(ROOT / "sample_posts" / "17-space-day.jpg", sub / "IMG_0001.jpg")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SMCHECK_ROSTER", raising=False)
    monkeypatch.delenv("SMCHECK_CONFIG", raising=False)
    return tmp_path


def hook(*files: str) -> tuple[int, list[tuple[str, list[str]]]]:
    r = CliRunner().invoke(app, ["hook", *files, "-f", "json", "--publish-at", WHEN])
    if not r.stdout.strip():
        return r.exit_code, []
    posts = json.loads(r.stdout)["posts"]
    return r.exit_code, [(p["path"], sorted(f["rule"] for f in p["findings"])) for p in posts]


@pytest.mark.parametrize(("files", "code", "posts"), [
    (["17-space-day.jpg"], 1, [("17-space-day.txt", ["F402"])]),  # only the photo changed
    (["17-space-day.txt"], 1, [("17-space-day.txt", ["F402"])]),  # the text: with its photo
    (["17-space-day.txt", "17-space-day.jpg"], 1, [("17-space-day.txt", ["F402"])]),
    (["trip/IMG_0001.jpg"], 1, [("trip/post.md", ["F402"])]),  # a sub-folder post
    (["01-clean-art-show.txt"], 0, [("01-clean-art-show.txt", [])]),
    (["README.md", "photos/nova-reyes.jpg", "roster.csv"], 0, []),  # no post among them
    (["CHANGELOG.md", "CONTRIBUTING.md", "LICENSE.txt", "requirements.txt",
      "docs/readme-es.md"], 0, []),  # a repository's own documents
    (["media/stage.jpg"], 1, [("concert/post.md", ["F402"])]),  # listed from another folder
    (["concert/post.md"], 1, [("concert/post.md", ["F402"])]),
])
def test_changed_files_bring_their_posts(repo: Path, files: list[str], code: int,
                                         posts: list[tuple[str, list[str]]]) -> None:
    assert hook(*files) == (code, posts)
