"""E9xx: inputs that could not be read and checks that could not run. Never a silent pass."""

from __future__ import annotations

from collections.abc import Iterator

from smcheck import policies as P
from smcheck.facts import Facts
from smcheck.findings import Severity
from smcheck.rules.base import Context, Hit, rule


@rule(
    code="E901", name="unreadable-input", severity=Severity.VIOLATION,
    summary="an input (text, image, front matter) cannot be read; the rest of the run goes on",
    why="What smcheck could not read, it could not check: a corrupt photo may still show a "
    "restricted student once a phone opens it.",
    example="posts/trip.jpg: cannot identify image file",
    use_instead="Re-export the photo (JPEG or PNG) or fix the file, then check again.",
    policy=(P.SPPS_PRIVATE_DATA, P.PPS_CONSENT),
)
def unreadable_input(facts: Facts, ctx: Context) -> Iterator[Hit]:
    """Reports each input of a post that could not be read, naming the file and the
    problem. In an audit the other posts are still checked."""
    for p in facts.problems:
        yield Hit(source="input", file=p.file, key=f"{p.file}:{p.message}",
                  message=f"Could not read this input, so it was not checked: {p.message}.")


@rule(
    code="E902", name="check-unavailable", severity=Severity.VIOLATION,
    summary="a check could not run (e.g. a post has images but the face checks cannot run)",
    why="A check that did not run must never look like a pass: a photo nobody checked may "
    "show a student without a media release.",
    example="field-trip.jpg: the face checks could not load",
    use_instead="Check the photo by hand against the roster's releases, or fix the install.",
    policy=(P.SPPS_PRIVATE_DATA, P.PPS_CONSENT),
)
def check_unavailable(facts: Facts, ctx: Context) -> Iterator[Hit]:
    """Reports each check that could not run on this post, and why."""
    for u in facts.unavailable:
        yield Hit(source="image" if u.file else "input", file=u.file,
                  key=f"{u.check}:{u.file}",
                  message=f"The {u.check} did not run: {u.reason}. Check it by hand against "
                          "the roster's media releases before posting.")
