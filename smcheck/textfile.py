"""Reading a user's text file (a post, a roster) as Word, Notepad and Excel save it.

Posts and rosters share one reader: UTF-8 with or without a byte-order mark, UTF-16
with one ("Unicode text" in Notepad and Excel), else Windows-1252. Only regular
files are read: a pipe or a device named `post.txt` would otherwise block the run
for ever.
"""

from __future__ import annotations

import codecs
import errno
import hashlib
import os
import stat
from pathlib import Path
from typing import BinaryIO

from smcheck.errors import InputError

ENCODINGS = "UTF-8, UTF-16 with a byte-order mark, or Windows-1252"
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
         (codecs.BOM_UTF16_BE, "utf-16-be"))
_TEXT_CONTROLS = frozenset("\t\n\r\f\v\x1a")  # \x1a: the DOS end-of-file mark


class NotRegularFile(OSError):
    """A pipe, socket or device where a file was expected."""


def open_regular(path: Path) -> BinaryIO:
    """Open a regular file for reading. Opened without blocking and checked with fstat
    on the same descriptor: a file swapped for a pipe between a check and the open
    cannot hang the run. Raises OSError (IsADirectoryError, NotRegularFile, ...)."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(errno.EISDIR, "is a folder, not a file")
        if not stat.S_ISREG(mode):
            raise NotRegularFile(errno.EINVAL, "not a regular file (a pipe, socket or device)")
    except OSError:
        os.close(fd)
        raise
    return os.fdopen(fd, "rb")


def read_regular(path: Path, file: str, *, limit: int | None = None,
                 what: str = "file") -> bytes:
    """The bytes of a regular file, at most `limit` of them (over it is an error)."""
    try:
        with open_regular(path) as fh:
            size = os.fstat(fh.fileno()).st_size
            if limit is not None and size > limit:
                raise InputError(file, f"is {_size(size)}; a {what} over {_size(limit)} "
                                       f"is not a {what}")
            data = fh.read() if limit is None else fh.read(limit + 1)
    except FileNotFoundError:
        noun = what if what.endswith("file") else "file"
        raise InputError(file, f"{noun} not found") from None
    except (IsADirectoryError, NotRegularFile) as exc:
        raise InputError(file, f"is {exc.strerror}" if isinstance(exc, NotRegularFile)
                         else "is a folder, not a file") from None
    except OSError as exc:
        raise InputError(file, f"cannot read {what}: {exc.strerror or exc}") from None
    if limit is not None and len(data) > limit:  # it grew while we read it
        raise InputError(file, f"is over {_size(limit)}; a {what} over {_size(limit)} "
                               f"is not a {what}")
    return data


def file_digest(path: Path) -> str:
    """The sha256 of a file's content, read as every input is (never a blocking open of
    a pipe); a file that cannot be read has a digest that says why, so it never matches
    a readable one."""
    h = hashlib.sha256()
    try:
        with open_regular(path) as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
    except OSError as exc:
        return hashlib.sha256(f"unreadable:{exc.errno}".encode()).hexdigest()
    return h.hexdigest()


def _size(n: int) -> str:
    return f"{n // 1_000_000} MB" if n >= 1_000_000 else f"{n:,} bytes"


def decode(data: bytes, file: str, *, what: str = "text") -> str:
    """Text from bytes as Windows programs save it. The error names the encodings tried,
    and the line of the first byte none of them accepts."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            body = data[len(bom):]
            try:
                text = body.decode(encoding)
            except UnicodeDecodeError as exc:
                raise InputError(file, f"is not valid {_label(encoding)} {what} (it starts "
                                 f"with a {_label(encoding)} byte-order mark)",
                                 line=_line_of(body, exc.start, encoding)) from None
            return _not_binary(text, file, what)
    if b"\x00" in data[:8192]:
        raise InputError(file, f"is a binary file, not {what}")
    try:
        return _not_binary(data.decode("utf-8"), file, what)
    except UnicodeDecodeError:
        pass
    try:
        # What Word, Notepad and Excel write on Windows when they do not write UTF-8.
        return _not_binary(data.decode("cp1252"), file, what)
    except UnicodeDecodeError as exc:
        raise InputError(file, f"is not {what} in {ENCODINGS} (byte "
                               f"0x{data[exc.start]:02X} fits none of them)",
                         line=data.count(b"\n", 0, exc.start) + 1) from None


def _label(encoding: str) -> str:
    return {"utf-8": "UTF-8", "utf-16-le": "UTF-16", "utf-16-be": "UTF-16"}[encoding]


def _line_of(body: bytes, offset: int, encoding: str) -> int:
    head = body[:offset].decode(encoding, errors="replace")
    return head.count("\n") + 1


def _not_binary(text: str, file: str, what: str) -> str:
    """Windows-1252 decodes any byte: a file of control characters is not text."""
    sample = text[:8192]
    controls = sum(1 for c in sample if c < " " and c not in _TEXT_CONTROLS)
    if "\x00" in sample or controls > max(8, len(sample) // 20):
        raise InputError(file, f"is a binary file, not {what}")
    return text
