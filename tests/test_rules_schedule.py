"""S301 and L201 tables, published Friday 2026-11-20 at 3 pm Pacific unless said."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from smcheck.api import Checker
from smcheck.post import Post

LA = ZoneInfo("America/Los_Angeles")
NOW = datetime(2026, 11, 20, 15, 0, tzinfo=LA)

# (text, S301 expected, L201 expected)
TABLE = [
    # future trips, games, practices: schedules
    ("Our 3rd graders leave for OMSI on Dec. 5 at 9:15 from the front parking lot!", 1, 0),
    ("Field trip to the pumpkin patch next Wednesday! Buses depart at 9:15.", 1, 0),
    ("Soccer practice Tuesday 3:30 to 5 at Lents Park.", 1, 0),
    ("Practice is Mon-Thu 6-7:30am in the gym.", 1, 0),
    ("Tonight's game at Roosevelt starts at 7pm.", 1, 0),
    ("The team travels to Eugene for the state tournament this weekend.", 1, 0),
    ("Our class will visit the fire station next Tuesday.", 1, 0),
    ("Tomorrow our choir performs at the Schnitzer at 2pm.", 1, 0),
    ("The chess team competes at Lincoln High on 12/5.", 1, 0),
    ("Cross country meet tomorrow at 9 at Blue Lake Park.", 1, 0),
    ("Rehearsal for the play is Thursday at 4:30 in the auditorium.", 1, 0),
    ("Our 5th grade overnight at Camp Namanu is January 8-9.", 1, 0),
    ("Cougars @ Riverside TONIGHT\nJV 5:30 | V 7:00", 1, 0),
    ("Lions vs. Roosevelt, Friday 7:00 at Roosevelt High.", 1, 0),
    ("This week at home. Admission: adults $6.\n\nHOME EVENTS\n- Wrestling vs. Union, Thursday "
     "6:00 pm, main gym\n\nOur 3rd graders leave for OMSI on Dec. 5 at 9:15 from the front "
     "parking lot!", 1, 0),  # the opening covers the home events, not the trip
    ("Next home game Friday vs. Skyview at 7: be there!", 0, 0),
    ("This week at home. Admission: adults $6.\n\nHOME EVENTS\n- Wrestling vs. Union, Thursday "
     "6:00 pm, main gym\n- Swim vs. Evergreen, 3:30 pm, at the CVHS pool", 0, 0),
    ("All home events are open to the public.\n\n- Thu 12/10: Swim vs. Gresham, 4:00, CVHS "
     "Pool", 0, 0),  # the school's pool, by its initials
    ("Come celebrate our seniors before Friday's home game, tip-off at 7:00.", 0, 0),
    ("Email the office @ 9am tomorrow with questions.", 0, 0),
    ("Room 4 families, you're all invited! The Lindgrens will host our class party at their "
     "home on Saturday, December 12, 2:00 to 4:00 p.m. (3318 NE Birchwood Ct).", 0, 0),
    ("Next up: the snack stand at the Winter Concert. We need 8 volunteers a shift on "
     "Thursday at 7.", 0, 0),
    ("The swim team leaves for regionals in two days.", 1, 0),
    ("Field trip reminder: we head to the Oregon Zoo the 30th at 9:00.", 1, 0),
    ("Game tonight at 6pm at Grant High School.", 1, 0),
    ("Pickup after the field trip will be at 3:15 at the front parking lot.", 1, 0),
    ("The team is heading to Bend for the playoffs.", 1, 0),
    ("Mark your calendars: our walking trip to Laurelhurst Park is this Friday at 4.", 1, 0),
    ("Go Lions! Our soccer team plays Jefferson tomorrow at 4 at Delta Park.", 1, 0),
    ("The bus for the field trip leaves at 8:30 tomorrow, so please be on time.", 1, 0),
    ("Basketball tryouts are next Tuesday at 3:30 in the gym.", 1, 0),
    # past events: nothing
    ("Last week we visited the fire station.", 0, 0),
    ("Yesterday our team won the tournament at Grant High School!", 0, 0),
    ("This morning we went to the zoo.", 0, 0),
    ("The swim meet this morning at Mt. Scott Pool was a blast!", 0, 0),
    ("What a trip! On Tuesday we toured the Capitol in Salem.", 0, 0),
    ("Our field trip to OMSI on November 13 was amazing.", 0, 0),
    ("The game ended an hour ago: we won 42-38 at Roosevelt!", 0, 0),
    ("Practice at Lents Park ended at 2pm today.", 0, 0),
    # public events: allowed before
    ("The varsity game vs Lincoln is Friday at 7 - come cheer on the Lions!", 0, 0),
    ("Our winter concert is December 10 at 6pm. All families welcome!", 0, 0),
    ("The spring musical opens March 3 at Roosevelt. Tickets at the door!", 0, 0),
    ("Family game night is Thursday at 6 in the gym.", 0, 0),
    # calendar notices, scores, numbers: not schedules
    ("No school Wednesday for Thanksgiving break.", 0, 0),
    ("Spirit week starts Monday!", 0, 0),
    ("Picture retakes Dec 3.", 0, 0),
    ("We won 42-38 last night!", 0, 0),
    ("Call the office at 503-555-0100.", 0, 0),
    ("Room 12 and Grade 4 had a great week.", 0, 0),
    ("Sign up for tryouts by Friday.", 0, 0),
    ("A fun trip is coming up!", 0, 0),
    ("Firefighters will visit our class on Tuesday.", 0, 0),
    ("Come meet our new principal on Friday at the open house.", 0, 0),
    ("Report cards go home on 12/5.", 0, 0),
    ("Our class loves the zoo.", 0, 0),
    ("Our 2nd graders practiced their addition facts with a fun card game today!", 0, 0),
    ("Math games are a great way to practice at home over the break.", 0, 0),
    ("Keep practicing those spelling words every night.", 0, 0),
    ("Winter break is December 21 - January 2. See you in the new year!", 0, 0),
    ("Our PTA meeting is Tuesday at 6:30pm in the library. Everyone is welcome!", 0, 0),
    ("Kindergarten registration opens January 5.", 0, 0),
    ("Our students performed beautifully at the assembly this morning.", 0, 0),
    ("Our students are learning about Mt. Hood.", 0, 0),
    # whereabouts now or later
    ("Jordan is at Legacy Emanuel hospital.", 0, 1),
    ("Right now our 5th graders are hiking at Mt. Tabor until 4:30.", 0, 1),
    ("Leo and Amara are at the Oregon Zoo with their families today.", 0, 1),
    ("Our class will be in Salem tomorrow.", 0, 1),
    ("We're at the Portland Art Museum all day today!", 0, 1),
    ("Ava Thompson is staying at the Marriott downtown this week.", 0, 1),
    ("The team will be staying at the Hilton in Eugene this weekend.", 0, 1),
    ("Ava is spending December with her grandma on the Big Island of Hawaii.", 0, 1),
    ("Sending love to Ava, who is at Doernbecher Children's Hospital through the weekend.", 0, 1),
    ("The Okafor family is moving to Boise at the end of the semester.", 0, 1),
    # not whereabouts
    ("Ava left her jacket on the bus this morning.", 0, 0),
    ("Our class is moving to Room 12 after break.", 0, 0),
    ("Ava went to Seattle last weekend.", 0, 0),
    ("Our kindergartners are in the library today.", 0, 0),
    ("We are going to Grandma's for Thanksgiving!", 0, 0),
    ("Our class is in Math Club today.", 0, 0),
    ("Our students are in Ms. Lee's class this year.", 0, 0),
    ("Leo is in Spanish class right now.", 0, 0),
]


@pytest.fixture(scope="module")
def run(checker: Checker):  # type: ignore[no-untyped-def]
    def go(text: str, now: datetime = NOW, public: bool | None = None) -> list[str]:
        post = Post(path="p.txt", text=text, public_event=public)
        return [f.rule for f in checker.check_post(post, now).findings]

    return go


@pytest.mark.parametrize(("text", "s301", "l201"), TABLE)
def test_s301_l201(run, text: str, s301: int, l201: int) -> None:  # type: ignore[no-untyped-def]
    rules = run(text)
    assert (rules.count("S301"), rules.count("L201")) == (s301, l201)


def test_front_matter_public_event(run) -> None:  # type: ignore[no-untyped-def]
    text = "Soccer practice Tuesday 3:30 to 5 at Lents Park."
    assert "S301" in run(text)
    assert "S301" not in run(text, public=True)


def test_boundary_an_hour_before_and_after(run) -> None:  # type: ignore[no-untyped-def]
    text = "The chess team competes at Lincoln High today from 1 to 4pm."
    assert run(text, datetime(2026, 11, 20, 15, 0, tzinfo=LA)).count("S301") == 1  # ongoing
    assert run(text, datetime(2026, 11, 20, 17, 0, tzinfo=LA)).count("S301") == 0  # over


def test_yesterday_and_tomorrow(run) -> None:  # type: ignore[no-untyped-def]
    assert "S301" in run("Our field trip to OMSI is tomorrow.")
    assert "S301" not in run("Our field trip to OMSI was yesterday.")


def test_message_gives_the_safe_time_and_the_words(checker: Checker) -> None:
    post = Post(path="p.txt", text="Soccer practice Tuesday 3:30 to 5 at Lents Park.")
    [f] = [f for f in checker.check_post(post, NOW).findings if f.rule == "S301"]
    assert "after Tue Nov 24, 5:00 PM" in f.message
    assert "\u201cTuesday 3:30 to 5\u201d" in f.message and "\u201cLents Park\u201d" in f.message
    assert f.span is not None and f.span.text == "Tuesday 3:30 to 5 at Lents Park"


def test_a_day_long_event_is_safe_after_that_day(checker: Checker) -> None:
    post = Post(path="p.txt", text="Field trip to OMSI on Dec. 5!")
    [f] = [f for f in checker.check_post(post, NOW).findings if f.rule == "S301"]
    assert "after Sat Dec 5;" in f.message
