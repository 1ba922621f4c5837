"""File names and post text from a hostile world: every output stays valid and safe, and
points at the right line of the file."""

from __future__ import annotations

import json
import os
import unicodedata
from pathlib import Path

import pytest
from typer.testing import CliRunner

from smcheck.api import Checker
from smcheck.cli import app
from smcheck.extract.names import is_english_word
from smcheck.extract.normalize import canonical, letterforms
from smcheck.post import Post
from smcheck.roster import load_roster
from tests.conftest import DATA, PUBLISH_AT

ROSTER = str(DATA / "roster.csv")
FRONT = "---\npublish_at: 2026-12-01T09:00:00-08:00\npublic_event: false\n---\n"


def run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, list(args))


def _n102(data: dict[str, object]) -> dict[str, object]:
    return next(r for r in data["runs"][0]["results"] if r["ruleId"] == "N102")  # type: ignore[index]


@pytest.mark.parametrize("command", ["check", "audit"])
def test_line_numbers_count_the_front_matter(tmp_path: Path, command: str) -> None:
    """The name is on the file's line 6 (4 lines of front matter + line 2 of the text)."""
    post = tmp_path / "post.md"
    post.write_text(FRONT + "Our class planted tulips.\nGreat job, Leo!\n")
    target = str(post) if command == "check" else str(tmp_path)
    sarif = json.loads(run(command, target, "-r", ROSTER, "--format", "sarif").stdout)
    region = _n102(sarif)["locations"][0]["physicalLocation"]["region"]  # type: ignore[index]
    assert (region["startLine"], region["startColumn"]) == (6, 12)
    assert region["charOffset"] == len(FRONT) + len("Our class planted tulips.\nGreat job, ")
    assert post.read_text()[region["charOffset"]:][:3] == "Leo"
    github = run(command, target, "-r", ROSTER, "--format", "github").stdout
    assert ",line=6,col=12,endLine=6,endColumn=15," in github
    text = run(command, target, "-r", ROSTER).stdout
    assert f"{post}:6:12" in text
    # JSON spans stay in characters of the post text (SPEC 6)
    data = json.loads(run(command, target, "-r", ROSTER, "--format", "json").stdout)
    span = data["posts"][0]["findings"][0]["span"]
    assert span["start"] == len("Our class planted tulips.\nGreat job, ")


def test_sarif_uris_are_percent_encoded(tmp_path: Path) -> None:
    (tmp_path / "my post #1 100%?.txt").write_text("Great job, Leo!")
    (tmp_path / "caf\u00e9.txt").write_text("Great job, Leo!")
    sarif = json.loads(run("audit", str(tmp_path), "-r", ROSTER, "--format", "sarif").stdout)
    uris = sorted(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                  for r in sarif["runs"][0]["results"])
    assert uris == [f"file://{tmp_path}/caf%C3%A9.txt",
                    f"file://{tmp_path}/my%20post%20%231%20100%25%3F.txt"]
    from smcheck.reporters.sarif import uri

    assert uri("posts/a b.txt") == "posts/a%20b.txt"


BAD = [b"bad\xff\xfe name.txt", b"esc\x1b]0;pwned\x07\x1b[2J.txt", b"nl\nforged::error.txt",
       b"rtl\xe2\x80\xaetxt.exe.txt"]


@pytest.mark.parametrize("fmt", ["json", "sarif", "github", "text"])
def test_hostile_file_names(tmp_path: Path, fmt: str) -> None:
    """Undecodable bytes, ESC sequences, line breaks and bidi overrides in file names:
    valid UTF-8 out, one line per annotation, nothing raw on the terminal, the same
    replacement (U+FFFD) everywhere."""
    folder = os.fsencode(tmp_path)
    for name in BAD:
        with open(os.path.join(folder, name), "w") as fh:
            fh.write("Great job, Leo!")
    r = run("audit", str(tmp_path), "-r", ROSTER, "--format", fmt)
    out = r.stdout_bytes.decode("utf-8")  # strict: valid UTF-8
    assert r.exit_code == 1, r.output
    for bad in ("\x1b", "\x07", "\u202e", "\udcff", "nl\nforged"):
        assert bad not in out
    if fmt == "json":
        paths = [p["path"].removeprefix(f"{tmp_path}/") for p in json.loads(out)["posts"]]
        assert paths == sorted(["bad\ufffd\ufffd name.txt", "esc\ufffd]0;pwned\ufffd\ufffd[2J.txt",
                                "nl\ufffdforged::error.txt", "rtl\ufffdtxt.exe.txt"])
    if fmt == "github":
        lines = [line for line in out.splitlines() if not line.startswith("::notice ")]
        assert len(lines) == len(BAD) and all(line.startswith("::error file=") for line in lines)


