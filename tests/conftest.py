"""Shared fixtures: one spaCy load for the session, a test roster, and no network."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from smcheck.api import Checker
from smcheck.config import Config
from smcheck.findings import Finding
from smcheck.post import Post
from smcheck.roster import Roster, load_roster

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SHARED = ROOT.parent / "shared"
PUBLISH_AT = datetime.fromisoformat("2026-11-20T15:00:00-08:00")


class NetworkAttempt(AssertionError):
    pass


@pytest.fixture(autouse=True, scope="session")
def no_network() -> Iterator[None]:
    """Every test fails if anything tries to open a network connection."""

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise NetworkAttempt(f"network access attempted: {args[:2]!r}")

    saved = (socket.socket.connect, socket.create_connection, socket.getaddrinfo)
    socket.socket.connect = refuse  # type: ignore[method-assign]
    socket.create_connection = refuse
    socket.getaddrinfo = refuse
    yield
    socket.socket.connect, socket.create_connection, socket.getaddrinfo = saved  # type: ignore[method-assign]


@pytest.fixture(scope="session")
def roster() -> Roster:
    return load_roster(DATA / "roster.csv")


@pytest.fixture(scope="session")
def checker(roster: Roster) -> Checker:
    config = Config(staff=("Maria Garcia", "Tom Miller"),
                    district_email_domains=("example-district.org",))
    return Checker(config=config, roster=roster)


@pytest.fixture(scope="session")
def check(checker: Checker):  # type: ignore[no-untyped-def]
    """check(text) -> findings of one post published at PUBLISH_AT."""

    def run(text: str, publish_at: datetime = PUBLISH_AT) -> list[Finding]:
        return list(checker.check_post(Post(path="post.txt", text=text), publish_at).findings)

    return run


def codes(findings: list[Finding], code: str) -> list[tuple[str, str | None]]:
    return [(f.rule, f.student_id) for f in findings if f.rule == code]
