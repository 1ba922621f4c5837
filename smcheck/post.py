"""Posts (SPEC section 2): a text, its images, its publish time; folder discovery.

A `.md` post may open with a `---` YAML block (publish_at, images, public_event)
that overrides the folder convention and `--publish-at`. The post text the
rules see is what follows the block, so spans point at what gets published.
"""

from __future__ import annotations

import fnmatch
import os
import re
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime, tzinfo
from functools import cache
from pathlib import Path, PurePath
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from smcheck.display import shown
from smcheck.documents import (
    DRAFT_SUFFIXES,
    MAX_DRAFT_BYTES,
    Embedded,
    Unread,
    html_images,
    read_draft,
    refuse_post,
    sniff,
    unchecked_kind,
    unchecked_suffixes,
)
from smcheck.errors import InputError
from smcheck.lexicon import models_dir
from smcheck.textfile import decode, open_regular, read_regular

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
    # Where `text` starts in the file, after any front matter: reporters that point at
    # lines of the file (SARIF, GitHub) count these too.
    body_start: int = 0
    body_line: int = 0
    # A draft's own photos (smcheck.documents), in memory, and the parts of it that
    # could not be checked: each one a finding on the post.
    embedded: tuple[Embedded, ...] = ()
    unchecked: tuple[Unread, ...] = ()

    def media_files(self) -> dict[str, Path]:
        """Each photo's name in findings and the file its content is in (a draft's own
        photos are in the draft): what an accepted finding's hash reads."""
        files = {self.label(i): i for i in self.images}
        if self.embedded and self.folder is not None:
            draft = self.folder / PurePath(self.path).name
            files.update({e.label: draft for e in self.embedded})
        return files

    def label(self, file: Path) -> str:
        """How a file of this post is named in the output: in an audit, the folder as the
        user gave it and the path below it ("posts/trip.jpg", SPEC section 6)."""
        if self.root is not None:
            try:
                rel = file.resolve().relative_to(self.root)
            except ValueError:
                return shown(str(file))
            return shown(str(self.base / rel) if self.base is not None else str(rel))
        return shown(str(file))


@dataclass(frozen=True, kw_only=True)
class PostSource:
    """A post found on disk, not yet read: reading it can fail on its own."""

    label: str
    text_file: Path | None
    images: tuple[Path, ...]
    root: Path | None = None
    base: Path | None = None
    error: str | None = None  # found but not readable (a folder that cannot be listed)


def decode_text(data: bytes, file: str) -> str:
    """A post's text: as the roster is read (smcheck.textfile), at most 1 MB, not empty."""
    if len(data) > MAX_TEXT_BYTES:
        raise InputError(
            file, f"post is {len(data) // 1_000_000} MB; a post over 1 MB is not a post"
        )
    text = decode(data, file, what="post text")
    if not text.strip():
        raise InputError(file, "post is empty")
    return text


_FRONT = re.compile(r"\A---[ \t]*\r?\n(.*?)^---[ \t]*(?:\r?\n|\Z)", re.S | re.M)


@cache
def _loader() -> type[Any]:
    """Safe YAML without implicit timestamps: `publish_at` stays the string the user
    wrote, and an impossible date ("2026-11-31") is our error, not PyYAML's ValueError.
    Built on first use: only posts with front matter pay for importing PyYAML."""
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    Loader.yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    return Loader


@dataclass(frozen=True, kw_only=True)
class FrontMatter:
    data: dict[str, object]
    lines: dict[str, int]  # each key's line in the file
    body_start: int  # characters of the file before the post text
    body_line: int  # lines of the file before the post text


_NO_FRONT = FrontMatter(data={}, lines={}, body_start=0, body_line=0)