def test_hostile_post_text_on_the_terminal(tmp_path: Path) -> None:
    """A post that carries an ESC sequence next to a name: the quoted words are shown
    without it."""
    r = run("check", "--text", "Great job, Leo\x1b[2J\x1b]0;x\x07! Call 503-555-0142",
            "-r", ROSTER)
    assert r.exit_code == 1 and "\x1b" not in r.stdout and "\x07" not in r.stdout


def test_text_argument_with_undecodable_bytes() -> None:
    r = run("check", "--text", os.fsdecode(b"Bravo L\xe9o, great job Leo!"), "-r", ROSTER,
            "--format", "json")
    data = json.loads(r.stdout_bytes.decode("utf-8"))  # strict: valid UTF-8
    assert r.exit_code == 1
    assert {f["rule"] for f in data["posts"][0]["findings"]} == {"N102"}


# ---- names in disguise (issue 18) ------------------------------------------------------
# Each disguise is found as its plain form is: the same rule, student and severity, with a
# span on the characters as written. Roster: Birgitta Lindqvist, Leo Ramirez, Hope
# Williams, Holly Chen, Liam Ortiz (none), Maya Thompson (full), Jaylen Brooks (full,
# safety-flagged).

DISGUISE_ROSTER = """student_id,first_name,last_name,preferred_name,grade,media_release,release_expires,safety_flag
D1,Birgitta,Lindqvist,,4,none,,
D2,Maya,Thompson,,4,full,,
D3,Leo,Ramirez,,4,none,,
D4,Hope,Williams,,4,none,,
D5,Jaylen,Brooks,,4,full,,yes
D6,Holly,Chen,,5,none,,
D7,Liam,Ortiz,,5,none,,
D8,Summer,Davis,,5,none,,
"""


@pytest.fixture(scope="module")
def disguise_checker(tmp_path_factory: pytest.TempPathFactory) -> Checker:
    path = tmp_path_factory.mktemp("roster") / "roster.csv"
    path.write_text(DISGUISE_ROSTER, encoding="utf-8")
    return Checker(roster=load_roster(path))


@pytest.fixture(scope="module")
def no_roster_checker() -> Checker:
    return Checker()


def _names(checker: Checker, text: str) -> list[tuple[str, str | None, str, str]]:
    """(rule, student, severity, the words as written) of each name finding."""
    findings = checker.check_post(Post(path="p.txt", text=text), PUBLISH_AT).findings
    out = []
    for f in findings:
        if f.rule[0] == "N":
            assert f.span is not None and text[f.span.start:f.span.end] == f.span.text
            out.append((f.rule, f.student_id, f.severity.label, f.span.text))
    return sorted(out)


