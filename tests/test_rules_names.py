"""N1xx tables: what each name rule must and must not report (roster: tests/data/roster.csv)."""

from __future__ import annotations

import pytest

from tests.conftest import codes

# (text, the student ids the rule reports; None for a finding with no student)
N101 = [
    ("Congratulations to Ava Thompson on her ribbon!", ["S1001"]),
    ("Sofia Hernandez read her poem aloud.", ["S1003"]),  # accents optional
    ("sofía hernández read her poem aloud.", ["S1003"]),  # any case
    ("Will Johnson's solar oven won.", ["S1004"]),  # possessive
    ("Great work, Mary-Kate O'Brien!", ["S1011"]),  # hyphen and apostrophe
    ("Great work, Mary Kate OBrien!", ["S1011"]),  # written without them
    # wrapped onto the next line (a long line of prose, not a heading)
    ("Our poster contest had so many great entries this year, and Leo\nRamirez drew the winner.",
     ["S1002"]),
    ("Ava J. Thompson led the assembly.", ["S1001"]),  # middle initial
    ("Ava Lee and Ava Thompson tied for first.", ["S1010", "S1001"]),
    # negatives
    ("Ava and Thompson's dad came to help.", []),
    ("Ava, Thompson and Leo cleaned up.", []),
    ("Ms. Ava Thompson is our new librarian.", []),  # a titled adult with the same name
    ("Thompson Elementary is hosting the fair.", []),
    ("We hope to see you at the fair.", []),
]

N102 = [
    ("Great job today, Leo!", ["S1002"]),
    ("\u201cLeo read first.\u201d", ["S1002"]),  # somebody's words, not a title
    ("Hope\u2014our bravest reader\u2014volunteered to go first.", ["S1005"]),  # a dash aside
    ("Hope \u2014 that's what this season is about \u2014 fills our hearts.", []),  # the word
    ("Coach said: \u201cLeo, you nailed it!\u201d", ["S1002"]),
    ("We read \u201cGrace for President\u201d today.", []),  # a title
    ("Donna Summer sang it. Would Summer approve?", []),  # her surname, alone
    ("Hope's EpiPen goes with the class to recess.", ["S1005"]),  # hers, not a surname
    ("Thanks to Sam's Club and Grace's Flowers for the snacks!", []),  # businesses
    ("Mr. Kim's golden retriever named Leo ate a dodgeball. Leo is a good boy.", []),  # a pet
    ("Our goldfish Summer is doing great after the tank cleaning.", []),  # a pet, no comma
    ("Sign up for Summer camps at the front desk.", []),  # the word, describing a thing
    ("We'll miss you!\n\nSummer open gyms and camps will be announced in May.", []),
    ("Box score\nSummer 18 pts, 11 reb\nLeo 12 pts", ["S1012", "S1002"]),
    ("Thank you to everyone who came out on a warm evening to enjoy the\nIndian Summer "
     "concert in the park.", []),  # a hard-wrapped line: "Indian" opens no sentence
    ("Hope did a great job on her poem!", ["S1005"]),  # a word-name used as a name
    ("Congrats to Priya R. for the winning essay.", ["S1007"]),  # first name + initial
    ("Priya's poem won first place.", ["S1007"]),
    ("Well done, Summer!", ["S1012"]),
    ("Hope and Leo painted the mural.", ["S1005", "S1002"]),
    ("Ava led the announcements.", ["S1010"]),  # ambiguous: a warning for the restricted Ava
    ("Noah built a robot.", ["S1013"]),  # expired release counts as none
    ("MARY-KATE WON THE RACE!", ["S1011"]),
    ("Will Grace and Summer be at the concert?", ["S1012"]),
    # negatives
    ("We hope every family reads together.", []),
    ("Hope you all have a restful break!", []),
    ("Summer is almost here.", []),
    ("See you in May, and have a great summer!", []),
    ("Will you join us at the book fair?", []),
    ("Amara and Mateo painted the mural.", []),  # releases allow names
    ("Coach Leo ran the practice.", []),  # a titled adult
    ("Thanks to Mr. Priya for the help.", []),
    ("Leo Martinez visited our class.", []),  # another Leo, not the roster's
    ("Amara-Lee joined the choir.", []),  # another name than Amara
    ("Our summer reading list is out.", []),
]