def split_front_matter(text: str, file: str) -> tuple[FrontMatter, str]:
    """The `---` block and the post text after it. Error messages never quote the
    block: it is post text, and may hold students' names (SPEC section 8)."""
    m = _FRONT.match(text)
    if not m:
        return _NO_FRONT, text
    import yaml

    loader = None
    try:
        loader = _loader()(m.group(1))  # refuses control characters already
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else {}
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 2 if mark is not None else None
        raise InputError(file, f"front matter is not valid YAML ({_unquoted(exc.problem)})",
                         line=line) from None
    except yaml.reader.ReaderError:
        raise InputError(file, "front matter is not valid YAML (a control character)",
                         line=2) from None
    except (yaml.YAMLError, ValueError, TypeError, RecursionError):
        raise InputError(file, "front matter is not valid YAML", line=2) from None
    finally:
        if loader is not None:
            loader.dispose()
    if node is None or data is None:  # `---` then `---`, or only comments: no keys
        data, node = {}, yaml.MappingNode("tag:yaml.org,2002:map", [])
    if not isinstance(data, dict) or not isinstance(node, yaml.MappingNode):
        raise InputError(file, "front matter must be a YAML mapping", line=2)
    lines = {str(k.value): k.start_mark.line + 2 for k, _ in node.value
             if isinstance(k, yaml.ScalarNode)}
    return FrontMatter(data={str(k): v for k, v in data.items()}, lines=lines,
                       body_start=m.end(), body_line=text.count("\n", 0, m.end())), \
        text[m.end():]


def _unquoted(problem: str | None) -> str:
    """PyYAML's problem, without the words it quotes from the post: its own tokens
    (',', ']', '<stream end>') stay, anything with a letter or digit in it goes."""
    def keep(m: re.Match[str]) -> str:
        inner = m.group(0)[1:-1]
        token = re.fullmatch(r"<[a-z ]+>", inner) or not re.search(r"\w", inner)
        return m.group(0) if token else "'...'"

    return re.sub(r"'[^']*'|\"[^\"]*\"", keep, problem or "syntax error")


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


def parse_publish_at(value: object, file: str, *, echo: bool = True,
                     line: int | None = None) -> datetime:
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
                problem = f"unknown time zone {m.group(2)!r}" if echo else \
                    "publish_at has an unknown time zone"
                raise InputError(file, problem, line=line) from None
        try:
            dt = datetime.fromisoformat(raw)
        except ValueError:
            # Front matter is post text: its value is not repeated in an error.
            shown = f" {value!r}" if echo else ""
            raise InputError(file, f"publish_at{shown} is not an ISO 8601 date-time "
                             "(YYYY-MM-DDTHH:MM, a real date)", line=line) from None
    if zone is not None:
        return dt.replace(tzinfo=zone) if dt.tzinfo is None else dt.astimezone(zone)
    local = local_zone()
    if dt.tzinfo is None:
        return dt.replace(tzinfo=local)
    if dt.utcoffset() == dt.astimezone(local).utcoffset():
        return dt.astimezone(local)
    return dt


_FRONT_KEYS = ("publish_at", "images", "public_event")


def build_post(label: str, text: str, images: tuple[Path, ...], base: Path | None) -> Post:
    front, body = split_front_matter(text, label)
    meta = front.data
    unknown = sorted(set(meta) - set(_FRONT_KEYS), key=lambda k: front.lines.get(k, 0))
    if unknown:
        # Named by line, not quoted: a key is as much post text as the rest.
        raise InputError(label, f"unknown front matter key (known: {', '.join(_FRONT_KEYS)})",
                         line=front.lines.get(unknown[0]))
    if not body.strip():
        raise InputError(label, "post is empty")
    publish_at = None
    if "publish_at" in meta:
        publish_at = parse_publish_at(meta["publish_at"], label, echo=False,
                                      line=front.lines.get("publish_at"))
    public_event = meta.get("public_event")
    if public_event is not None and not isinstance(public_event, bool):
        raise InputError(label, "front matter public_event must be true or false",
                         line=front.lines.get("public_event"))
    if "images" in meta:
        images = listed_images(meta["images"], label, base, front.lines.get("images"))
    return Post(path=label, text=body, images=images, publish_at=publish_at,
                public_event=public_event, folder=base, body_start=front.body_start,
                body_line=front.body_line)


def listed_images(listed: object, label: str, base: Path | None,
                  line: int | None = None) -> tuple[Path, ...]:
    if not isinstance(listed, list) or not all(isinstance(i, str) and i for i in listed):
        raise InputError(label, "front matter images must be a list of paths", line=line)
    folder = base if base is not None else Path.cwd()
    return tuple(folder / i for i in listed)


