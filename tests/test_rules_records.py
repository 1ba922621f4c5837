"""R5xx tables: education records, identifiers, contacts, birth dates."""

from __future__ import annotations

import pytest

from tests.conftest import codes

R501 = [
    ("Mateo has been working hard since his IEP meeting.", ["S1009"]),
    ("Two of my students are failing math.", [None]),
    ("Amara got an F on her spelling test.", ["S1008"]),
    ("Amara scored 95% on the state test!", ["S1008"]),
    ("She has ADHD, so please be patient with her.", [None]),
    ("Mateo qualifies for free and reduced lunch.", ["S1009"]),
    ("Amara was suspended for two days.", ["S1008"]),
    ("Mateo's reading level jumped two grades.", ["S1009"]),
    ("Amara is home sick with asthma again.", ["S1008"]),
    ("Mateo missed school again this week, we hope he feels better!", ["S1009"]),
    ("Welcome back, Sofia! We missed you while you were in the hospital.", ["S1003"]),
    ("Amara is reading at a 6th grade level!", ["S1008"]),
    ("Big congrats to Mateo for finally passing his math test after three tries!", ["S1009"]),
    ("Amara is out this week with the flu. Get well soon!", ["S1008"]),
    ("Mateo will be in the resource room for reading support this semester.", ["S1009"]),
    ("Mateo was sent to the office twice this week.", ["S1009"]),
    ("Shout-out to Mateo, who is working so hard on his /r/ sound in our sessions.", ["S1009"]),
    ("A new student joined our newcomer English class, and we welcome Sofia!", ["S1003"]),
    ("Four students in Room 6 did not pass the vision screening and were referred.", [None]),
    ("Amara was referred to an audiologist after the hearing check.", ["S1008"]),
    ("Hope's EpiPen goes with the class to specials and recess.", ["S1005"]),
    ("Leo scored 14, and Amara grabbed 9 boards after sitting out the first half for a team "
     "rules violation.", ["S1008"]),  # the clause's subject, not everyone named
    ("#MateoStrong\n\nOur teammate had surgery on his knee this week.", ["S1009"]),
    # negatives
    ("Our Lions Club volunteers screened 412 students for vision and hearing.", []),
    ("We practiced the /r/ sound as a class with a tongue twister.", []),
    ("Go Mateo!\n\nOur coach had surgery on his knee this week. Get well, Coach!", []),
    ("Our class average on the state test went up 10 points!", []),
    ("Amara scored 3 goals in the game!", []),
    ("IEP meetings are this week, so office hours move to Friday.", []),
    ("Students in grades 3-5 will visit the library.", []),
    ("Our 4th grade class planted a garden.", []),
    ("Amara's rocket failed to launch, but she rebuilt it.", []),
    ("Ava raised money for cancer research.", []),
    ("Mateo made the honor roll team poster.", []),
    ("92% of our 3rd graders met their reading goal this quarter!", []),
    ("Report cards go home Friday.", []),
    ("Free and reduced lunch applications are due October 1.", []),
    ("Mateo has perfect attendance this year!", []),
    ("Flu shot clinic for families on Saturday in the gym.", []),
]

R502 = [
    ("The jacket belongs to S1001.", ["S1001"]),
    ("Lost water bottle labeled with student ID 204519.", [None]),
    ("Her lunch number: 55123.", [None]),
    ("Student # 88231 left a backpack.", [None]),
    ("Student number 1234567 won the raffle.", [None]),
    ("s1002 forgot a lunchbox.", ["S1002"]),
    ("IDs S1001 and S1008 are on the list.", ["S1001", "S1008"]),
    ("Id #40021 found a lost key.", [None]),
    ("Mateo's student ID is 204519 - please return his lost card.", [None]),
    # negatives
    ("We collected 204519 pennies!", []),
    ("Room 12 and Grade 4 are going.", []),
    ("The S1001X model printer is broken.", []),
    ("Call 503-555-0100.", []),
]

R503 = [
    ("Text me at 503-555-0142.", [None]),
    ("Call me: (503) 555-0142.", [None]),
    ("Email coach.kim@gmail.com with questions.", [None]),
    ("Reach me at +1 971 555 0199 anytime.", [None]),
    ("My cell is 503.555.0123.", [None]),
    ("Write to me at kim@yahoo.com or kim@hotmail.com.", [None, None]),
    ("Questions? mrskim@example.com", [None]),
    ("Reach me at teacher@example-district.org.evil.com", [None]),
    # negatives
    ("Email me at kim@example-district.org.", []),
    ("Email me at kim@mail.example-district.org.", []),  # a subdomain of the district
    ("Call the front office at 503-555-0100 with questions.", []),
    ("We won 42-38 on Friday!", []),
    ("The bake sale raised $1,250.", []),
    ("Room 12 and Grade 4 are going on 12/5.", []),
    ("Our school code is 2026-11-20.", []),
    ("Questions? Reach me at (503) 916-3200 ext. 4412.", []),
    ("Fernhill K-8 | 503-555-0100 (main office)", []),  # labelled after the number
]

R504 = [
    ("Happy birthday to Amara, who turns 10 on March 3rd!", ["S1008"]),
    ("Mateo was born on 3/14/2016.", ["S1009"]),
    ("Happy 9th birthday to Ava Thompson, born March 3!", ["S1001"]),
    ("Amara turns 10 today!", ["S1008"]),
    ("Her birthday is June 5.", [None]),
    ("Mateo's DOB is 2016-03-14.", ["S1009"]),
    ("Happy birthday Mateo, who turned 9 yesterday!", ["S1009"]),
    ("One student turns 10 on Friday!", [None]),
    ("happy 18th birthday to our captain amara!!! born 12/2/2008. the loudest TIGHT MOTION "
     "in the northwest, we love u", ["S1008"]),  # lower case, shouting aside
    # negatives
    ("Happy birthday, Amara!", []),
    ("Our school turns 100 on March 3rd!", []),
    ("We celebrate March birthdays on Friday.", []),
    ("Dr. Seuss was born on March 2, 1904.", []),
]


@pytest.mark.parametrize(("text", "expected"), R501)
def test_r501(check, text: str, expected: list[str | None]) -> None:
    assert [s for _, s in codes(check(text), "R501")] == expected


@pytest.mark.parametrize(("text", "expected"), R502)
def test_r502(check, text: str, expected: list[str | None]) -> None:
    assert sorted(codes(check(text), "R502"), key=str) == sorted(
        (("R502", s) for s in expected), key=str)


@pytest.mark.parametrize(("text", "expected"), R503)
def test_r503(check, text: str, expected: list[str | None]) -> None:
    assert [s for _, s in codes(check(text), "R503")] == expected


@pytest.mark.parametrize(("text", "expected"), R504)
def test_r504(check, text: str, expected: list[str | None]) -> None:
    assert [s for _, s in codes(check(text), "R504")] == expected
