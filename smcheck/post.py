"""Posts (SPEC section 2): a text, its images, its publish time; folder discovery.

A `.md` post may open with a `---` YAML block (publish_at, images, public_event)
that overrides the folder convention and `--publish-at`. The post text the
rules see is what follows the block, so spans point at what gets published.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from smcheck.errors import InputError

TEXT_SUFFIXES = (".txt", ".md")
IMAGE_SUFFIXES = (
    ".jpg", ".jpeg", ".png", ".webp", ".gif", ".tif", ".tiff", ".bmp", ".heic", ".heif",
)
MAX_TEXT_BYTES = 1_000_000  # a post is a few hundred words; 1 MB is a wrong file


@dataclass(frozen=True, kw_only=True)
class Post:
    path: str  # as the user gave it, or relative to the audited folder
    text: str
    images: tuple[Path, ...] = ()
    publish_at: datetime | None = None  # from front matter; else the run's
    public_event: bool | None = None
    root: Path | None = None  # an audited folder, resolved
    base: Path | None = None  # the same folder as the user named it ("posts/")
    folder: Path | None = None  # where the post's file is: its accepted findings live there

    def label(self, file: Path) -> str:
        """How a file of this post is named in the output: in an audit, the folder as the
        user gave it and the path below it ("posts/trip.jpg", SPEC section 6)."""
        if self.root is not None:
            try:
                rel = file.resolve().relative_to(self.root)
            except ValueError:
                return str(file)
            return str(self.base / rel) if self.base is not None else str(rel)
        return str(file)


@dataclass(frozen=True, kw_only=True)
class PostSource:
    """A post found on disk, not yet read: reading it can fail on its own."""

    label: str
    text_file: Path | None
    images: tuple[Path, ...]
    root: Path | None = None
    base: Path | None = None


def decode_text(data: bytes, file: str) -> str:
    if len(data) > MAX_TEXT_BYTES:
        raise InputError(
            file, f"post is {len(data) // 1_000_000} MB; a post over 1 MB is not a post"
        )
    if b"\x00" in data[:8192]:
        raise InputError(file, "is a binary file, not post text")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(file, "is not UTF-8 text", line=line) from None
    if not text.strip():
        raise InputError(file, "post is empty")
    return text


_FRONT = re.compile(r"\A---[ \t]*\r?\n(.*?)^---[ \t]*(?:\r?\n|\Z)", re.S | re.M)


def split_front_matter(text: str, file: str) -> tuple[dict[str, object], str]:
    m = _FRONT.match(text)
    if not m:
        return {}, text
    import yaml  # only posts with front matter pay for it

    try:
        data = yaml.safe_load(m.group(1)) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else None
        raise InputError(file, f"front matter is not valid YAML: {exc}", line=line) from None
    if not isinstance(data, dict):
        raise InputError(file, "front matter must be a YAML mapping", line=2)
    return data, text[m.end():]


def local_zone() -> tzinfo:
    """This machine's named time zone (daylight-saving aware): `TZ`, else the zone
    /etc/localtime links to; else the fixed offset of now."""
    for name in (os.environ.get("TZ", "").lstrip(":"), _localtime_link()):
        if name:
            try:
                return ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    zone = datetime.now().astimezone().tzinfo
    assert zone is not None
    return zone


def _localtime_link() -> str:
    try:
        target = os.readlink("/etc/localtime")
    except OSError:
        return ""
    return target.partition("zoneinfo/")[2]


def parse_publish_at(value: object, file: str) -> datetime:
    """ISO 8601, optionally with an IANA zone: `2026-03-07T10:00-08:00[America/Los_Angeles]`.

    A named zone makes "tomorrow at 9am" right across a daylight-saving change. Without
    one, an offset that matches this machine's zone at that moment takes that zone.
    """
    zone: tzinfo | None = None
    if isinstance(value, datetime):
        dt = value
    else:
        raw = str(value).strip()
        m = re.fullmatch(r"(.+?)\[([A-Za-z_+\-/0-9]+)\]", raw)
        if m:
            raw = m.group(1)
            try:
                zone = ZoneInfo(m.group(2))
            except (ZoneInfoNotFoundError, ValueError):
                raise InputError(file, f"unknown time zone {m.group(2)!r}") from None
        try:
            dt = datetime.fromisoformat(raw)
        except ValueError:
            raise InputError(
                file, f"publish_at {value!r} is not an ISO 8601 date-time"
            ) from None
    if zone is not None:
        return dt.replace(tzinfo=zone) if dt.tzinfo is None else dt.astimezone(zone)
    local = local_zone()
    if dt.tzinfo is None:
        return dt.replace(tzinfo=local)
    if dt.utcoffset() == dt.astimezone(local).utcoffset():
        return dt.astimezone(local)
    return dt


def build_post(label: str, text: str, images: tuple[Path, ...], base: Path | None) -> Post:
    meta, body = split_front_matter(text, label)
    unknown = set(meta) - {"publish_at", "images", "public_event"}
    if unknown:
        raise InputError(label, f"unknown front matter key(s): {', '.join(sorted(unknown))}")
    if not body.strip():
        raise InputError(label, "post is empty")
    publish_at = parse_publish_at(meta["publish_at"], label) if "publish_at" in meta else None
    public_event = meta.get("public_event")
    if public_event is not None and not isinstance(public_event, bool):
        raise InputError(label, "front matter public_event must be true or false")
    if "images" in meta:
        listed = meta["images"]
        if not isinstance(listed, list) or not all(isinstance(i, str) for i in listed):
            raise InputError(label, "front matter images must be a list of paths")
        folder = base if base is not None else Path.cwd()
        images = tuple(folder / i for i in listed)
    return Post(path=label, text=body, images=images, publish_at=publish_at,
                public_event=public_event, folder=base)


def read_post(source: PostSource) -> Post:
    if source.text_file is None:
        return Post(path=source.label, text="", images=source.images, root=source.root,
                    base=source.base)
    try:
        size = source.text_file.stat().st_size
        if size > MAX_TEXT_BYTES:  # known before reading 200 MB into memory
            raise InputError(source.label, f"post is {size // 1_000_000} MB; a post over 1 MB "
                             "is not a post")
        data = source.text_file.read_bytes()
    except FileNotFoundError:
        raise InputError(source.label, "file not found") from None
    except IsADirectoryError:
        raise InputError(source.label, "is a folder; use `smcheck audit` for folders") from None
    except OSError as exc:
        raise InputError(source.label, f"cannot read: {exc.strerror}") from None
    text = decode_text(data, source.label)
    post = build_post(source.label, text, source.images, source.text_file.parent)
    return replace(post, root=source.root, base=source.base)


_NUMBERED = re.compile(r"^(?P<stem>.+?)(?:[-_](?P<n>\d+))?$")


def _image_stem(path: Path) -> tuple[str, str]:
    m = _NUMBERED.match(path.stem)
    assert m is not None
    return m.group("stem"), path.stem


def discover(folder: Path) -> Iterator[PostSource]:
    """Posts in a folder, sorted by path: the audit's output order does not depend on the disk."""
    root = folder.resolve()
    found: list[PostSource] = []
    seen_dirs: set[tuple[int, int]] = set()
    for dirpath, dirnames, filenames in os.walk(root, followlinks=True):
        st = os.stat(dirpath)
        key = (st.st_dev, st.st_ino)
        if key in seen_dirs:  # a symlink loop: do not walk it twice
            dirnames.clear()
            continue
        seen_dirs.add(key)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        here = Path(dirpath)
        files = sorted(f for f in filenames if not f.startswith("."))
        texts = [here / f for f in files if f.lower().endswith(TEXT_SUFFIXES)]
        texts = [t for t in texts if t.name.lower() not in {"readme.md", "readme.txt"}]
        images = [here / f for f in files if f.lower().endswith(IMAGE_SUFFIXES)]
        found.extend(_group(root, folder, here, texts, images))
    yield from sorted(found, key=lambda s: s.label)


def _group(root: Path, base: Path, here: Path, texts: list[Path],
           images: list[Path]) -> list[PostSource]:
    def rel(p: Path) -> str:
        return str(base / p.relative_to(root))

    # A sub-folder holding exactly one text file is one post with all its images.
    if here != root and len(texts) == 1:
        return [PostSource(label=rel(texts[0]), text_file=texts[0], images=tuple(images),
                           root=root, base=base)]
    claimed: set[Path] = set()
    out: list[PostSource] = []
    stems = {t.stem: t for t in texts}
    for text in texts:
        mine = tuple(
            i for i in images if _image_stem(i)[0] == text.stem or i.stem == text.stem
        )
        claimed.update(mine)
        out.append(PostSource(label=rel(text), text_file=text, images=mine, root=root,
                              base=base))
    for image in images:
        if image not in claimed and _image_stem(image)[0] not in stems:
            out.append(PostSource(label=rel(image), text_file=None, images=(image,),
                                  root=root, base=base))
    return out
