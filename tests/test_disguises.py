"""Contact details and apps written so a checker would miss them (issue 18, item 6): a
phone number in words or with look-alike letters, an address with "[at]" and "[dot]",
"sc:" and the ghost emoji for Snapchat, NGL. Each is found, and at the severity of its
plain form; the everyday words they borrow are not.

Tables of (text, what R503 or C601 reports) with positive and negative rows, then one
test per word list of models/lexicon.toml the disguises are read with.
"""

from __future__ import annotations

import pytest

from smcheck.engines import shared_engines
from smcheck.extract.recognizers import DisguisedContactRecognizer
from smcheck.findings import Finding
from smcheck.lexicon import lexicon
from tests.conftest import codes

# (text, the words R503 reports)
R503_DISGUISED = [
    ("Questions? Call four seven nine, five five five, oh one four two tonight.",
     ["four seven nine, five five five, oh one four two"]),
    ("Text me: five oh three five five five zero one four two.",
     ["five oh three five five five zero one four two"]),
    ("My cell is five-oh-three, five five five, oh one double four.",
     ["five-oh-three, five five five, oh one double four"]),
    ("Text me at 503-555-O142 anytime.", ["503-555-O142"]),
    ("Call 5O3.555.Ol42 after practice.", ["5O3.555.Ol42"]),
    ("Call me at 503 555 oh one four two.", ["503 555 oh one four two"]),
    ("Email jsmith [at] gmail [dot] com with questions.", ["jsmith [at] gmail [dot] com"]),
    ("Email jsmith (at) gmail (dot) com with questions.", ["jsmith (at) gmail (dot) com"]),
    ("Write to coach.kim{at}yahoo.com.", ["coach.kim{at}yahoo.com"]),
    ("Reach me at jsmith at gmail dot com.", ["jsmith at gmail dot com"]),
    ("Reach me: jsmith @ gmail . com", ["jsmith @ gmail . com"]),
    ("Reach me: jsmith@gmail dot com", ["jsmith@gmail dot com"]),
    ("Personal: kim [at] smithfamily [dot] net", ["kim [at] smithfamily [dot] net"]),
    # negatives: counting, prose, a district address, plain forms found once
    ("One, two, three, go!", []),
    ("Count with me: one two three four five six seven eight nine ten!", []),
    ("I [at] least tried, and that counts.", []),
    ("Meet at the dot com museum on Friday.", []),
    ("We looked at Lincoln dot com pages in class.", []),
    ("Oh no, oh well, oh my!", []),
    ("We won 3-0, then 21-14, in the 2024-2025 season.", []),
    ("Email me at kim [at] example-district [dot] org.", []),
    ("Call the front office at five oh three, five five five, oh one hundred.", []),
    ("Call the front office at 503-555-O100.", []),
    ("Questions? DM us at @fernhill.counselor.kim on Instagram.", []),
    ("Photos by our own @tori.sandoval.photo!", []),
    ("Room one, 503-555-0142.", ["503-555-0142"]),
    ("Email coach.kim@gmail.com.", ["coach.kim@gmail.com"]),
]

C601_DISGUISED = [
    "Follow us! sc: room12rocks",
    "Snap the class: sc: @mr.lee",
    "ig: cvhs_band | sc: cvhsband",
    "Add us for reminders - sc: cvhsband",
    "\U0001F47B room12rocks",
    "\U0001F47B: @mr.lee for daily photos",
    "Add us on \U0001F47B for updates!",
    "Ask us anything on NGL!",
    "Send your questions to our class NGL.",
    "Drop a question: ngl.link/cvhs2027",
    "Our NGL link is in the bio.",
]
C601_DISGUISED_NOT = [
    "Schedule: SC: science, MA: math, LA: reading.",
    "sc: science lab, then lunch",
    "SC: Student Council meets Tuesday.",
    "Happy Halloween! \U0001F47B\U0001F383",
    "Boo! \U0001F47B Spooky season is here.",
    "\U0001F47B 2 days until the haunted hallway!",
    "ngl, this was the best field trip ever.",
    "Ngl I cried at the senior assembly.",
    "The game was ngl pretty intense.",
    "Honestly ngl our team crushed it.",
    "We learned about anonymous apps like NGL and why they hurt people.",
]


def _spans(findings: list[Finding], code: str) -> list[str]:
    return [f.span.text for f in findings if f.rule == code and f.span is not None]


@pytest.mark.parametrize(("text", "expected"), R503_DISGUISED)
def test_r503_disguised(check, text: str, expected: list[str]) -> None:
    assert _spans(check(text), "R503") == expected


