"""Names in a fixed copy (roster: tests/data/roster.csv). Each row: the draft, and the
sentence `smcheck fix` must write. Ava Thompson (full), Mateo García (full), Amara
Okafor (full) and Will Johnson (name only) may be named; Leo (photo only), Hope, Sofía
and Priya (none) may not; Jaylen "JJ" Brooks is safety-flagged; Ava Lee (none) shares
Ava Thompson's first name."""

from __future__ import annotations

from dataclasses import replace

import pytest

from smcheck.api import Checker
from smcheck.config import Config
from smcheck.extract.names import NameMention
from smcheck.findings import Finding, Severity, Span
from smcheck.fix import fix_text
from smcheck.fix.names import name_edits, starts_sentence, wording
from smcheck.fix.text import apply, hidden_runs, without_hidden
from smcheck.post import Post
from smcheck.roster import Roster
from smcheck.rules import Context
from tests.conftest import PUBLISH_AT


def fixed(checker: Checker, text: str) -> str:
    facts, report = checker.examine(Post(path="post.txt", text=text), PUBLISH_AT)
    ctx = Context(config=checker.config, roster=checker.roster, publish_at=PUBLISH_AT)
    new, _, _ = fix_text(checker, facts, report, ctx)
    return new


FULL_NAMES = [
    ("Mateo García won the spelling bee.", "Mateo won the spelling bee."),
    ("Congrats to mateo garcia on the win.", "Congrats to mateo on the win."),
    ("Mateo Garcia's volcano erupted.", "Mateo's volcano erupted."),
    ("Mateo García\u2019s volcano erupted.", "Mateo\u2019s volcano erupted."),  # curly
    ("MATEO GARCIA WON THE BEE!", "MATEO WON THE BEE!"),
    ("Amara Okafor and Mateo García led the tour.", "Amara and Mateo led the tour."),
    ("Will Johnson's solar oven kept us warm.", "Will's solar oven kept us warm."),  # name only
    # "Ava" alone would also be Ava Lee, who may not be named: keep the initial.
    ("Congratulations to Ava Thompson on her ribbon!", "Congratulations to Ava T. on her ribbon!"),
    ("Our winner: Ava Thompson.", "Our winner: Ava T."),  # no double full stop
]

NEUTRAL = [
    ("Hope Williams read a poem.", "A student read a poem."),
    ("We loved Hope Williams's poem.", "We loved a student's poem."),
    ("We loved Hope Williams' poem.", "We loved a student's poem."),
    ("Hope's poem was lovely.", "A student's poem was lovely."),
    ("Sofía Hernández and Mateo built a bridge.", "Mateo and another student built a bridge."),
    ("Shout-out to Leo for his help.", "Shout-out to a student for his help."),
    ("Leo R. brought his favorite book.", "A student brought his favorite book."),
    ("Hope did a great job. Hope also sang.", "A student did a great job. The student also sang."),
    ("Priya said hi to Leo. Leo smiled.", "A student said hi to another student. A student smiled."),
    ("We hope Leo had fun.", "We hope a student had fun."),  # "hope" is a word here
    ("Hope Williams won. Hope smiled.", "A student won. The student smiled."),
    ("Leo Ramirez' dog visited.", "A student's dog visited."),  # a possessive after a z
    ("Hope W.'s poem won.", "A student's poem won."),
    ("Summer's poem and Summer Davis's drawing.", "A student's poem and the student's drawing."),
]

ADDRESSED = [  # a name someone is addressed by is dropped
    ("Great job, Leo!", "Great job!"),
    ("Great job today, Leo R.!", "Great job today!"),
    ("Great job today, Leo R.", "Great job today."),  # the initial's full stop ends the sentence
    ("Congrats Leo!", "Congrats!"),
    ("Thank you, Priya, for the flowers.", "Thank you, a student, for the flowers."),
    ("Way to go Hope! 🎉", "Way to go! 🎉"),
    ("Leo, you were amazing!", "You were amazing!"),
    ("What a morning. Great job,\nLeo!", "What a morning. Great job!"),  # a wrapped line
    # A dropped name introduces no one: the next mention is "a student", not "the student".
    ("Congrats, Leo! Leo worked hard.", "Congrats! A student worked hard."),
    ("Thanks, Hope! Hope's card was lovely.", "Thanks! A student's card was lovely."),
    ("Great day! #Hope #proud\nHope read first.", "Great day! #proud\nA student read first."),
]

