"""The user's cache folder: readable by the user alone, written atomically.

Only used when the user asks (`--cache`): face encodings of roster photos, and audit
results. A failure to write is never an error: the cache only saves time.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def folder(name: str) -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "smcheck" / name


def write_private(path: Path, text: str) -> None:
    """Write `text` to `path` with mode 0600 in a 0700 folder, all or nothing."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(path.parent, 0o700)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except OSError:
        pass