@pytest.mark.parametrize("text", C601_DISGUISED)
def test_c601_disguised(check, text: str) -> None:
    assert codes(check(text), "C601") == [("C601", None)]


@pytest.mark.parametrize("text", C601_DISGUISED_NOT)
def test_c601_disguised_not(check, text: str) -> None:
    assert codes(check(text), "C601") == []


@pytest.mark.parametrize(("plain", "disguised", "code"), [
    ("Call me at 503-555-0142.", "Call me at five oh three, five five five, oh one four two.",
     "R503"),
    ("Call me at 503-555-0142.", "Call me at 503-555-O142.", "R503"),
    ("Write to jsmith@gmail.com.", "Write to jsmith [at] gmail [dot] com.", "R503"),
    ("Follow our class Snapchat @room12rocks!", "Follow our class: sc: room12rocks", "C601"),
    ("Follow our class Snapchat @room12rocks!", "Follow our class \U0001F47B room12rocks",
     "C601"),
    ("Ask us anything on the NGL app!", "Ask us anything on NGL!", "C601"),
])
def test_a_disguise_is_as_severe_as_its_plain_form(check, plain: str, disguised: str,
                                                   code: str) -> None:
    want = [(f.rule, f.severity) for f in check(plain) if f.rule == code]
    assert want, f"the plain form gives no {code}"
    assert [(f.rule, f.severity) for f in check(disguised) if f.rule == code] == want


def _phones(text: str) -> list[str]:
    results = DisguisedContactRecognizer().analyze(text, ["PHONE_NUMBER"])
    return [text[r.start:r.end] for r in results if r.entity_type == "PHONE_NUMBER"]


def _emails(text: str) -> list[str]:
    shared_engines().analyzer  # noqa: B018  (the offline public-suffix list, as in a run)
    results = DisguisedContactRecognizer().analyze(text, ["EMAIL_ADDRESS"])
    return [r.recognition_metadata["address"] for r in results
            if r.entity_type == "EMAIL_ADDRESS"]


def _entries(name: str) -> list[tuple[str, str]]:
    return [tuple(e.rsplit(" ", 1)) for e in lexicon()[name]]  # type: ignore[misc]


def _plain_phones(text: str) -> list[str]:
    results = DisguisedContactRecognizer().analyze(text, ["PHONE_NUMBER"])
    return [r.recognition_metadata["plain"] for r in results]


@pytest.mark.parametrize(("word", "digit"), _entries("phone_digit_words"))
def test_each_digit_word_reads_as_its_digit(word: str, digit: str) -> None:
    text = f"Call five oh three, five five five, oh one {word} two now"
    assert _phones(text) == [text[5:-4]]
    assert _plain_phones(text) == [f"503-555-01{digit}2"]
    assert _phones(f"Call {word} now") == []


@pytest.mark.parametrize(("word", "times"), _entries("phone_repeat_words"))
def test_each_repeat_word_repeats_the_next_digit(word: str, times: str) -> None:
    n = int(times)
    text = f"Call five oh three five five five {word} four" + " one" * (4 - n)
    assert _phones(text) == [text[5:]]
    assert _plain_phones(text) == ["503555" + "4" * n + "1" * (4 - n)]


@pytest.mark.parametrize(("letter", "digit"), _entries("phone_digit_letters"))
def test_each_look_alike_letter_reads_as_its_digit(letter: str, digit: str) -> None:
    for case in (letter.lower(), letter.upper()):
        text = f"Call 503-555-{case}{digit}42 tonight"
        assert _phones(text) == [f"503-555-{case}{digit}42"]
    assert _phones(f"Call 503-555-{letter * 4} tonight") == []  # letters alone are a word


@pytest.mark.parametrize("word", lexicon()["email_at_words"])
def test_each_at_word_joins_an_address(word: str) -> None:
    assert _emails(f"Write to jsmith [{word}] example [dot] com") == ["jsmith@example.com"]
    assert _emails(f"Write to jsmith {word.upper()} gmail dot com") == ["jsmith@gmail.com"]


@pytest.mark.parametrize("word", lexicon()["email_dot_words"])
def test_each_dot_word_parts_a_domain(word: str) -> None:
    assert _emails(f"Write to jsmith (at) example ({word}) co ({word}) uk") == \
        ["jsmith@example.co.uk"]


@pytest.mark.parametrize("provider", lexicon()["mail_providers"])
def test_each_mail_provider_makes_a_bare_at_an_address(provider: str) -> None:
    assert _emails(f"Write to jsmith at {provider} dot com") == [f"jsmith@{provider}.com"]
    assert _emails(f"Write to jsmith at not{provider}x dot com") == []
