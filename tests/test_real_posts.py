"""Tables from posts as teachers write them, on a roster full of word-names (eval/roster.csv:
Hope, Will, Mason, June, River, Joy, Paris Young, Martin King, Rose Best...), published
Tuesday 2026-12-01 at 7:30 Pacific. Each row: text, the (rule family, student id) pairs it
must raise. A family missing from a row must stay silent for it."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from smcheck.api import Checker
from smcheck.config import Config
from smcheck.findings import Finding
from smcheck.post import Post
from smcheck.roster import load_roster
from tests.conftest import ROOT

LA = ZoneInfo("America/Los_Angeles")
NOW = datetime(2026, 12, 1, 7, 30, tzinfo=LA)
FAMILIES = "NLSRC"


@pytest.fixture(scope="module")
def words_checker() -> Checker:
    config = Config(staff=("Dana Whitfield", "Karen Holt"),
                    district_email_domains=("cedarvalleysd.org",))
    return Checker(config=config, roster=load_roster(ROOT / "eval" / "roster.csv"))


def raised(checker: Checker, text: str, now: datetime = NOW) -> set[tuple[str, str | None]]:
    findings: list[Finding] = list(checker.check_post(Post(path="p.txt", text=text), now).findings)
    return {(f.rule[0], f.student_id) for f in findings if f.rule[0] in FAMILIES}


RECORDS = [
    ("Maya scored a 1550 on the SAT!", {("N", "S2051"), ("R", "S2051")}),
    ("Hunter got a perfect 36 on the ACT.", {("R", "S2016")}),
    ("Jade earned a 5 on AP Physics.", {("R", "S2023")}),
    ("Lily is reading at a level M.", {("R", "S2022")}),
    ("Rocky jumped from a level J to a level M this month!", {("R", "S2050")}),
    ("Please remember that Lily has a severe peanut allergy.", {("R", "S2022")}),
    ("Rocky will need his inhaler on the trip.", {("R", "S2050")}),
    ("Max broke his wrist at recess.", {("R", "S2026")}),
    ("Max will be in a walking boot for a few weeks.", {("R", "S2026")}),
    ("Jade missed 14 days this semester.", {("R", "S2023")}),
    ("Xavier and Layla will now be pulled out for speech on Tuesdays.",
     {("R", "S2112"), ("R", "S2135"), ("N", "S2112"), ("N", "S2135")}),
    ("Aaron is on academic probation this semester, so Elena will partner with Lydia.",
     {("R", "S2125"), ("N", "S2125")}),  # the record is Aaron's, not Elena's or Lydia's
    ("Her SSN 541-22-8765 was on the form.", {("R", None)}),
    ("Your lunch PIN is 40318.", {("R", None)}),
    ("The jacket belongs to S2037.", {("R", "S2037")}),
    # not records
    ("We sang happy birthday to Tessa this week.", set()),
    ("Our class average went up 10 points.", set()),
    ("Our team scored 42 points!", set()),
    # Ava is Ava Thompson (full) or Ava Lee (none): N102's warning for Ava Lee, no record
    ("Ava raised money for cancer research.", {("N", "S2060")}),
    ("Thanks to Cedar Valley Physical Therapy for sponsoring the team.", set()),
    ("Paris's dad is in the hospital this week, so please keep the family in your thoughts.",
     {("N", "S2007")}),  # the father's news, not Paris's record
    ("Tori hopes to study speech-language pathology.", set()),
    # birthdays
    ("Happy 7th birthday to Tessa!", {("R", "S2054")}),
    ("Happy birthday to Tessa today!", {("R", "S2054")}),
    ("Happy birthday, Tessa!", set()),
]

SCHEDULES = [
    ("Ski club starts Dec 2, the bus to Crystal Mountain leaves 5:45.", {("S", None)}),
    ("PE classes swim at the South End YMCA every Tuesday, we walk over at 9:10.",
     {("S", None)}),
    ("Good luck to our girls tonight at Lincoln High, tip-off at 6!", {("S", None)}),
    ("Ms. Lee's class walks to the public library this afternoon.", {("S", None)}),
    ("Players will walk over with Coach Dunn right after school; parents, please pick up at "
     "Wilshire Park at 5:00.", {("S", None)}),
    # not schedules
    ("Tonight's game has been CANCELLED.", set()),
    ("Track practice is cancelled today.", set()),
    ("Book order closes Monday.", set()),
    ("The drop-off line opens at 8:15.", set()),
    ("A naturalist will visit our classroom on Thursday.", set()),
    ("Dan Santat will visit Fernhill K-8 on Thursday, December 10.", set()),
    ("Our next tournament will be announced at Monday's team meeting.", set()),
    ("Cooper is in a walking boot after spraining his ankle in Monday's practice.",
     {("R", "S2034"), ("N", "S2034")}),
    ("Summer camp registration opens February 1.", set()),
    ("Next month we visit Japan and try sumi-e ink painting.", set()),
    ("Three of our wrestlers are ineligible and will not compete until their grades come up.",
     {("R", None)}),
    ("This month in PE, our students are taking part in Hoops for Heart and play games.",
     set()),
    # whereabouts
    ("Rocky is spending the next two weeks with family in Oaxaca.", {("L", "S2050")}),
    ("Drew will miss the rest of this week: he's down in Eugene until Sunday.",
     {("L", "S2028")}),
    ("Chase won't be on the group runs: he's with his grandparents in Guadalajara.",
     {("L", "S2017"), ("N", "S2017")}),
    ("Paris Young was our star reader!", {("N", "S2007")}),  # a student is never a place
    ("We are 2-1 after Saturday's loss at Summit.", set()),
    ("Our students are learning about Mt. Hood.", set()),
]


def test_an_explicit_date_beats_a_weekday(words_checker: Checker) -> None:
    """"Friday 12/4" posted on Saturday Dec 5 is the Friday just gone, not Dec 11."""
    sat = datetime(2026, 12, 5, 9, 0, tzinfo=LA)
    assert raised(words_checker, "Museum of Glass field trip, Friday 12/4", sat) == set()
    assert raised(words_checker, "Museum of Glass field trip, Friday 12/11", sat) == \
        {("S", None)}


NAMES = [
    ("#GoMason", {("N", "S2003")}),
    ("So proud of our speller! #MayaThompson", {("N", "S2051")}),
    ("Shout-out to @maya.thompson for the win", {("N", "S2051")}),
    ("Congrats to #gomason and the team!", {("N", "S2003")}),
    ("The Okoye family welcomed a baby brother for Marcus.", {("N", "S2052")}),
    ("Great job, Chris!", {("N", "S2061")}),  # Christopher Nguyen: release none
    ("Congrats Liz on the win!", {("N", "S2062")}),  # Elizabeth Moreau, preferred Liz
    ("Maggie O'Neill led the warm-up.", {("N", "S2069")}),
    ("Box score: Mason 14 pts, 9 reb.", {("N", "S2003")}),
    ("Willow, your mom asked me to post this.", {("N", "S2038")}),
    ("A note about our classmates: Faith is spending December in Accra.",
     {("N", "S2019"), ("L", "S2019")}),
    # Eli is Eli Castro (full) or Elijah Kealoha (none, "Eli" by nickname): ambiguous,
    # N102's warning for Elijah; the birthday is nobody's in particular
    ("Happy 7th birthday, Eli! Our first graders sang to you twice.",
     {("R", None), ("N", "S2089")}),
    ("Eli Castro read his story aloud. Happy 7th birthday, Eli!",
     {("R", "S2121"), ("N", "S2121")}),
    # not students
    ("We hope to see you there. Will you help?", set()),
    ("Every day counts, from September through June.", set()),
    ("Senior families, we know June feels far away.", set()),
    ("We sang Moon River and Jingle Bell Rock at the concert.", set()),
    ("We read Martin's Big Words today.", set()),
    ("We learned about Georgia O'Keeffe and painted a rose.", set()),
    ("Our second graders learned about the Willamette River and the aurora borealis.", set()),
    ("Thanks to Best Buy, Les Schwab and Mason's Hardware for sponsoring the Turkey Trot!",
     set()),
    ("Come to the Art Walk in Emerald City!", set()),
    ("The Hope Squad meets on Tuesdays in the counseling center.", set()),
    ("We started The Crossover by Kwame Alexander; its main characters, Josh and Jordan Bell, "
     "are twins.", set()),
    ('"Take Five" by Dave Brubeck and Paul Desmond is next on the program.', set()),
    ("Michael Jordan was cut from his high school team. Drew Brees retired holding most of "
     "the NFL's passing records.", set()),
    ("Lincoln's Marcus Reed scored 30 points against us.", {("N", None)}),
    ("Thanks to Alicia Ferraro, a Room 2 mom, for the cupcakes!", {("N", None)}),
    ("Questions? Contact Jenny Walsh, PTA President.", set()),
]

EVASIONS = [
    # invisible characters and look-alike letters: found at the same severity as without
    ("Jay\u00adlen Brooks won the spelling bee.", "N104", "S2053", "critical"),
    ("Jay\u200blen won the spelling bee.", "N104", "S2053", "critical"),
    ("Jay\u2060len won the spelling bee.", "N104", "S2053", "critical"),
    ("J\u0430ylen won the spelling bee.", "N104", "S2053", "critical"),  # Cyrillic a
    ("Great job, Ma\u200dson!", "N102", "S2003", "violation"),
    ("Alexander Petr\u043ev earned his Eagle Scout.", "N101", "S2066", "violation"),
    ("Follow our Snap\u00adchat for updates!", "C601", None, "violation"),
    ("Email coach\u200b.kim@gmail.com with questions.", "R503", None, "violation"),
    ("The lost card says S20\u00ad37.", "R502", "S2037", "violation"),
    ("Congrats to Jay-\nlen Brooks on a great season!", "N104", "S2053", "critical"),
]


@pytest.mark.parametrize(("text", "expected"), RECORDS + SCHEDULES + NAMES)
def test_raises_exactly(words_checker: Checker, text: str,
                        expected: set[tuple[str, str | None]]) -> None:
    assert raised(words_checker, text) == expected


@pytest.mark.parametrize(("text", "rule", "student", "severity"), EVASIONS)
def test_evasions_are_found_as_without_them(words_checker: Checker, text: str, rule: str,
                                            student: str | None, severity: str) -> None:
    findings = words_checker.check_post(Post(path="p.txt", text=text), NOW).findings
    [f] = [f for f in findings if f.rule == rule]
    assert (f.student_id, f.severity.label) == (student, severity)
    assert f.span is not None and text[f.span.start:f.span.end] == f.span.text