# (disguised post, the words of the name as written, the post written plainly)
DISGUISES = [
    # a roster name in lower case that is no English word, in a cased post
    ("Congrats to birgitta today!", "birgitta", "Congrats to Birgitta today!"),
    ("Great game! So proud of jaylen and the team.", "jaylen",
     "Great game! So proud of Jaylen and the team."),
    ("Congrats to birgitta lindqvist today!", "birgitta lindqvist",
     "Congrats to Birgitta Lindqvist today!"),
    # enclosed, parenthesized, negative, regional-indicator forms
    ("Congrats to \u24b7\u24d8\u24e1\u24d6\u24d8\u24e3\u24e3\u24d0 today!",
     "\u24b7\u24d8\u24e1\u24d6\u24d8\u24e3\u24e3\u24d0", "Congrats to Birgitta today!"),
    ("Congrats to \U0001f131\U0001f138\U0001f141\U0001f136\U0001f138\U0001f143\U0001f143"
     "\U0001f130 today!", "\U0001f131\U0001f138\U0001f141\U0001f136\U0001f138\U0001f143"
     "\U0001f143\U0001f130", "Congrats to Birgitta today!"),
    ("Congrats to \U0001f151\U0001f158\U0001f161\U0001f156\U0001f158\U0001f163\U0001f163"
     "\U0001f150 today!", "\U0001f151\U0001f158\U0001f161\U0001f156\U0001f158\U0001f163"
     "\U0001f163\U0001f150", "Congrats to Birgitta today!"),
    ("Congrats to \U0001f171\U0001f178\U0001f181\U0001f176\U0001f178\U0001f183\U0001f183"
     "\U0001f170 today!", "\U0001f171\U0001f178\U0001f181\U0001f176\U0001f178\U0001f183"
     "\U0001f183\U0001f170", "Congrats to Birgitta today!"),
    ("Congrats to \u249d\u24a4\u24ad\u24a2\u24a4\u24af\u24af\u249c today!",
     "\u249d\u24a4\u24ad\u24a2\u24a4\u24af\u24af\u249c", "Congrats to Birgitta today!"),
    ("Congrats to \U0001f1e7\U0001f1ee\U0001f1f7\U0001f1ec\U0001f1ee\U0001f1f9\U0001f1f9"
     "\U0001f1e6 today!", "\U0001f1e7\U0001f1ee\U0001f1f7\U0001f1ec\U0001f1ee\U0001f1f9"
     "\U0001f1f9\U0001f1e6", "Congrats to Birgitta today!"),
    # LI and AM are flags, but together they spell a roster name
    ("Congrats to \U0001f1f1\U0001f1ee\U0001f1e6\U0001f1f2 today!",
     "\U0001f1f1\U0001f1ee\U0001f1e6\U0001f1f2", "Congrats to Liam today!"),
    # small capitals, mathematical and full-width letters
    ("Congrats to \u0299\u026a\u0280\u0262\u026a\u1d1b\u1d1b\u1d00 today!",
     "\u0299\u026a\u0280\u0262\u026a\u1d1b\u1d1b\u1d00", "Congrats to Birgitta today!"),
    ("Way to go, \u1d0a\u1d00\u028f\u029f\u1d07\u0274!", "\u1d0a\u1d00\u028f\u029f\u1d07\u0274",
     "Way to go, Jaylen!"),
    ("Congrats to \U0001d401\U0001d422\U0001d42b\U0001d420\U0001d422\U0001d42d\U0001d42d"
     "\U0001d41a today!", "\U0001d401\U0001d422\U0001d42b\U0001d420\U0001d422\U0001d42d"
     "\U0001d42d\U0001d41a", "Congrats to Birgitta today!"),
    ("Congrats to \uff22\uff49\uff52\uff47\uff49\uff54\uff54\uff41 today!",
     "\uff22\uff49\uff52\uff47\uff49\uff54\uff54\uff41", "Congrats to Birgitta today!"),
    # spaced, dotted, hyphenated letters
    ("Congrats to B i r g i t t a today!", "B i r g i t t a", "Congrats to Birgitta today!"),
    ("Congrats to B.i.r.g.i.t.t.a today!", "B.i.r.g.i.t.t.a", "Congrats to Birgitta today!"),
    ("Congrats to B-i-r-g-i-t-t-a today!", "B-i-r-g-i-t-t-a", "Congrats to Birgitta today!"),
    ("Congrats to B_i_r_g_i_t_t_a today!", "B_i_r_g_i_t_t_a", "Congrats to Birgitta today!"),
    ("Congrats to B/i/r/g/i/t/t/a today!", "B/i/r/g/i/t/t/a", "Congrats to Birgitta today!"),
    ("Congrats to \u1d2e\u2071\u02b3\u1d4d\u2071\u1d57\u1d57\u1d43 today!",  # superscript
     "\u1d2e\u2071\u02b3\u1d4d\u2071\u1d57\u1d57\u1d43", "Congrats to Birgitta today!"),
    ("Congrats to M a y a T h o m p s o n today!", "M a y a T h o m p s o n",
     "Congrats to Maya Thompson today!"),
    ("Way to go, J a y l e n!", "J a y l e n", "Way to go, Jaylen!"),
    ("Congrats to B I R G I T T A today!", "B I R G I T T A", "Congrats to BIRGITTA today!"),
    ("Congrats to b i r g i t t a today!", "b i r g i t t a", "Congrats to Birgitta today!"),
    ("Congrats to \U0001f1e7 \U0001f1ee \U0001f1f7 \U0001f1ec \U0001f1ee \U0001f1f9 "
     "\U0001f1f9 \U0001f1e6 today!", "\U0001f1e7 \U0001f1ee \U0001f1f7 \U0001f1ec "
     "\U0001f1ee \U0001f1f9 \U0001f1f9 \U0001f1e6", "Congrats to Birgitta today!"),
    # digits and signs for letters
    ("Congrats to B1rg1tta today!", "B1rg1tta", "Congrats to Birgitta today!"),
    ("Congrats to M@ya Th0mps0n today!", "M@ya Th0mps0n", "Congrats to Maya Thompson today!"),
    ("Great job, L3o!", "L3o", "Great job, Leo!"),
    ("Way to go, J4yl3n!", "J4yl3n", "Way to go, Jaylen!"),
    ("Congrats to b1rg1tta today!", "b1rg1tta", "Congrats to Birgitta today!"),
    ("Big cheers for B|rg|tta and the team.", "B|rg|tta",
     "Big cheers for Birgitta and the team."),
    # reversed inside a right-to-left override: what is displayed counts
    ("Congrats to \u202eattigriB\u202c today!", "\u202eattigriB\u202c",
     "Congrats to Birgitta today!"),
    ("Congrats to \u202enospmohT ayaM\u202c today!", "\u202enospmohT ayaM\u202c",
     "Congrats to Maya Thompson today!"),
    ("Way to go, \u202enelyaJ\u202c!", "\u202enelyaJ\u202c", "Way to go, Jaylen!"),
]


