"""The rule catalogue: an explicit tuple, in code order. No plugin loading."""

from __future__ import annotations

from smcheck.rules.base import Context, Hit, Rule
from smcheck.rules.conduct import ephemeral_platform, private_channel
from smcheck.rules.faces import (
    ambiguous_face,
    image_location,
    recognised_face,
    safety_flagged_face,
    unreleased_student_face,
    unverified_face,
)
from smcheck.rules.inputs import check_unavailable, unreadable_input
from smcheck.rules.names import (
    possible_student_full_name,
    safety_flagged_student,
    student_full_name,
    unreleased_student_named,
)
from smcheck.rules.places import home_address, student_whereabouts
from smcheck.rules.records import (
    birth_date,
    education_record,
    personal_contact,
    student_identifier,
)
from smcheck.rules.schedule import pre_event_schedule

RULES: tuple[Rule, ...] = (
    student_full_name,
    unreleased_student_named,
    possible_student_full_name,
    safety_flagged_student,
    student_whereabouts,
    home_address,
    image_location,
    pre_event_schedule,
    recognised_face,
    unverified_face,
    unreleased_student_face,
    safety_flagged_face,
    ambiguous_face,
    education_record,
    student_identifier,
    personal_contact,
    birth_date,
    ephemeral_platform,
    private_channel,
    unreadable_input,
    check_unavailable,
)

RULE_CODES: frozenset[str] = frozenset(r.code for r in RULES)


def get_rule(code: str) -> Rule | None:
    return next((r for r in RULES if r.code == code.upper()), None)


__all__ = ["RULES", "RULE_CODES", "Context", "Hit", "Rule", "get_rule"]
