"""C6xx and L202 tables."""

from __future__ import annotations

import pytest

from tests.conftest import codes

C601 = [
    "Follow our class Snapchat @room12rocks for daily photos!",
    "Add us on Snap: room12rocks",
    "Snap me your project photos tonight.",
    "Join our group on Yik Yak!",
    "Our team is on Whisper now, come say hi.",
    "Parents, find us on SnapChat for updates.",
    "Download the Secret app and ask me anything.",
    "Check our Kik group for homework help.",
]
C601_NOT = [
    "Talk to your kids about Snapchat safety.",
    "We learned about the dangers of Yik Yak in digital citizenship.",
    "Please don't use Snapchat to share class photos.",
    "Can you keep a secret? The play is amazing.",
    "Whisper quietly in the library, please.",
    "Snap peas from our garden are ready!",
    "We read Whisper of the Wind in class.",
    "Oh snap, what a game!",
]

C602 = [
    "Need help with homework? DM me anytime!",
    "Text me if you need a ride.",
    "My DMs are open for questions.",
    "Send me a private message if you are worried.",
    "Message me privately about the trip.",
    "Shoot me a text when you get home.",
    "Here's my cell: call anytime.",
    "Slide into my DMs with your project ideas!",
    "Wrestling update\n\nGreat first week, team!\n\nText me if you will miss practice.",
]
C602_NOT = [
    "Please don't DM me; email instead.",
    "Email me at my district address with questions.",
    "The district will send a text message to families.",
    "Our class is my number one priority.",
    "Students should not message me on Instagram.",
    "Watch your inbox for the newsletter.",
    "Text messages from the district come from 12345.",
    "Direct questions to the front office.",
    "Students can message me on Google Classroom with questions.",
    "Text me through Remind if the bus is late.",
    "Wrestling: Parent Info\n\nA few things for parents:\n- Practice ends at 5.\n\n"
    "Running late for pickup? Text me anytime.",
]

L202 = [
    ("Thanks to the Nguyen family for hosting the picnic at 4521 SE Oak Street!", [None]),
    ("Ava Thompson lives at 12 Elm St.", ["S1001"]),
    ("Pick up Mateo at 880 N Lombard Ave after the game.", ["S1009"]),
    ("Sleepover at Amara's house, 77 Rose Lane!", ["S1008"]),
    ("Drop off at 1501 NE Alberta Street, Apt 4.", [None]),
    ("The party is at Leo's home, 300 W Burnside Rd.", ["S1002"]),
    ("Mom will bring the cookies to 12 Maple Court.", [None]),
    ("Families: the carpool leaves from 9 Birch Way.", [None]),
    ("The Hernández family is moving to 4411 NE Alberta St next month.", ["S1003"]),
    ("Thanks to the Okafors for hosting the picnic at 12 Elm St, their home!", ["S1008"]),
    # negatives
    ("Our school is at 1234 NE Main Street.", []),
    ("The concert is at Lincoln Elementary, 1234 NE Main Street.", []),
    ("Meet at the library, 801 SW 10th Avenue.", []),
    ("We read 3 chapters of Main Street Kids.", []),
    ("Room 12 won 42-38.", []),
    ("District office: 501 N Dixon Street.", []),
]


@pytest.mark.parametrize("text", C601)
def test_c601(check, text: str) -> None:
    assert codes(check(text), "C601") == [("C601", None)]


@pytest.mark.parametrize("text", C601_NOT)
def test_c601_not(check, text: str) -> None:
    assert codes(check(text), "C601") == []


@pytest.mark.parametrize("text", C602)
def test_c602(check, text: str) -> None:
    assert codes(check(text), "C602") == [("C602", None)]


@pytest.mark.parametrize("text", C602_NOT)
def test_c602_not(check, text: str) -> None:
    assert codes(check(text), "C602") == []


@pytest.mark.parametrize(("text", "expected"), L202)
def test_l202(check, text: str, expected: list[str | None]) -> None:
    assert [s for _, s in codes(check(text), "L202")] == expected
