"""C6xx: where a post sends students and families to talk."""

from __future__ import annotations

from collections.abc import Iterator

from smcheck import policies as P
from smcheck.facts import Facts
from smcheck.findings import Severity
from smcheck.rules.base import Context, Hit, rule


@rule(
    code="C601", name="ephemeral-platform", severity=Severity.VIOLATION,
    summary="directs students or families to Snapchat or an anonymous/ephemeral app",
    why="Apps built to erase messages leave no record of what staff and students said to "
    "each other; districts forbid school accounts and staff contact on them.",
    example="Follow our class Snapchat @room12rocks for daily updates!",
    use_instead="Follow our class page on the district-approved platform for updates!",
    policy=(P.PPS_EPHEMERAL, P.TACOMA_SNAPCHAT),
)
def ephemeral_platform(facts: Facts, ctx: Context) -> Iterator[Hit]:
    """Finds Snapchat, Yik Yak, Whisper, Secret and similar apps (models/recognizers.yaml,
    `EPHEMERAL_APP`). A sentence that only talks about an app (a safety lesson, "do not
    use") does not direct anyone to it."""
    for app in facts.text.apps:
        yield Hit(span=app.span, key="app",
                  message="Sends students or families to an app that erases messages: use "
                          "the district-approved platform and district email instead.")


@rule(
    code="C602", name="private-channel", severity=Severity.WARNING,
    summary="invites students to private or direct messages or texts",
    why="Private messages between staff and students leave no record and cross "
    "professional boundaries; districts require district email with a parent copied.",
    example="Need help with the homework? DM me anytime!",
    use_instead="Need help with the homework? Email me at my district address, "
    "and copy a parent.",
    policy=(P.TACOMA_PRIVATE_MESSAGES, P.PPS_PRIVATE_MESSAGES),
)
def private_channel(facts: Facts, ctx: Context) -> Iterator[Hit]:
    """Finds invitations to direct or private messages, texts or a personal cell ("DM me",
    "text me", "my DMs are open", "message me privately"; models/recognizers.yaml,
    `PRIVATE_CHANNEL`); not when the sentence says not to ("please don't DM me") or
    points to a district tool (Google Classroom, Remind...)."""
    for invite in facts.text.private_channels:
        yield Hit(span=invite.span, key="private",
                  message="Invites private messages: send people to your district email "
                          "(with a parent copied for students) instead.")