@pytest.mark.parametrize(("text", "words", "plain"), DISGUISES)
def test_a_disguised_name_is_found_as_its_plain_form(
        disguise_checker: Checker, text: str, words: str, plain: str) -> None:
    found = _names(disguise_checker, text)
    expected = _names(disguise_checker, plain)
    assert expected and [f[:3] for f in found] == [f[:3] for f in expected]
    assert [f[3] for f in found] == [words]


# Without a roster, a full name in disguise is N103, as the plain full name is.
NO_ROSTER = [
    ("Congrats to M@ya Th0mps0n today!", "M@ya Th0mps0n"),
    ("Congrats to M a y a T h o m p s o n today!", "M a y a T h o m p s o n"),
    ("Congrats to \u24c2\u24d0\u24e8\u24d0 \u24c9\u24d7\u24de\u24dc\u24df\u24e2\u24de\u24dd today!",
     "\u24c2\u24d0\u24e8\u24d0 \u24c9\u24d7\u24de\u24dc\u24df\u24e2\u24de\u24dd"),
    ("Congrats to \u1d0d\u1d00\u028f\u1d00 \u1d1b\u029c\u1d0f\u1d0d\u1d18\ua731\u1d0f\u0274 today!",
     "\u1d0d\u1d00\u028f\u1d00 \u1d1b\u029c\u1d0f\u1d0d\u1d18\ua731\u1d0f\u0274"),
    ("Congrats to \u202enospmohT ayaM\u202c today!", "\u202enospmohT ayaM\u202c"),
]


@pytest.mark.parametrize(("text", "words"), NO_ROSTER)
def test_a_disguised_full_name_without_a_roster(no_roster_checker: Checker, text: str,
                                                 words: str) -> None:
    plain = _names(no_roster_checker, "Congrats to Maya Thompson today!")
    assert [f[:3] for f in plain] == [("N103", None, "warning")]
    assert _names(no_roster_checker, text) == [("N103", None, "warning", words)]