def read_post(source: PostSource) -> Post:
    if source.error is not None:
        raise InputError(source.label, source.error)
    if source.text_file is None:
        return Post(path=source.label, text="", images=source.images, root=source.root,
                    base=source.base)
    suffix = source.text_file.suffix.lower()
    kind = unchecked_kind(source.text_file.name)
    if kind is not None:  # `check notes.pdf`: what to do instead
        raise InputError(source.label, f"is a {kind.kind}: {kind.advice}")
    if suffix in DRAFT_SUFFIXES:
        data = read_regular(source.text_file, source.label, limit=MAX_DRAFT_BYTES,
                            what="draft")
        return replace(_read_draft(source, suffix, data), root=source.root, base=source.base)
    data = read_regular(source.text_file, source.label, limit=MAX_TEXT_BYTES, what="post")
    if sniff(data) in ("docx", "odt", "rtf"):  # a Word file saved under a .txt name
        return replace(_read_draft(source, suffix, data), root=source.root, base=source.base)
    refuse_post(data, source.label)
    text = decode_text(data, source.label)
    post = build_post(source.label, text, source.images, source.text_file.parent)
    return replace(post, root=source.root, base=source.base)


def _read_draft(source: PostSource, suffix: str, data: bytes) -> Post:
    """A Word, OpenDocument, rich-text or web draft: its text as a reader sees it, its
    own photos and the photos beside it (smcheck.documents)."""
    assert source.text_file is not None
    draft = read_draft(data, source.label, suffix)
    # The local photos an .html draft shows, when its source did not come from a folder
    # (`smcheck.check(Path("news.html"))`): discovery lists them already.
    have = {_key(i) for i in source.images}
    shown_images = tuple(p for p in (source.text_file.parent / i for i in draft.linked)
                         if _key(p) not in have)
    images = source.images + shown_images
    if not draft.text.strip() and not draft.embedded and not images:
        raise InputError(source.label, "post is empty (no text and no photo in the draft)")
    return Post(path=source.label, text=draft.text, images=images,
                embedded=draft.embedded, unchecked=draft.unchecked,
                folder=source.text_file.parent)


_NUMBERED = re.compile(r"^(?P<stem>.+?)(?:[-_](?P<n>\d+))?$")


def _image_stem(path: Path) -> tuple[str, str]:
    m = _NUMBERED.match(path.stem)
    assert m is not None
    return m.group("stem"), path.stem


def discover(folder: Path) -> Iterator[PostSource]:
    """Posts in a folder, sorted by path: the audit's output order does not depend on the
    disk. A sub-folder that cannot be read is a post of its own that says so (an E901):
    never skipped without a word."""
    root = folder.resolve()
    found: list[PostSource] = []
    seen_dirs: set[tuple[int, int]] = set()

    def unreadable(exc: OSError) -> None:
        where = Path(exc.filename) if exc.filename else root
        try:
            label = str(folder / where.relative_to(root))
        except ValueError:
            label = str(where)
        found.append(PostSource(label=shown(label), text_file=None, images=(), root=root,
                                base=folder, error=f"cannot read folder: {exc.strerror or exc}"))

    for dirpath, dirnames, filenames in os.walk(root, onerror=unreadable, followlinks=True):
        try:
            st = os.stat(dirpath)
        except OSError as exc:  # gone since it was listed
            unreadable(exc)
            dirnames.clear()
            continue
        key = (st.st_dev, st.st_ino)
        if key in seen_dirs:  # a symlink loop: do not walk it twice
            dirnames.clear()
            continue
        seen_dirs.add(key)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        here = Path(dirpath)
        texts, images = _post_files(here, filenames)
        found.extend(_group(root, folder, here, texts, images))
    # A photo a post in another folder lists (`images: [../photos/stage.jpg]`) is that
    # post's, not also a photo-only post of its own folder.
    listed = {_key(i) for s in found if s.text_file is not None for i in s.images}
    yield from sorted((s for s in found if s.text_file is not None or s.error is not None
                       or not all(_key(i) in listed for i in s.images)),
                      key=lambda s: s.label)


@cache
def _not_posts() -> re.Pattern[str]:
    """models/files.toml: a README, a CHANGELOG, a LICENSE.txt is not a post."""
    with (models_dir() / "files.toml").open("rb") as fh:
        patterns = tomllib.load(fh)["not_posts"]
    return re.compile("|".join(fnmatch.translate(p.casefold()) for p in patterns))


def is_post_text(name: str) -> bool:
    """Whether a file of this name is a post's text (`audit` and `smcheck hook`): a .txt
    or .md, or a Word, OpenDocument, rich-text or web draft."""
    return name.lower().endswith(TEXT_SUFFIXES + DRAFT_SUFFIXES) and \
        not _not_posts().match(name.casefold())