N103 = [
    ("Shout out to Marcus Bell for the winning goal!", [None]),
    ("Please welcome Ava Martinez to our class.", [None]),  # roster first name, other surname
    ("Jordan Ellis and Sam Carter led the parade.", [None, None]),
    # negatives
    ("Thanks to Maria Garcia for the cookies.", []),  # listed staff
    ("Ms. Jane Porter visited the class.", []),  # titled adult
    ("Principal Kevin Walsh opened the assembly.", []),
    ("We learned about Martin Luther King Jr. and Rosa Parks.", []),  # public figures
    ("Our field trip to Rosa Parks Elementary was fun.", []),
    ("Congratulations to Ava Thompson!", []),  # a roster student is N101, not N103
    ("Science Fair winners will be announced Friday.", []),
    ("Today we read Where the Wild Things Are by Maurice Sendak.", []),  # an author
    ("Mateo's family moved to 2200 NW Lovejoy St last week.", []),  # a street
    ("Check out this drawing by Marcus Bell!", [None]),  # student work, not a book's author
    ("Summer Jones won the art prize.", [None]),  # a word-name first name, another surname
    ("Our Summer Reading Program starts June 15.", []),
    ("Grace Hopper would be proud of our coders!", []),  # roster first name, public figure
    ("Questions? Contact Jenny Walsh, PTA President.", []),  # a signature: an adult
    ("Thanks, Marcus Bell (our art teacher), for the mural!", []),
    ("Marcus Bell, a 4th grader, won the race.", [None]),  # a student, described
    ("Told through the songs of ABBA, it follows Sophie Sheridan and Sam Carmichael.", []),
]

N104 = [
    ("Huge congratulations to JJ on the spelling bee!", ["S1006"]),  # preferred name
    ("Jaylen Brooks won the spelling bee.", ["S1006"]),  # full name: N104, not N101
    ("Jaylen read to the kindergartners.", ["S1006"]),
    ("jaylen's drawing is on the wall.", ["S1006"]),
    ("Thanks JJ, Ava and Leo!", ["S1006"]),
    ("Jaylen B. helped set up.", ["S1006"]),
    # negatives
    ("Jay Leno visited.", []),
    ("Our team jayvee game is tomorrow.", []),
    ("Coach Jaylen ran practice.", []),
    ("Jaylen Smith from the high school visited.", []),
]


@pytest.mark.parametrize(("text", "expected"), N101)
def test_n101(check, text: str, expected: list[str | None]) -> None:
    assert sorted(s for _, s in codes(check(text), "N101")) == sorted(expected)


@pytest.mark.parametrize(("text", "expected"), N102)
def test_n102(check, text: str, expected: list[str | None]) -> None:
    assert sorted(s for _, s in codes(check(text), "N102")) == sorted(expected)


@pytest.mark.parametrize(("text", "expected"), N103)
def test_n103(check, text: str, expected: list[str | None]) -> None:
    assert [s for _, s in codes(check(text), "N103")] == expected


@pytest.mark.parametrize(("text", "expected"), N104)
def test_n104(check, text: str, expected: list[str | None]) -> None:
    found = check(text)
    assert sorted(s for _, s in codes(found, "N104")) == sorted(expected)
    if expected:  # a flagged student gets the critical finding, not a second one
        assert not [f for f in found if f.rule in {"N101", "N102"} and f.student_id == "S1006"]


def test_n101_severity_follows_release(check) -> None:
    by_student = {f.student_id: f.severity.label for f in check(
        "Ava Thompson and Sofia Hernandez won.") if f.rule == "N101"}
    assert by_student == {"S1001": "warning", "S1003": "violation"}


def test_n102_ambiguous_name_is_a_warning(check) -> None:
    [f] = [f for f in check("Ava led the announcements.") if f.rule == "N102"]
    assert f.severity.label == "warning"


def test_n102_span_points_at_the_words(check) -> None:
    text = "Our readers rocked. Great job today, Leo!"
    [f] = [f for f in check(text) if f.rule == "N102"]
    assert f.span is not None and text[f.span.start:f.span.end] == "Leo" == f.span.text


def test_n102_not_repeated_after_n101_for_the_same_student(check) -> None:
    found = check("Congrats to Priya Raman! Priya's winning word was onomatopoeia.")
    assert [(f.rule, f.student_id) for f in found if f.rule.startswith("N")] == [
        ("N101", "S1007")]
