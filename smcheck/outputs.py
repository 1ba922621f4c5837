"""Files smcheck writes when asked (--report, --annotate): checked before the run starts,
then written whole.

A destination that cannot be written is known before a long audit, as a one-line
error (exit 2). Each file is written to a temporary file in its destination folder and
renamed over the destination: never half a report, and no temporary file (which
would hold students' names) survives a failure, nor lands in the working folder.

What smcheck writes names students (a report, an annotated photo, a fixed copy, JSON or
SARIF in a file), so it is the user's alone, as the user cache is: files 0600, and the
folders smcheck creates for them 0700 (a folder that already exists keeps its mode).
The accepted-findings file is the one exception (accept.py): keyed hashes and no word of
a post, shared with whoever reviews the posts beside it.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from smcheck.errors import InputError


def prepare_file(path: Path) -> None:
    """A file smcheck will write at the end of the run: its folder exists (it is
    created) and can be written; the path is not a folder nor a device."""
    if path.is_dir():
        raise InputError(str(path), "is a folder; give the name of a file to write")
    if path.exists() and not path.is_file():
        raise InputError(str(path), "is not a regular file; give the name of a file to write")
    _writable_folder(path.parent if str(path.parent) else Path("."))


def prepare_folder(path: Path) -> None:
    """A folder smcheck will write files into: created if missing, and writable."""
    if path.exists() and not path.is_dir():
        raise InputError(str(path), "is a file, not a folder; give a folder to write into")
    _writable_folder(path)


def private_folder(folder: Path) -> None:
    """`folder` and any missing parents, each created readable by the user alone; a
    folder that exists is left as it is. Raises OSError (FileExistsError for a file)."""
    missing = []
    here = folder
    while not here.is_dir():
        missing.append(here)
        if here.parent == here:
            break
        here = here.parent
    for path in reversed(missing):
        try:
            path.mkdir(mode=0o700)
        except FileExistsError:
            if not path.is_dir():
                raise
            continue  # made meanwhile by someone else: theirs, left as it is
        os.chmod(path, 0o700)  # whatever the umask


def _writable_folder(folder: Path) -> None:
    try:
        private_folder(folder)
    except FileExistsError as exc:
        # Named as it is on disk: in `a-file/sub`, the file is `a-file`.
        raise InputError(str(exc.filename or folder), "is a file, not a folder") from None
    except OSError as exc:
        raise InputError(str(folder), f"cannot create folder: {exc.strerror or exc}") from None
    try:
        fd, probe = tempfile.mkstemp(dir=folder, prefix=".smcheck-", suffix=".tmp")
    except OSError as exc:
        raise InputError(str(folder), f"cannot write here: {exc.strerror or exc}") from None
    os.close(fd)
    with contextlib.suppress(OSError):
        os.unlink(probe)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomic(path: Path, data: bytes | str, *, private: bool = True) -> None:
    """Write all of `data` to `path`, or nothing: a temporary file beside it, renamed
    over it, removed on any failure (Ctrl-C included). Raises InputError naming `path`.
    The file is readable by the user alone (0600), unless not `private`: then as an
    ordinary write would make it (the umask's)."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    if path.is_dir():
        raise InputError(str(path), "is a folder; give the name of a file to write")
    folder = path.parent
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise InputError(str(path), f"cannot write: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o600 if private else 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise InputError(str(path), f"cannot write: {exc.strerror or exc}") from None
        raise