LINES = [  # a line that wraps a sentence is not a sentence start; a list item is
    ("We thank\nLeo for the flowers.", "We thank\na student for the flowers."),
    ("Our helpers:\n- Leo read\n- Amara sang", "Our helpers:\n- A student read\n- Amara sang"),
    ("What a day!\nHope read first.", "What a day!\nA student read first."),
    ("Readers of the week\n\nHope and Leo", "Readers of the week\n\nTwo students"),
    # An emoji or symbol opening a line or a list item: the sentence still starts after it.
    ("\u2705 Leo finished the race.", "\u2705 A student finished the race."),
    ("Winners:\n\U0001f3c6 Hope Williams\n\U0001f948 Amara Okafor",
     "Winners:\n\U0001f3c6 A student\n\U0001f948 Amara"),
    ("We did it \U0001f389 and Leo smiled.", "We did it \U0001f389 and a student smiled."),
]

LISTS = [
    ("Leo and Hope painted the mural.", "Two students painted the mural."),
    ("Leo, Hope and Priya painted the mural.", "Three students painted the mural."),
    ("Amara, Leo and Hope painted the mural.", "Amara and two other students painted the mural."),
    ("Amara and Leo's mural is up.", "Amara and another student's mural is up."),
    ("Leo & Hope's mural is up.", "Two students' mural is up."),
    ("Mateo García, Leo and Amara sang.", "Mateo, Amara and another student sang."),
]

# A safety-flagged student (Jaylen "JJ" Brooks): the whole sentence goes, not just the
# name, with what it said about the child (where they were, what they did); the names
# of others in it go with it; the family's surname names the child too.
FLAGGED = [
    ("Great meet! JJ took second place!", "Great meet!"),
    ("Huge congratulations to JJ, who took second place! See you Monday.",
     "See you Monday."),
    ("Jaylen Brooks took second place.\nThe relay won.", "The relay won."),
    ("GO JAYLEN!\nGO TEAM!", "GO TEAM!"),
    ("JJ's goal won the game. What a season!", "What a season!"),
    ("Jaylen \u201cJJ\u201d Brooks scored twice. Go team!", "Go team!"),
    ("Jaylen (JJ) Brooks scored twice. Go team!", "Go team!"),
    ("Welcome back, JJ - we missed you!\nOur class is reading Holes.",
     "Our class is reading Holes."),
    ("Our relay:\n- Leo\n- JJ\n- Amara", "Our relay:\n- A student\n- Amara"),
    ("JJ won. Leo smiled.", "A student smiled."),  # the only student left: "a student"
    ("Great game!\n\nJaylen Brooks scored twice at the Lincoln game. \U0001f389\n\n"
     "See you Monday.", "Great game!\n\nSee you Monday."),
    ("Thanks to the Brooks family for the snacks! Jaylen scored.\nGo team!", "Go team!"),
    ("Congrats #TeamJJ #proud", "Congrats #proud"),  # a tag among tags goes alone
]

# A nickname in quotes or brackets between the names goes with them, and so does the
# surname: nothing of the name is left.
NICKNAMES = [
    ('Leo "Lion" Ramirez scored.', "A student scored."),
    ("Priya \u201cPri\u201d Raman read.", "A student read."),
    ("Sof\u00eda (Sofi) Hern\u00e1ndez read.", "A student read."),
]

HASHTAGS = [
    ("So proud of #Leo!", "So proud of a student!"),
    ("Great day! #Leo #proud", "Great day! #proud"),
    ("Great day!\n#proud #Leo", "Great day!\n#proud"),
    ("Congrats #Leo!", "Congrats!"),
    ("So proud of #HopeWilliams!", "So proud of a student!"),
    ("So proud of #HopeWilliams's poem!", "So proud of a student's poem!"),
    ("Great day! #HopeWilliams #proud", "Great day! #proud"),
    ("Go #MateoGarcia!", "Go #Mateo!"),
    # A handle: an account's name, never cut into another account's ("@Mateo").
    ("Say hi to @HopeWilliams!", "Say hi to a student!"),
    ("Follow @MateoGarcia for updates.", "Follow Mateo for updates."),
    ("Photos by our own @mateo.garcia.art, who climbed the bleachers.",
     "Photos by our own Mateo, who climbed the bleachers."),
    ("Great day! @HopeWilliams @lincolnschool", "Great day! @lincolnschool"),
]

