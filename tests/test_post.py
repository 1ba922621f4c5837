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


@pytest.mark.parametrize("front", ["---\n---\n", "---\n\n---\n", "---\n# draft\n---\n"])
def test_empty_front_matter_is_no_keys(tmp_path: Path, front: str) -> None:
    """As Jekyll and Hugo read it: an empty block, or one of comments, sets nothing."""
    (tmp_path / "post.md").write_text(front + "Concert tonight!\n")
    [source] = discover(tmp_path)
    post = read_post(source)
    assert post.text == "Concert tonight!\n" and post.publish_at is None
    assert post.body_line == front.count("\n")


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


# ---- front matter images and the photos beside a post ---------------------------------


def _layout(tmp_path: Path, front: str | None, names: tuple[str, ...] = ()) -> None:
    head = f"---\n{front}\n---\n" if front is not None else ""
    (tmp_path / "trip.md").write_text(head + "Hello families!")
    touch(tmp_path, "trip.jpg", "trip-1.png", "other.jpg", *names)


@pytest.mark.parametrize(("front", "expected"), [
    # no front matter: the folder convention
    (None, {"trip.md": ["trip-1.png", "trip.jpg"], "other.jpg": ["other.jpg"]}),
    # images: [] keeps the post text-only; its photos are posts of their own, not lost
    ("images: []", {"trip.md": [], "trip.jpg": ["trip.jpg"], "trip-1.png": ["trip-1.png"],
                    "other.jpg": ["other.jpg"]}),
    # a list without a photo beside it: that photo stands alone
    ("images: [trip.jpg]", {"trip.md": ["trip.jpg"], "trip-1.png": ["trip-1.png"],
                            "other.jpg": ["other.jpg"]}),
    # a listed photo is the post's, not a photo-only post too
    ("images: [other.jpg, trip.jpg, trip-1.png]",
     {"trip.md": ["other.jpg", "trip-1.png", "trip.jpg"]}),
    # front matter that cannot be read: the convention (the post's E901 comes later)
    ("images: [", {"trip.md": ["trip-1.png", "trip.jpg"], "other.jpg": ["other.jpg"]}),
])
def test_no_photo_vanishes_because_of_front_matter(tmp_path: Path, front: str | None,
                                                   expected: dict[str, list[str]]) -> None:
    from smcheck.post import sources_for_file

    _layout(tmp_path, front)
    found = {s.label.removeprefix(f"{tmp_path}/"): sorted(i.name for i in s.images)
             for s in discover(tmp_path)}
    assert found == expected
    # check FILE finds the same: the post, and the photos its front matter leaves out
    mine = {s.label.removeprefix(f"{tmp_path}/"): sorted(i.name for i in s.images)
            for s in sources_for_file(tmp_path / "trip.md")}
    assert mine == {k: v for k, v in expected.items() if k != "other.jpg" or "other.jpg" in
                    expected.get("trip.md", [])}


def test_sub_folder_post_with_front_matter(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "post.md").write_text("---\nimages: [a.jpg]\n---\nHello!")
    touch(tmp_path, "sub/a.jpg", "sub/b.png")
    found = {s.label.removeprefix(f"{tmp_path}/"): sorted(i.name for i in s.images)
             for s in discover(tmp_path)}
    assert found == {"sub/post.md": ["a.jpg"], "sub/b.png": ["b.png"]}


def test_sources_for_file_names_the_post_as_given(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from smcheck.post import sources_for_file

    touch(tmp_path, "posts/README.md", "posts/README.jpg", "posts/x.txt")
    monkeypatch.chdir(tmp_path)
    [source] = sources_for_file(Path("posts/README.md"), "posts/README.md")
    assert source.label == "posts/README.md"  # asked for by name: a post after all
    assert [i.name for i in source.images] == ["README.jpg"]
