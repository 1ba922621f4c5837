"""Files smcheck writes when asked (--report, --annotate): checked before the run starts,
then written whole.

A destination that cannot be written is known before a long audit, as a one-line
error (exit 2). Each file is written to a temporary file in its destination folder and
renamed over the destination: never half a report, and no temporary file (which
would hold students' names) survives a failure, nor lands in the working folder.
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


def _writable_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise InputError(str(folder), "is a file, not a folder") from None
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


def write_atomic(path: Path, data: bytes | str) -> None:
    """Write all of `data` to `path`, or nothing: a temporary file beside it, renamed
    over it, removed on any failure (Ctrl-C included). Raises InputError naming `path`."""
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
        os.chmod(tmp, 0o666 & ~_umask())  # as an ordinary write would make it
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise InputError(str(path), f"cannot write: {exc.strerror or exc}") from None
        raise