# Look like a disguise, are not one: nothing about a student.
NOT_DISGUISES = [
    "I 1ove it so much!",
    "A B C D are the reading groups this week.",
    "Meet in Room 4B at 10am.",
    "What a 3-2 win for the team!",
    "We flew over the U.S.A. on our trip. The R.S.V.P. card is in the T.B.D. pile.",
    "Our pen pals wave from \U0001f1fa\U0001f1f8 and \U0001f1ee\U0001f1f9 today.",
    "Our 1st and 3rd graders met K9 officer Rex at 5am.",
    "Our CO2 lab and H2O test went well; we won 21-14.",
    "We hope to see you there. The river was high and summer is near.",  # roster words
    "We decked the hall with holly.",  # Holly is on the roster; holly is a word
    "Email the office at office@cedarvalley.org with questions.",
    "Our score: 3-0, and the B-team won 2-1.",
    "I think a b c is easy.",
    "Pick A/B/C, and the w/o column; T-shirts for the 5th/6th graders.",
]


@pytest.mark.parametrize("text", NOT_DISGUISES)
def test_what_only_looks_like_a_disguise_stays_as_written(disguise_checker: Checker,
                                                          text: str) -> None:
    assert _names(disguise_checker, text) == []
    source = canonical(text, disguise_checker.matcher)
    kept = {"\U0001f1fa", "\U0001f1f8", "\U0001f1ee", "\U0001f1f9"} & set(text)
    assert kept <= set(source.text)  # a country's flag stays a flag


@pytest.mark.parametrize(("text", "reading", "name"), [
    ("Hi B i r g i t t a!", "Hi Birgitta!", "B i r g i t t a"),
    ("Hi B1rg1tta!", "Hi Birgitta!", "B1rg1tta"),
    ("Hi \u202eattigriB\u202c!", "Hi Birgitta!", "\u202eattigriB\u202c"),
    ("Hi \u0299\u026a\u0280\u0262\u026a\u1d1b\u1d1b\u1d00!", "Hi Birgitta!",
     "\u0299\u026a\u0280\u0262\u026a\u1d1b\u1d1b\u1d00"),
    ("Hi \U0001f1e7\U0001f1ee\U0001f1f7\U0001f1ec\U0001f1ee\U0001f1f9\U0001f1f9\U0001f1e6!",
     "Hi Birgitta!",
     "\U0001f1e7\U0001f1ee\U0001f1f7\U0001f1ec\U0001f1ee\U0001f1f9\U0001f1f9\U0001f1e6"),
    ("M a y a  T h o m p s o n", "Maya  Thompson", "M a y a  T h o m p s o n"),
])
def test_canonical_text_reads_the_disguise_and_points_at_it(
        disguise_checker: Checker, text: str, reading: str, name: str) -> None:
    source = canonical(text, disguise_checker.matcher)
    assert source.text == reading
    at = reading.index(reading.strip("Hi !")[:4])
    end = at + len(reading.strip("Hi !"))
    start, stop = source.original_span(at, end)
    assert text[start:stop] == name


def test_letter_forms_are_letters() -> None:
    """models/letterforms.toml: every form is read as the letter its Unicode name says."""
    forms = letterforms()
    for ch, letter in forms.letters.items():
        name = unicodedata.name(ch)
        assert letter.isascii() and letter.isalpha(), name
        assert name.split()[-1] == letter.upper(), name
    assert forms.one_case <= set(forms.letters) and forms.regional <= set(forms.letters)
    assert all(len(f) == 2 and f.isupper() for f in forms.flags) and "US" in forms.flags
    assert all(not k.isalpha() and v and all(c.isalpha() for c in v)
               for k, v in forms.signs.items())


