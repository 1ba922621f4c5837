"""Config (SPEC section 4): `--config`, `SMCHECK_CONFIG`, then `smcheck.toml` or
`[tool.smcheck]` in `pyproject.toml` in the current folder or a parent.

Unknown keys are an error: a misspelt `ignore` that silently did nothing would
let a violation through.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from smcheck.codes import RULE_CODES
from smcheck.errors import InputError
from smcheck.findings import Severity
from smcheck.roster import (
    CHANNELS,
    COLUMNS,
    DEFAULT_FORMAT,
    IGNORE,
    Release,
    RosterFormat,
    consent_level,
)
from smcheck.textfile import read_regular

_KEYS = {
    "roster", "district_email_domains", "staff", "fail_on", "face_tolerance", "ignore",
    "severity", "select", "recognizers", "student_number_pattern", "channel",
}
_ROSTER_KEYS = {"path", "columns", "blank_release"}


@dataclass(frozen=True, kw_only=True)
class Config:
    path: Path | None = None
    roster: Path | None = None
    district_email_domains: tuple[str, ...] = ()
    staff: tuple[str, ...] = ()
    fail_on: Severity | None = Severity.VIOLATION  # None: "never"
    face_tolerance: float = 0.5
    ignore: frozenset[str] = frozenset()  # rule codes or prefixes ("N103", "C6")
    select: frozenset[str] | None = None  # only these codes or prefixes; None: all
    severity: dict[str, Severity] = field(default_factory=dict)
    # A district's own Presidio recognizers (a registry YAML file), and the shape of its
    # student numbers (a regular expression): both add to what R502 and the others find.
    recognizers: Path | None = None
    student_number_pattern: str | None = None
    # How the district's roster export is laid out ([roster] table), and the channel a
    # run publishes to (web, social, print): its per-channel consent then applies.
    roster_format: RosterFormat = DEFAULT_FORMAT
    channel: str | None = None

    def enabled(self, code: str) -> bool:
        """Whether a rule runs. E9xx always runs under --select: an input that could not
        be read or checked is never a silent pass."""
        if any(code.startswith(c) for c in self.ignore):
            return False
        return self.select is None or code.startswith("E9") or \
            any(code.startswith(c) for c in self.select)


def parse_fail_on(value: str) -> Severity | None:
    if value.strip().casefold() == "never":
        return None
    return Severity.parse(value)


def parse_channel(value: object, file: str) -> str:
    if not isinstance(value, str) or value.strip().casefold() not in CHANNELS:
        raise InputError(file, f"channel must be one of {', '.join(CHANNELS)}")
    return value.strip().casefold()


def _roster_table(value: object, path: Path) -> dict[str, Any]:
    """`roster = "roster.csv"`, or a [roster] table: path, columns (the export's header ->
    a roster column), blank_release (what an empty consent cell means)."""
    file = str(path)
    if isinstance(value, str):
        return {"roster": (path.parent / value).resolve()}
    if not isinstance(value, dict):
        raise InputError(file, "roster must be a path string or a [roster] table")
    unknown = sorted(set(value) - _ROSTER_KEYS)
    if unknown:
        raise InputError(file, f"[roster]: unknown key(s): {', '.join(unknown)} (known: "
                               f"{', '.join(sorted(_ROSTER_KEYS))})")
    out: dict[str, Any] = {}
    if "path" in value:
        if not isinstance(value["path"], str):
            raise InputError(file, "[roster] path must be a path string")
        out["roster"] = (path.parent / value["path"]).resolve()
    columns = value.get("columns", {})
    if not isinstance(columns, dict):
        raise InputError(file, "[roster.columns] must be a table of \"Header\" = \"column\"")
    known = (*COLUMNS, IGNORE)
    for header, column in columns.items():
        if not isinstance(column, str) or column not in known:
            raise InputError(file, f"[roster.columns] {header!r}: {column!r} is not a roster "
                                   f"column (one of: {', '.join(known)})")
    blank = Release.NONE
    if "blank_release" in value:
        level = consent_level(str(value["blank_release"]))
        if level is None or not isinstance(value["blank_release"], str):
            raise InputError(file, "[roster] blank_release must be full, photo only, name "
                                   "only or none")
        blank = level
    out["roster_format"] = RosterFormat(columns=tuple(columns.items()), blank_release=blank)
    return out


def _str_list(value: object, key: str, file: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputError(file, f"{key} must be a list of strings")
    return tuple(value)


def config_from_table(table: dict[str, Any], path: Path) -> Config:
    file = str(path)
    unknown = sorted(set(table) - _KEYS)
    if unknown:
        raise InputError(
            file, f"unknown key(s): {', '.join(unknown)} (known: {', '.join(sorted(_KEYS))})"
        )
    kwargs: dict[str, Any] = {"path": path}
    if "roster" in table:
        kwargs.update(_roster_table(table["roster"], path))
    if "channel" in table:
        kwargs["channel"] = parse_channel(table["channel"], file)
    if "district_email_domains" in table:
        domains = _str_list(table["district_email_domains"], "district_email_domains", file)
        kwargs["district_email_domains"] = tuple(d.strip().lstrip("@").casefold() for d in domains)
    if "recognizers" in table:
        if not isinstance(table["recognizers"], str):
            raise InputError(file, "recognizers must be a path string")
        extra = (path.parent / table["recognizers"]).resolve()
        if not extra.is_file():
            raise InputError(file, f"recognizers: {table['recognizers']!r} not found")
        kwargs["recognizers"] = extra
    if "student_number_pattern" in table:
        pattern = table["student_number_pattern"]
        if not isinstance(pattern, str):
            raise InputError(file, "student_number_pattern must be a regular expression string")
        try:
            re.compile(pattern)
        except re.error as exc:
            raise InputError(file, f"student_number_pattern is not a valid regular "
                                   f"expression ({exc})") from None
        kwargs["student_number_pattern"] = pattern
    if "staff" in table:
        kwargs["staff"] = _str_list(table["staff"], "staff", file)
    if "fail_on" in table:
        try:
            kwargs["fail_on"] = parse_fail_on(str(table["fail_on"]))
        except ValueError as exc:
            raise InputError(file, f"fail_on: {exc}") from None
    if "face_tolerance" in table:
        tol = table["face_tolerance"]
        if not isinstance(tol, int | float) or not 0 < float(tol) < 1:
            raise InputError(file, "face_tolerance must be a number between 0 and 1")
        kwargs["face_tolerance"] = float(tol)
    for key in ("ignore", "select"):
        if key in table:
            codes = _str_list(table[key], key, file)
            bad = [c for c in codes if not any(r.startswith(c.upper()) for r in RULE_CODES)]
            if bad:
                raise InputError(file, f"{key}: unknown rule code(s) {', '.join(bad)}")
            kwargs[key] = frozenset(c.upper() for c in codes)
    if "severity" in table:
        sev = table["severity"]
        if not isinstance(sev, dict):
            raise InputError(file, "[severity] must be a table of CODE = \"severity\"")
        overrides: dict[str, Severity] = {}
        for code, value in sev.items():
            if code.upper() not in RULE_CODES:
                raise InputError(file, f"[severity]: unknown rule code {code}")
            try:
                overrides[code.upper()] = Severity.parse(str(value))
            except ValueError as exc:
                raise InputError(file, f"[severity] {code}: {exc}") from None
        kwargs["severity"] = overrides
    return Config(**kwargs)


MAX_CONFIG_BYTES = 1_000_000  # a config is a few lines; anything bigger is a wrong file


def _read_toml(path: Path) -> dict[str, Any]:
    # Read as every input is: never a blocking open of a pipe, a folder said as such.
    data = read_regular(path, str(path), limit=MAX_CONFIG_BYTES, what="config file")
    try:
        return tomllib.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise InputError(str(path), f"is not UTF-8 (byte {data[exc.start]:#04x}); a TOML "
                         "file is UTF-8: save it as UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(str(path), f"invalid TOML: {exc}") from None


def load_config_file(path: Path) -> Config:
    data = _read_toml(path)
    if path.name == "pyproject.toml":
        data = data.get("tool", {}).get("smcheck", {})
    return config_from_table(data, path)


def _mentions_smcheck(pyproject: Path) -> bool:
    try:
        return b"tool.smcheck" in read_regular(pyproject, str(pyproject),
                                               limit=MAX_CONFIG_BYTES)
    except InputError:
        return False


def discover_config(start: Path) -> Path | None:
    """smcheck.toml, or a pyproject.toml with [tool.smcheck], here or in a parent."""
    for folder in (start, *start.parents):
        candidate = folder / "smcheck.toml"
        if candidate.is_file():
            return candidate
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file():
            try:
                if "smcheck" in _read_toml(pyproject).get("tool", {}):
                    return pyproject
            except InputError:
                # Ours to judge only if it means to configure smcheck: then loading it
                # says what is wrong, rather than the defaults silently in force.
                if _mentions_smcheck(pyproject):
                    return pyproject
                continue
    return None


def resolve_config(explicit: Path | None, cwd: Path | None = None) -> Config:
    if explicit is not None:
        return load_config_file(explicit)
    env = os.environ.get("SMCHECK_CONFIG")
    if env:
        return load_config_file(Path(env))
    found = discover_config((cwd or Path.cwd()).resolve())
    return load_config_file(found) if found else Config()


def resolve_roster_path(explicit: Path | None, config: Config) -> Path | None:
    if explicit is not None:
        return explicit
    env = os.environ.get("SMCHECK_ROSTER")
    if env:
        return Path(env)
    return config.roster