FAMILIES = [  # a first name and the family's surname elsewhere are a full name: the
    # surname goes from the family, the first name stays where it may
    ("Congratulations to the Okafor family, who welcomed a baby brother for Amara!",
     "Congratulations to the family, who welcomed a baby brother for Amara!"),
    ("Amara's family, the Okafors, are hosting the party.",
     "Amara's family are hosting the party."),
    ("Thanks to the Okafors for hosting! Amara was a great host.",
     "Thanks to the family for hosting! Amara was a great host."),
    ("Mr. and Mrs. Okafor cheered as Amara crossed the line.",
     "The family cheered as Amara crossed the line."),
    ("Okafor family members cheered for Amara.", "Family members cheered for Amara."),
    ("The Williams family is moving. We will miss Hope!",
     "The family is moving. We will miss a student!"),
]

UNCHANGED = [
    "Our class planted tulips today!",
    "Amara and Mateo painted the class mural.",  # first names with a release
    "We hope you all have a restful break.",
    "Ms. Hope Williams visited our class.",  # an adult (title)
    "Great job, Ava T.!",  # first name and initial of Ava Thompson: allowed
    "The Okafor family donated books.",  # a family, no student named
]


@pytest.mark.parametrize(("text", "expected"),
                         FULL_NAMES + NEUTRAL + ADDRESSED + LINES + LISTS + FLAGGED + NICKNAMES + HASHTAGS +
                         FAMILIES)
def test_names_fixed(checker: Checker, text: str, expected: str) -> None:
    assert fixed(checker, text) == expected


@pytest.mark.parametrize("text", UNCHANGED)
def test_names_kept(checker: Checker, text: str) -> None:
    assert fixed(checker, text) == text


@pytest.mark.parametrize(("text", "expected"),
                         FULL_NAMES + NEUTRAL + ADDRESSED + LINES + LISTS + FLAGGED + NICKNAMES + HASHTAGS +
                         FAMILIES)
def test_fixed_text_has_no_name_findings(checker: Checker, text: str, expected: str) -> None:
    report = checker.check_post(Post(path="post.txt", text=expected), PUBLISH_AT)
    assert [f.rule for f in report.findings if f.rule in ("N101", "N102", "N104")] == []


def test_ignored_rule_is_not_fixed(roster: Roster) -> None:
    checker = Checker(config=Config(ignore=frozenset({"N101"})), roster=roster)
    assert fixed(checker, "Mateo García won.") == "Mateo García won."


def test_accepted_finding_is_not_fixed(checker: Checker) -> None:
    text = "Great job, Leo!"
    facts, report = checker.examine(Post(path="post.txt", text=text), PUBLISH_AT)
    accepted = tuple(replace(f, severity=Severity.INFO) for f in report.findings)
    ctx = Context(config=checker.config, roster=checker.roster, publish_at=PUBLISH_AT)
    new, changes, _ = fix_text(checker, facts, replace(report, findings=accepted), ctx)
    assert new == text and changes == ()


def test_changes_point_at_both_texts(checker: Checker) -> None:
    text = "Mateo García read. Hope's dog barked."
    facts, report = checker.examine(Post(path="post.txt", text=text), PUBLISH_AT)
    ctx = Context(config=checker.config, roster=checker.roster, publish_at=PUBLISH_AT)
    new, changes, answered = fix_text(checker, facts, report, ctx)
    assert new == "Mateo read. A student's dog barked."
    for c in changes:
        assert text[c.before.start:c.before.end] == c.before.text
        assert new[c.after.start:c.after.end] == c.after.text
    assert {(c.rule, c.action) for c in changes} == {("N101", "first-name"),
                                                      ("N102", "neutral")}
    assert {f.rule for f in answered} == {"N101", "N102"}


def test_a_list_with_a_flagged_student_answers_n104(checker: Checker) -> None:
    """The sentence goes, and answers every name finding in it."""
    text = "Leo and JJ sang. Great show!"
    facts, report = checker.examine(Post(path="post.txt", text=text), PUBLISH_AT)
    ctx = Context(config=checker.config, roster=checker.roster, publish_at=PUBLISH_AT)
    new, changes, answered = fix_text(checker, facts, report, ctx)
    assert new == "Great show!"
    assert [(c.rule, c.action) for c in changes] == [("N104", "sentence")]
    assert {f.rule for f in answered} == {"N102", "N104"}


# ---- mentions as the text extraction will give them (hashtags split into words) --------

