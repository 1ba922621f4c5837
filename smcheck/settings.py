"""The settings in force for a run: which config and roster, found where (SPEC section 3).

One resolution for the CLI, the Python API and `smcheck serve`, so each of them can
say which files it used and, aloud, when there was no roster or no config and what
that means (SPEC section 6, last paragraph). Nothing here names a student.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from smcheck.codes import RULE_CODES
from smcheck.config import Config, discover_config, load_config_file, parse_fail_on
from smcheck.errors import InputError
from smcheck.findings import Notice
from smcheck.roster import EMPTY_ROSTER, Roster, load_roster

ConfigSource = Literal["argument", "SMCHECK_CONFIG", "discovered", "none"]
RosterSource = Literal["argument", "SMCHECK_ROSTER", "config", "none"]

NO_ROSTER = Notice(
    code="no-roster",
    message="No roster found: names are caught only as full names (no first names, "
    "nicknames or media releases), and every face is unverified. Give one with --roster, "
    "SMCHECK_ROSTER or `roster = ...` in smcheck.toml.")
NO_CONFIG = Notice(
    code="no-config",
    message="No config found: defaults in force (fail_on = violation; no staff names, so "
    "staff full names are possible students; no district email domains, so every email "
    "address is personal contact). Give one with --config, SMCHECK_CONFIG or smcheck.toml.")
NO_REFERENCE_PHOTOS = Notice(
    code="no-reference-photos",
    message="The roster has no reference photos: faces cannot be matched to students, so "
    "every face is unverified (F401). Add a `photo` column to the roster.")


def notices_for(config: Config, roster: Roster, photos: bool = False) -> tuple[Notice, ...]:
    """What a reader of any output must be told about a run's settings; `photos`: the
    run checked photos."""
    out = []
    if roster.path is None:
        out.append(NO_ROSTER)
    elif photos and not any(s.photos for s in roster.students):
        out.append(NO_REFERENCE_PHOTOS)
    if config.path is None:
        out.append(NO_CONFIG)
    return tuple(out)


@dataclass(frozen=True, kw_only=True)
class Settings:
    config: Config
    config_source: ConfigSource
    roster: Roster
    roster_source: RosterSource

    @property
    def notices(self) -> tuple[Notice, ...]:
        return notices_for(self.config, self.roster)

    def describe(self) -> dict[str, object]:
        """The settings in force, as counts and paths: never a student's name."""
        from datetime import date

        from smcheck.roster import summarize

        cfg = self.config
        roster: dict[str, object] = {"path": None, "source": self.roster_source}
        if self.roster.path is not None:
            roster = {"path": str(self.roster.path), "source": self.roster_source,
                      **summarize(self.roster, date.today())}
        return {
            "config": {"path": str(cfg.path) if cfg.path else None,
                       "source": self.config_source},
            "roster": roster,
            "fail_on": cfg.fail_on.label if cfg.fail_on is not None else "never",
            "staff": len(cfg.staff),
            "district_email_domains": list(cfg.district_email_domains),
            "face_tolerance": cfg.face_tolerance,
            "select": sorted(cfg.select) if cfg.select is not None else None,
            "ignore": sorted(cfg.ignore),
            "severity": {code: sev.label for code, sev in sorted(cfg.severity.items())},
            "notices": [{"code": n.code, "message": n.message} for n in self.notices],
        }


def _codes(values: tuple[str, ...], option: str) -> frozenset[str]:
    """Rule codes or their prefixes ("N", "N1", "N101"), comma- or space-separated."""
    out: set[str] = set()
    for value in values:
        for part in value.replace(",", " ").split():
            code = part.strip().upper()
            if not any(c.startswith(code) for c in RULE_CODES):
                raise InputError(option, f"unknown rule code or prefix {part!r}")
            out.add(code)
    return frozenset(out)


def resolve(
    roster: Path | Roster | None = None,
    config: Path | Config | None = None,
    *,
    start: Path | None = None,
    fail_on: str | None = None,
    select: tuple[str, ...] = (),
    ignore: tuple[str, ...] = (),
    channel: str | None = None,
) -> Settings:
    """Config from the argument, else SMCHECK_CONFIG, else smcheck.toml or
    [tool.smcheck] in pyproject.toml in `start` (default: the current folder) or a
    parent; roster from the argument, else SMCHECK_ROSTER, else the config's."""
    config_source: ConfigSource
    if isinstance(config, Config):
        cfg, config_source = config, "argument"
    elif config is not None:
        cfg, config_source = load_config_file(Path(config)), "argument"
    elif os.environ.get("SMCHECK_CONFIG"):
        cfg, config_source = load_config_file(Path(os.environ["SMCHECK_CONFIG"])), \
            "SMCHECK_CONFIG"
    else:
        found = discover_config((start or Path.cwd()).resolve())
        cfg = load_config_file(found) if found else Config()
        config_source = "discovered" if found else "none"
    if fail_on is not None:
        try:
            cfg = replace(cfg, fail_on=parse_fail_on(fail_on))
        except ValueError as exc:
            raise InputError("--fail-on", str(exc)) from None
    if channel is not None:
        from smcheck.config import parse_channel

        cfg = replace(cfg, channel=parse_channel(channel, "--channel"))
    if select:
        cfg = replace(cfg, select=_codes(select, "--select"))
    if ignore:
        cfg = replace(cfg, ignore=cfg.ignore | _codes(ignore, "--ignore"))

    roster_source: RosterSource
    if isinstance(roster, Roster):
        return Settings(config=cfg, config_source=config_source, roster=roster,
                        roster_source="argument" if roster.path else "none")
    if roster is not None:
        path: Path | None = Path(roster)
        roster_source = "argument"
    elif os.environ.get("SMCHECK_ROSTER"):
        path, roster_source = Path(os.environ["SMCHECK_ROSTER"]), "SMCHECK_ROSTER"
    elif cfg.roster is not None:
        path, roster_source = cfg.roster, "config"
    else:
        path, roster_source = None, "none"
    ros = load_roster(path, fmt=cfg.roster_format) if path is not None else EMPTY_ROSTER
    return Settings(config=cfg, config_source=config_source, roster=ros,
                    roster_source=roster_source)


def watched_files(settings: Settings, start: Path | None = None) -> tuple[object, ...]:
    """A fingerprint of the files the settings came from (and of where a config would be
    discovered): `smcheck serve` reloads when it changes."""
    def stamp(p: Path | None) -> object:
        if p is None:
            return None
        try:
            st = p.stat()
        except OSError:
            return (str(p), None)
        return (str(p), st.st_mtime_ns, st.st_size)

    photos = tuple(stamp(p) for s in settings.roster.students for p in s.photos)
    found = None
    if settings.config_source in ("discovered", "none"):
        found = discover_config((start or Path.cwd()).resolve())
    return (stamp(settings.config.path), stamp(settings.roster.path), photos, str(found),
            os.environ.get("SMCHECK_CONFIG"), os.environ.get("SMCHECK_ROSTER"))
