"""Posts: folder discovery (SPEC section 2) and front matter."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import pytest

from smcheck.errors import InputError
from smcheck.post import discover, read_post


def touch(root: Path, *names: str) -> None:
    for n in names:
        p = root / n
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("Hello families!") if n.endswith((".txt", ".md")) else p.write_bytes(b"")


def test_discovery_groups_images_with_their_post(tmp_path: Path) -> None:
    touch(tmp_path, "trip.txt", "trip.jpg", "trip-1.png", "trip_2.heic", "lonely.jpg",
          "news.md", "sub/post.txt", "sub/a.jpg", "sub/b.png", ".hidden.txt", "README.md")
    found = {s.label.removeprefix(f"{tmp_path}/"): sorted(i.name for i in s.images)
             for s in discover(tmp_path)}
    assert found == {
        "trip.txt": ["trip-1.png", "trip.jpg", "trip_2.heic"],
        "lonely.jpg": ["lonely.jpg"],
        "news.md": [],
        "sub/post.txt": ["a.jpg", "b.png"],
    }


def test_discovery_is_sorted_and_survives_symlink_loops(tmp_path: Path) -> None:
    touch(tmp_path, "b.txt", "a.txt", "c/d.txt")
    os.symlink(tmp_path, tmp_path / "c" / "loop")
    labels = [s.label.removeprefix(f"{tmp_path}/") for s in discover(tmp_path)]
    assert labels == sorted(labels) and labels[:2] == ["a.txt", "b.txt"]
    assert len(labels) == len(set(labels)) == 3


def test_front_matter(tmp_path: Path) -> None:
    p = tmp_path / "post.md"
    p.write_text("---\npublish_at: 2026-12-01T09:00:00-08:00\nimages: [pics/a.jpg]\n"
                 "public_event: true\n---\nConcert tonight!\n")
    [source] = discover(tmp_path)
    post = read_post(source)
    assert post.text == "Concert tonight!\n"
    assert post.publish_at == datetime.fromisoformat("2026-12-01T09:00:00-08:00")
    assert post.images == (tmp_path / "pics/a.jpg",) and post.public_event is True


@pytest.mark.parametrize(("front", "message"), [
    ("publish_at: tomorrow", "is not an ISO 8601 date-time"),
    ("public_event: maybe", "public_event must be true or false"),
    ("images: a.jpg", "images must be a list of paths"),
    ("- a\n- b", "front matter must be a YAML mapping"),
])
def test_bad_front_matter(tmp_path: Path, front: str, message: str) -> None:
    p = tmp_path / "post.md"
    p.write_text(f"---\n{front}\n---\nHi\n")
    [source] = discover(tmp_path)
    with pytest.raises(InputError, match=message):
        read_post(source)


@pytest.mark.parametrize(("value", "expected"), [
    ("2026-03-07T10:00:00-08:00[America/Los_Angeles]", "2026-03-07T10:00:00-08:00"),
    ("2026-03-07T10:00[America/New_York]", "2026-03-07T10:00:00-05:00"),
    ("2026-03-07T18:00:00+00:00[America/Los_Angeles]", "2026-03-07T10:00:00-08:00"),
])
def test_publish_at_with_zone(value: str, expected: str) -> None:
    from smcheck.post import parse_publish_at

    dt = parse_publish_at(value, "--publish-at")
    assert dt.isoformat() == expected
    assert dt.tzinfo is not None and "America" in str(dt.tzinfo)


def test_publish_at_bad_zone() -> None:
    from smcheck.post import parse_publish_at

    with pytest.raises(InputError, match="unknown time zone 'Mars/Base'"):
        parse_publish_at("2026-03-07T10:00[Mars/Base]", "--publish-at")