def _mention(text: str, words: str, students: tuple[str, ...], kind: str,
             roster: Roster) -> NameMention:
    start = text.index(words)
    return NameMention(span=Span(start=start, end=start + len(words), text=words),
                       students=tuple(s for s in roster.students if s.id in students),
                       kind=kind)


def _finding(rule: str, student: str, m: NameMention) -> Finding:
    return Finding(rule=rule, name="", severity=Severity.VIOLATION, message="",
                   source="text", span=m.span, student_id=student)


@pytest.mark.parametrize(("text", "words", "student", "rule", "expected"), [
    ("So proud of #MateoGarcia!", "MateoGarcia", "S1009", "N101", "So proud of #Mateo!"),
    ("So proud of #mateo_garcia!", "mateo_garcia", "S1009", "N101", "So proud of #mateo!"),
    ("Go team! #AvaThompson", "AvaThompson", "S1001", "N101", "Go team! #AvaT"),
    ("So proud of #HopeWilliams!", "HopeWilliams", "S1005", "N101", "So proud of a student!"),
    ("Great day! #HopeWilliams #proud", "HopeWilliams", "S1005", "N101", "Great day! #proud"),
    ("Cheer on #TeamHope tonight", "Hope", "S1005", "N102", "Cheer on a student tonight"),
])
def test_hashtags(checker: Checker, roster: Roster, text: str, words: str, student: str,
                  rule: str, expected: str) -> None:
    kind = "first" if rule == "N102" else "full"
    m = _mention(text, words, (student,), kind, roster)
    ctx = Context(config=checker.config, roster=roster, publish_at=PUBLISH_AT)
    edits = name_edits(text, [m], [_finding(rule, student, m)], ctx.release,
                       checker.matcher.index)
    assert apply(text, edits)[0] == expected


# ---- hidden characters ---------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("Ma\u00adteo won", "Mateo won"),  # soft hyphen
    ("zero\u200bwidth and\u2060joiner", "zerowidth andjoiner"),
    ("\ufeffHello\u200e there\u202e", "Hello there"),  # BOM, direction marks
    ("Family: 👩\u200d🔬 scientists", "Family: 👩\u200d🔬 scientists"),  # an emoji's joiner stays
    ("❤\ufe0f\u200d🔥 on fire", "❤\ufe0f\u200d🔥 on fire"),
    ("Go\u200d team", "Go team"),  # a joiner between letters hides nothing but itself
    ("🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f Scotland",
     "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f Scotland"),  # flag tags
    ("\u0646\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",  # Persian needs its
     "\u0646\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"),  # non-joiner
    ("Plain text, nothing hidden.", "Plain text, nothing hidden."),
])
def test_hidden_characters(text: str, expected: str) -> None:
    assert without_hidden(text) == expected
    assert bool(hidden_runs(text)) == (text != expected)


@pytest.mark.parametrize(("text", "expected"), [
    ("Mateo García\u200b won\u00ad!", "Mateo won!"),
    ("Mateo Gar\u00adcía won!", "Mateo won!"),  # inside the name: it goes with the name
    ("Ma\u00adteo García won!", "Mateo won!"),
    ("Hope Wil\u200bliams won!", "A student won!"),
])
def test_hidden_characters_in_and_beside_names(checker: Checker, text: str,
                                                expected: str) -> None:
    assert fixed(checker, text) == expected


@pytest.mark.parametrize(("text", "pos", "expected"), [
    ("Hope won", 0, True), ("Yes. Hope won", 5, True), ("- Hope won", 2, True),
    ("\u201cHope won", 1, True), ("and Hope won", 4, False), ("Yay, Hope", 5, False),
    ("and\nHope won", 4, False), ("Done\n\nHope won", 6, True), ("list:\n- Hope", 8, True),
    ("1. Leo\n2. Hope", 10, True),
])
def test_starts_sentence(text: str, pos: int, expected: bool) -> None:
    assert starts_sentence(text, pos) is expected


def test_wording_is_data() -> None:
    data = wording()
    assert {"neutral", "vocative"} <= set(data)
    neutral = data["neutral"]
    assert isinstance(neutral, dict)
    assert {"one", "again", "many", "other_one", "other_many", "numbers"} <= set(neutral)
    follow = data["follow_up"]
    assert isinstance(follow, dict)
    pronouns = follow["pronouns"]
    assert {"he", "she", "they", "him", "her", "them", "his", "their", "you"} <= set(pronouns)
    assert all(w == w.lower() and w.strip() == w and " " not in w for w in pronouns)
    assert len(set(pronouns)) == len(pronouns)
