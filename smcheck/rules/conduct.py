"""C6xx: where a post sends students and families to talk."""

from __future__ import annotations

import re
from collections.abc import Iterator

from smcheck import policies as P
from smcheck.facts import Facts
from smcheck.findings import Severity
from smcheck.lexicon import phrase_pattern
from smcheck.rules.base import Context, Hit, rule
from smcheck.rules.common import negated_before, sub_span

# Anonymous apps whose names are also words count only as app names.
_APP_NAMES = re.compile(r"\b(?:on|join|download|follow\s+us\s+on)\s+(?:Whisper|Secret|YikYak)\b"
                        r"|\b(?:add|follow|find|snap)\s+(?:us|me|the\s+class)\s+on\s+snap\b"
                        r"|\bsnap\s+(?:me|us)\b", re.I)
_DIRECTIVE = re.compile(r"\b(?:follow|add|join|find|message|dm|snap|download|our\s+(?:class\s+)?"
                        r"snap(?:chat)?|my\s+snap(?:chat)?|username|handle)\b|@\w+", re.I)


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
    """Finds Snapchat, Yik Yak, Whisper, Secret and similar apps (models/lexicon.toml
    `ephemeral_apps`). A sentence that only talks about an app (a safety lesson, "do not
    use") does not direct anyone to it."""
    discussion = phrase_pattern("app_discussion_words")
    for sentence in facts.text.sentences:
        hits = [*phrase_pattern("ephemeral_apps").finditer(sentence.text),
                *_APP_NAMES.finditer(sentence.text)]
        for m in sorted(hits, key=lambda m: m.start()):
            talk_only = discussion.search(sentence.text) and not _DIRECTIVE.search(sentence.text)
            if talk_only or negated_before(sentence, sentence.start + m.start()):
                continue
            yield Hit(span=sub_span(sentence, m.start(), m.end()), key="app",
                      message="Sends students or families to an app that erases messages: use "
                              "the district-approved platform and district email instead.")


_PRIVATE = re.compile(
    r"\b(?:DM|PM)\s+(?:me|us)\b|\bDMs?\s+(?:are|is)\s+open\b|\b(?:my|our)\s+DMs\b"
    r"|\bslide\s+into\s+(?:my|our)\s+DMs\b"
    r"|\b(?:send|shoot|drop)\s+(?:me|us)\s+(?:a\s+)?(?:DM|PM|direct\s+message|private\s+message"
    r"|text|message)\b"
    r"|\b(?:direct|private)(?:ly)?\s+messag\w*\s+(?:me|us)\b"
    r"|\bmessage\s+(?:me|us)\s+(?:privately|directly|on|at|anytime|any\s+time)\b"
    r"|\b(?:text|inbox|whatsapp|snap|kik)\s+me\b|\bhit\s+me\s+up\b"
    r"|\bmy\s+(?:personal\s+)?(?:cell|cell\s+phone|mobile)(?:\s+number)?\b"
    r"|\bmy\s+personal\s+(?:number|phone)\b",
    re.I,
)


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
    "text me", "my DMs are open", "message me privately"); not when the sentence says not
    to ("please don't DM me") or points to a district tool (Google Classroom, Remind...)."""
    platforms = phrase_pattern("district_platforms")
    for sentence in facts.text.sentences:
        if platforms.search(sentence.text):
            continue  # "message me on Google Classroom": a district tool, on the record
        for m in _PRIVATE.finditer(sentence.text):
            if negated_before(sentence, sentence.start + m.start()):
                continue
            yield Hit(span=sub_span(sentence, m.start(), m.end()), key="private",
                      message="Invites private messages: send people to your district email "
                              "(with a parent copied for students) instead.")
