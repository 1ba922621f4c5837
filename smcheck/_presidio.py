"""Presidio at the cost of what smcheck uses: its import, and smcheck's registry.

`import presidio_analyzer` imports every predefined recognizer class, and each class
body builds its `Pattern`s, and `Pattern.__init__` validates its regular expression by
compiling it: ~150 compiles with the `regex` module, 0.1 s of a cold one-post check
(the URL recognizer's four patterns, each an alternation of ~600 top-level domains,
are half of it). smcheck runs four of those recognizers, whose patterns Presidio
compiles again (with flags) when they first run. So the package is imported with that
import-time validation skipped, and put back at once.

smcheck's own models/recognizers.yaml is built the same way: Presidio would compile
each of its ~45 patterns twice, once to validate it (no flags) and again, with the
registry's flags, when it first runs. tests/test_lexicon.py compiles every one of them.
A district's YAML (config `recognizers`) is validated as Presidio always does.

Everything else is Presidio's own code, unchanged; if its layout changes, this falls
back to a plain import.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

_PACKAGE = "presidio_analyzer"


def load() -> ModuleType:
    """presidio_analyzer, imported once per process (see the module's docstring)."""
    if _PACKAGE in sys.modules:
        return sys.modules[_PACKAGE]
    spec = importlib.util.find_spec(_PACKAGE)
    if spec is None or spec.loader is None:
        return importlib.import_module(_PACKAGE)  # raises the usual ImportError
    package = importlib.util.module_from_spec(spec)
    sys.modules[_PACKAGE] = package
    try:
        # The package's __init__ has not run yet: only this one module is loaded.
        importlib.import_module(f"{_PACKAGE}.pattern")
        with trusted_patterns():
            spec.loader.exec_module(package)
    except BaseException:
        for name in [m for m in sys.modules if m == _PACKAGE or m.startswith(_PACKAGE + ".")]:
            del sys.modules[name]
        raise
    return package


@contextmanager
def trusted_patterns() -> Iterator[None]:
    """Within: a `Pattern` is not compiled to validate it (Presidio compiles it with
    its flags when it first runs). Only for patterns that ship, tested."""
    pattern = sys.modules[f"{_PACKAGE}.pattern"].Pattern
    validate = pattern.__dict__.get("_Pattern__validate_regex")
    if validate is None:  # another Presidio: nothing to skip
        yield
        return
    pattern._Pattern__validate_regex = staticmethod(_not_now)
    try:
        yield
    finally:
        pattern._Pattern__validate_regex = validate


def _not_now(regex: str) -> None:
    """A trusted pattern: compiled when (and if) it runs."""


def read_registry(path: Path) -> dict[str, Any]:
    """A Presidio registry YAML file, read with libyaml where PyYAML has it (Presidio's
    own reading uses the pure-Python loader: 20 ms for smcheck's file)."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with path.open(encoding="utf-8") as fh:
        data = yaml.load(fh, Loader=loader)  # a safe loader, C or Python
    if not isinstance(data, dict):
        raise ValueError(f"{path}: not a recognizer registry (a YAML mapping)")
    return data