def test_fix_removes_a_disguised_name(disguise_checker: Checker) -> None:
    from smcheck.fix import fix_text
    from smcheck.rules import Context

    def fixed(text: str) -> str:
        facts, report = disguise_checker.examine(Post(path="p.txt", text=text), PUBLISH_AT)
        ctx = Context(config=disguise_checker.config, roster=disguise_checker.roster,
                      publish_at=PUBLISH_AT)
        return fix_text(disguise_checker, facts, report, ctx)[0]

    for name in ("B1rg1tta", "B i r g i t t a", "\u202eattigriB\u202c", "birgitta",
                 "\u0299\u026a\u0280\u0262\u026a\u1d1b\u1d1b\u1d00"):
        assert fixed(f"Great job, {name}! Birgitta built a bridge.") == \
            fixed("Great job, Birgitta! Birgitta built a bridge.") == \
            "Great job! A student built a bridge.", name


@pytest.mark.parametrize(("word", "english"), [
    ("hope", True), ("holly", True), ("carol", True), ("luna", True), ("love", True),
    ("river", True), ("birgitta", False), ("noah", False), ("leo", False), ("jaylen", False),
    ("maya", False),
])
def test_which_lower_case_names_are_english_words(word: str, english: bool) -> None:
    assert is_english_word(word) is english


@pytest.mark.parametrize("text", [
    "\u202e" * 5000 + "x",  # overrides never closed, one inside the other
    "\u202eab\u202c " * 2000,
    "a b " * 5000,
    "x1x1" * 5000,
    "\U0001f1e7\U0001f1ee" * 5000,
])
def test_hostile_disguises_are_read_once(disguise_checker: Checker, text: str) -> None:
    """Overrides nested thousands deep, endless spaced letters or signs: read, with every
    character of the canonical text pointing into the original."""
    source = canonical(text, disguise_checker.matcher)
    assert source.text
    if not source.identical:
        assert len(source.starts) == len(source.text) == len(source.ends)
        assert list(source.ends) == sorted(source.ends) and source.ends[-1] <= len(text)


@pytest.mark.parametrize("name", ["B1rg1tta", "B i r g i t t a",
                                  "\U0001f1e7\U0001f1ee\U0001f1f7\U0001f1ec\U0001f1ee\U0001f1f9"
                                  "\U0001f1f9\U0001f1e6", "\u202eattigriB\u202c"])
def test_the_cli_points_at_the_disguise_as_written(tmp_path: Path, name: str) -> None:
    """Through the CLI: exit 1, the JSON span and the HTML report's mark on the
    characters as written."""
    roster = tmp_path / "roster.csv"
    roster.write_text(DISGUISE_ROSTER, encoding="utf-8")
    post = tmp_path / "post.txt"
    text = f"Congrats to {name} on the win!"
    post.write_text(text, encoding="utf-8")
    r = run("check", str(post), "-r", str(roster), "--format", "json",
            "--report", str(tmp_path / "report.html"))
    assert r.exit_code == 1, r.output
    [finding] = json.loads(r.stdout)["posts"][0]["findings"]
    assert (finding["rule"], finding["span"]["start"]) == ("N102", len("Congrats to "))
    assert text[finding["span"]["start"]:finding["span"]["end"]] == name
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert f">{name}</mark>" in html


@pytest.mark.parametrize(("text", "reading"), [
    ("Sofi\u0301a won", "Sof\u00eda won"),  # a letter and its combining accent, composed
    ("caf\u00e9 Jay-\nlen and Ma\u00adteo", "caf\u00e9 Jaylen and Mateo"),
    ("Mary-\nKate `won`", "Mary-Kate 'won'"),
    ("\u202eab\ncd\u202c", "ba\ncd"),  # an override ends with its line
    ("\u202eab-\ncd\u202c", "bacd"),  # (the line-break hyphen joins the word)
    ("\u202e\u00e9a\u202c x", "a\u00e9 x"),
])
def test_canonical_text_of_plain_runs_and_overrides(disguise_checker: Checker, text: str,
                                                    reading: str) -> None:
    source = canonical(text, disguise_checker.matcher)
    assert source.text == reading
    assert len(source.starts) == len(source.ends) == len(reading)
    assert list(source.ends) == sorted(source.ends)