def is_media(name: str) -> bool:
    """A photo, or a file smcheck cannot check that goes with a post (a clip, a PDF:
    models/files.toml), which is then a finding on that post."""
    lower = name.lower()
    return lower.endswith(IMAGE_SUFFIXES) or (
        lower.endswith(unchecked_suffixes()) and not _not_posts().match(name.casefold()))


def _post_files(here: Path, names: Iterable[str]) -> tuple[list[Path], list[Path]]:
    """A folder's post texts and media (photos, and the clips and documents smcheck
    cannot check): hidden files, READMEs, CHANGELOGs and the other documents of
    models/files.toml are neither."""
    files = sorted(f for f in names if not f.startswith("."))
    texts = [here / f for f in files if is_post_text(f)]
    images = [here / f for f in files if is_media(f)]
    return texts, images


def sources_for_file(file: Path, label: str | None = None) -> list[PostSource]:
    """A post given as its text file (`check FILE`, a hook's changed file), with the
    photos `audit` of its folder would give it: NAME.jpg, NAME-1.png, NAME_2.heic beside
    it, or its front matter's `images:`. First the post itself, then a photo-only post
    for each photo beside it that its front matter leaves out (never a photo that
    vanishes unchecked). `label` names the post as the user did (default: `file`)."""
    here = file.parent
    try:
        names = os.listdir(here)
    except OSError:
        names = []
    texts, images = _post_files(here, names)
    texts = [t for t in texts if t.name != file.name] + [file]
    root = here.resolve()
    groups = _group(root, here, here, texts, images, only=file)
    label = shown(label if label is not None else str(file))
    return [replace(s, label=label) if s.text_file == file else s for s in groups]


def _key(p: Path) -> str:
    return os.path.normpath(p)


def _listed(text: Path) -> tuple[Path, ...] | None:
    """The photos a post's front matter lists (or an .html draft shows), or None (no
    list, or a post that cannot be read: reading it again reports that as its E901)."""
    if text.suffix.lower() in (".html", ".htm"):
        try:
            data = read_regular(text, str(text), limit=MAX_DRAFT_BYTES, what="draft")
            shown_images = html_images(data, str(text))
        except (OSError, InputError):
            return None
        return tuple(text.parent / i for i in shown_images) or None
    try:
        with open_regular(text) as fh:  # never a blocking open of a pipe
            if fh.read(3) != b"---":
                return None
        data = read_regular(text, str(text), limit=MAX_TEXT_BYTES, what="post")
        front, _ = split_front_matter(decode(data, str(text)), str(text))
        if "images" not in front.data:
            return None
        return listed_images(front.data["images"], str(text), text.parent)
    except (OSError, InputError):
        return None


def _group(root: Path, base: Path, here: Path, texts: list[Path],
           images: list[Path], only: Path | None = None) -> list[PostSource]:
    """One folder's posts. A text's photos: all of the folder's in a sub-folder holding
    one text; else those named after it; in both cases its front matter's `images:`
    instead when it has one. A photo no post has is a photo-only post. `only`: just
    that text's post and the photo-only posts its front matter makes."""
    def rel(p: Path) -> str:
        try:
            return shown(str(base / p.relative_to(root)))
        except ValueError:
            return shown(str(p))

    one_post_folder = here != root and len(texts) == 1
    claimed: set[str] = set()
    released: list[Path] = []
    out: list[PostSource] = []
    for text in texts:
        convention = tuple(images) if one_post_folder else tuple(
            i for i in images if _image_stem(i)[0] == text.stem or i.stem == text.stem)
        listed = _listed(text) if text.suffix.lower() in (*TEXT_SUFFIXES, ".html", ".htm") \
            or text == only else None
        mine = convention if listed is None else listed
        claimed.update(_key(i) for i in mine)
        if listed is not None and (only is None or text == only):
            keep = {_key(i) for i in listed}
            released.extend(i for i in convention if _key(i) not in keep)
        if only is None or text == only:
            out.append(PostSource(label=rel(text), text_file=text, images=mine, root=root,
                                  base=base))
    alone = released if only is not None else images
    for image in dict.fromkeys(alone):
        if _key(image) not in claimed:
            out.append(PostSource(label=rel(image), text_file=None, images=(image,),
                                  root=root, base=base))
    return out
