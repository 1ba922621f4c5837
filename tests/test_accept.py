"""smcheck accept: one finding at a time, hashes nobody can reverse from a roster's
names and ids, and results that follow the accepted file (cache included)."""

from __future__ import annotations

import hashlib
import hmac
import json
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from smcheck.cli import app
from tests.conftest import DATA

ROSTER = str(DATA / "roster.csv")
LINE = "Great job today, Leo! Your poster on the water cycle was the best one in room 12."


def run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, list(args))


def findings(post: Path) -> list[tuple[str, str | None, str]]:
    r = run("check", str(post), "-r", ROSTER, "--format", "json")
    return [(f["rule"], f["student_id"], f["severity"])
            for f in json.loads(r.stdout)["posts"][0]["findings"]]


def test_accept_one_finding_of_several(tmp_path: Path) -> None:
    post = tmp_path / "post.txt"
    post.write_text("Great job, Leo and Priya!")
    assert findings(post) == [("N102", "S1002", "violation"), ("N102", "S1007", "violation")]
    r = run("accept", str(post), "-r", ROSTER, "--rule", "N102", "--reason", "ok")
    assert r.exit_code == 2
    assert "2 findings match ([1] N102 S1002 at 11:14; [2] N102 S1007 at 19:24)" in r.output
    assert "Leo" not in r.output and "Priya" not in r.output
    assert not (tmp_path / ".smcheck-accepted.toml").exists()
    r = run("accept", str(post), "-r", ROSTER, "--student", "S1002", "--reason", "signed")
    assert r.exit_code == 0, r.output
    assert findings(post) == [("N102", "S1007", "violation"), ("N102", "S1002", "info")]


@pytest.mark.parametrize("select", [("--finding", "2"), ("--span", "19:24"),
                                    ("--rule", "N102", "--student", "S1007")])
def test_accept_selects_by_number_span_or_student(tmp_path: Path,
                                                  select: tuple[str, ...]) -> None:
    post = tmp_path / "post.txt"
    post.write_text("Great job, Leo and Priya!")
    text = run("check", str(post), "-r", ROSTER).stdout
    assert "[1]" in text and "[2]" in text  # the numbers --finding takes
    r = run("accept", str(post), "-r", ROSTER, *select, "--reason", "signed")
    assert r.exit_code == 0, r.output
    assert findings(post) == [("N102", "S1002", "violation"), ("N102", "S1007", "info")]


@pytest.mark.parametrize("select", [("--finding", "3"), ("--span", "1:2"),
                                    ("--student", "S9999"), ("--rule", "N101")])
def test_a_choice_that_matches_nothing_lists_what_there_is(tmp_path: Path,
                                                          select: tuple[str, ...]) -> None:
    """Not "no open findings": there are two, and neither is the one chosen."""
    post = tmp_path / "post.txt"
    post.write_text("Great job, Leo and Priya!")
    r = run("accept", str(post), "-r", ROSTER, *select, "--reason", "ok")
    assert r.exit_code == 2
    assert r.output == (f"smcheck: error: {post}: none of its open findings is the one you "
                        "chose ([1] N102 S1002 at 11:14; [2] N102 S1007 at 19:24)\n")
    assert not (tmp_path / ".smcheck-accepted.toml").exists()


def test_accept_all(tmp_path: Path) -> None:
    post = tmp_path / "post.txt"
    post.write_text("Great job, Leo and Priya!")
    assert run("accept", str(post), "-r", ROSTER, "--all", "--reason", "ok").exit_code == 0
    assert {s for _, _, s in findings(post)} == {"info"}


def test_the_accepted_file_holds_no_names_and_a_salt(tmp_path: Path) -> None:
    post = tmp_path / "post.txt"
    post.write_text(LINE)
    run("accept", str(post), "-r", ROSTER, "--reason", "ok", "--by", "mgarcia")
    data = tomllib.loads((tmp_path / ".smcheck-accepted.toml").read_text())
    assert len(bytes.fromhex(data["salt"])) == 32
    [entry] = data["accepted"]
    assert set(entry) == {"post", "rule", "evidence", "scheme", "post_hash", "by", "at",
                          "reason"}
    assert entry["scheme"] == "hmac-sha256/v3"
    stored = (tmp_path / ".smcheck-accepted.toml").read_text()
    assert "Leo" not in stored and "S1002" not in stored and "water" not in stored
    # Two folders, two salts: the same finding hashes differently.
    other = tmp_path / "other"
    other.mkdir()
    (other / "post.txt").write_text(LINE)
    run("accept", str(other / "post.txt"), "-r", ROSTER, "--reason", "ok")
    again = tomllib.loads((other / ".smcheck-accepted.toml").read_text())
    assert again["salt"] != data["salt"]
    assert again["accepted"][0]["evidence"] != entry["evidence"]


def _census_first_names() -> list[str]:
    import names

    folder = Path(names.__file__).parent
    out: list[str] = []
    for file in ("dist.male.first", "dist.female.first"):
        out += [line.split()[0].capitalize() for line in
                (folder / file).read_text().splitlines() if line.strip()]
    return out


def _attack(target: str, candidates: list[tuple[str, str]],
            hashes: list[object]) -> tuple[str, str] | None:
    for name, sid in candidates:
        for h in hashes:
            if h(name, sid) == target:  # type: ignore[operator]
                return name, sid
    return None


def test_accepted_hashes_cannot_be_reversed_from_names_and_ids(tmp_path: Path) -> None:
    """The attacker has the accepted file (salt included), the census first names smcheck
    ships and a range of student ids with the true one in it. Against the old unsalted
    hash the attack finds the student; against the keyed hash over the post's line it
    finds nothing, whatever context it guesses from what it knows."""
    post = tmp_path / "post.txt"
    post.write_text(LINE)
    assert run("accept", str(post), "-r", ROSTER, "--reason", "ok").exit_code == 0
    data = tomllib.loads((tmp_path / ".smcheck-accepted.toml").read_text())
    salt = bytes.fromhex(data["salt"])
    [entry] = data["accepted"]
    first_names = _census_first_names()
    assert "Leo" in first_names and len(first_names) > 5000
    ids = [f"S{n}" for n in range(1000, 1010)]  # the true id is in here: S1002
    candidates = [(name, sid) for sid in ids for name in first_names]

    def legacy(name: str, sid: str) -> str:  # smcheck's hash before the salt
        parts = (entry["rule"], sid, name.casefold(), "", "")
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]

    old_hash = legacy("Leo", "S1002")
    assert _attack(old_hash, candidates, [legacy]) == ("Leo", "S1002")  # the attack works

    def keyed(context: str):  # type: ignore[no-untyped-def]
        def h(name: str, sid: str) -> str:
            # v3: the words, then their line, where on it they start, which identical line
            line = context.format(name=name)
            where = line.find(name) if name in line else 0
            parts = ("hmac-sha256/v3", entry["rule"], sid, name.casefold(),
                     f"{line}\x1f{where}\x1f0")
            return hmac.new(salt, "\x1f".join(parts).encode(), hashlib.sha256).hexdigest()
        return h

    guesses = [keyed(c) for c in ("", "{name}", "{name}!", "Great job, {name}!")]
    assert _attack(entry["evidence"], candidates, guesses) is None
    # ... and the same hash, given the post's line (which the post holder already reads),
    # is the one smcheck stores: the test measures the real scheme.
    assert keyed(LINE)("Leo", "S1002") == entry["evidence"]


def test_editing_the_line_brings_the_finding_back(tmp_path: Path) -> None:
    post = tmp_path / "post.txt"
    post.write_text(LINE + "\nSee you all next week.")
    run("accept", str(post), "-r", ROSTER, "--reason", "ok")
    assert findings(post) == [("N102", "S1002", "info")]
    post.write_text(LINE + "\nSee you all on Monday.")  # another line: still accepted
    assert findings(post) == [("N102", "S1002", "info")]
    post.write_text(LINE.replace("room 12", "room 14") + "\nSee you all on Monday.")
    assert findings(post) == [("N102", "S1002", "violation")]


def test_an_unsalted_file_from_before_matches_nothing(tmp_path: Path) -> None:
    post = tmp_path / "post.txt"
    post.write_text("Great job, Leo!")
    (tmp_path / ".smcheck-accepted.toml").write_text(
        '[[accepted]]\npost = "post.txt"\nrule = "N102"\nevidence = "abc"\nby = "x"\n'
        'at = "2026-01-01"\nreason = "old"\n')
    assert findings(post) == [("N102", "S1002", "violation")]
    r = run("accept", str(post), "-r", ROSTER, "--reason", "again")
    assert r.exit_code == 0 and "1 older unsalted entry" in r.output
    data = tomllib.loads((tmp_path / ".smcheck-accepted.toml").read_text())
    assert "salt" in data and [e["reason"] for e in data["accepted"]] == ["again"]


def test_cached_results_follow_the_accepted_file(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Revoke an acceptance and the post blocks again, cache or not."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    folder = tmp_path / "posts"
    folder.mkdir()
    (folder / "a.txt").write_text("Great job, Leo!")

    def verdict() -> str:
        r = run("audit", str(folder), "-r", ROSTER, "--format", "json", "--cache", "-j", "1")
        return str(json.loads(r.stdout)["posts"][0]["verdict"])

    assert verdict() == "block"
    run("accept", str(folder / "a.txt"), "-r", ROSTER, "--reason", "signed")
    assert verdict() == "ok"
    assert verdict() == "ok"  # from the cache
    (folder / ".smcheck-accepted.toml").unlink()  # revoked
    assert verdict() == "block"


def test_cached_results_follow_the_district_recognizers(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """The config names the file; its words change the result, so they key the cache."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    words = tmp_path / "district.yaml"
    registry = ("supported_languages: [en]\nrecognizers:\n  - name: ours\n"
                "    supported_language: en\n    supported_entity: EPHEMERAL_APP\n"
                "    deny_list: [{app}]\n    deny_list_score: 0.9\n")
    words.write_text(registry.format(app="Blipchat"))
    (tmp_path / "smcheck.toml").write_text('recognizers = "district.yaml"\n')
    folder = tmp_path / "posts"
    folder.mkdir()
    (folder / "a.txt").write_text("Join our class Zorbly group to see photos!")

    def rules() -> list[str]:
        r = run("audit", str(folder), "-c", str(tmp_path / "smcheck.toml"), "--format",
                "json", "--cache", "-j", "1")
        return [f["rule"] for f in json.loads(r.stdout)["posts"][0]["findings"]]

    assert "C601" not in rules()
    words.write_text(registry.format(app="Zorbly"))
    assert "C601" in rules()


def test_an_unread_input_cannot_be_accepted(tmp_path: Path) -> None:
    """E901 means a photo nobody looked at: accepting it would pass the post unchecked."""
    post = tmp_path / "post.txt"
    post.write_text("Our tulips bloomed.")
    (tmp_path / "post.jpg").write_bytes(b"not a photo")
    assert findings(post) == [("E901", None, "violation")]
    for choice in (("--all",), ("--rule", "E901"), ("--finding", "1")):
        r = run("accept", str(post), "-r", ROSTER, *choice, "--reason", "fine")
        assert r.exit_code == 2
        assert r.output == (f"smcheck: error: {post}: E901 cannot be accepted: part of the "
                            "post was not checked; fix what the finding says and check again\n")
    assert not (tmp_path / ".smcheck-accepted.toml").exists()


# ---- one acceptance, one place (issue 18) ----------------------------------------------


def places(post: Path) -> list[tuple[str, str | None, str, int]]:
    """(rule, student, severity, start) of each finding: where it is shown."""
    r = run("check", str(post), "-r", ROSTER, "--format", "json")
    return [(f["rule"], f["student_id"], f["severity"], f["span"]["start"])
            for f in json.loads(r.stdout)["posts"][0]["findings"]]


TWO = "Great job, Leo!\nOur readers met the mayor.\nThen Leo read his poem aloud."
SECOND = TWO.rindex("Leo")


@pytest.mark.parametrize(("text", "picked", "open_at"), [
    (TWO, (), SECOND),  # the place shown (the first) is accepted; the second stays
    (TWO, ("--span", f"{SECOND}:{SECOND + 3}"), 11),  # --span takes a later place
    ("Leo and Leo!", (), 8),  # one line, same words: two places all the same
    ("Go Leo!\nGo Leo!", (), 11),  # two identical lines
])
def test_accepting_one_mention_leaves_the_other_a_finding(
        tmp_path: Path, text: str, picked: tuple[str, ...], open_at: int) -> None:
    post = tmp_path / "post.txt"
    post.write_text(text)
    assert [(r, s, v) for r, s, v, _ in places(post)] == [("N102", "S1002", "violation")]
    r = run("accept", str(post), "-r", ROSTER, *picked, "--reason", "signed")
    assert r.exit_code == 0, r.output
    assert "1 other place of the same finding stays open" in r.output
    found = places(post)
    assert ("N102", "S1002", "violation", open_at) in found
    assert [s for *_, s, _ in found].count("info") == 1
    # Accepting the rest, place by place, leaves nothing open.
    assert run("accept", str(post), "-r", ROSTER, "--reason", "signed").exit_code == 0
    assert {v for _, _, v, _ in places(post)} == {"info"}


def test_a_mention_added_after_the_acceptance_is_a_finding(tmp_path: Path) -> None:
    post = tmp_path / "post.txt"
    post.write_text("Great job, Leo!\nSee you Monday.")
    assert run("accept", str(post), "-r", ROSTER, "--reason", "signed").exit_code == 0
    assert [v for _, _, v, _ in places(post)] == ["info"]
    post.write_text("Great job, Leo!\nSee you Monday, Leo.")
    assert sorted(places(post)) == [("N102", "S1002", "info", 11),
                                    ("N102", "S1002", "violation", 32)]
    # ... and one added before it, on its own line, too; the accepted place still holds.
    post.write_text("Leo's class!\nGreat job, Leo!\nSee you Monday.")
    assert sorted(places(post)) == [("N102", "S1002", "info", 24),
                                    ("N102", "S1002", "violation", 0)]


def test_edits_elsewhere_keep_every_accepted_place(tmp_path: Path) -> None:
    post = tmp_path / "post.txt"
    post.write_text(TWO)
    for _ in range(2):
        assert run("accept", str(post), "-r", ROSTER, "--reason", "signed").exit_code == 0
    assert {v for _, _, v, _ in places(post)} == {"info"}
    post.write_text("Hello families!\n\n" + TWO.replace("the mayor", "our mayor") + "\nBye!")
    assert {v for _, _, v, _ in places(post)} == {"info"}
    post.write_text(TWO.replace("his poem", "a poem"))  # the second place's own line
    assert sorted(v for _, _, v, _ in places(post)) == ["info", "violation"]


def test_entries_from_before_v3(tmp_path: Path) -> None:
    """A v2 entry of a text finding covered every mention of the student: it matches
    nothing now. A v2 entry of a photo finding was exact (box and bytes): it holds."""
    from smcheck import accept
    from smcheck.findings import Box, Finding, Severity, Span

    salt = b"s" * 32
    photo = tmp_path / "post.jpg"
    photo.write_bytes(b"pixels")
    face = Finding(rule="F402", name="x", severity=Severity.VIOLATION, message="m",
                   source="image", file="post.jpg", box=Box(top=1, right=9, bottom=9, left=1),
                   student_id="S1002")
    words = Finding(rule="N102", name="x", severity=Severity.VIOLATION, message="m",
                    source="text", span=Span(start=11, end=14, text="Leo"),
                    student_id="S1002")
    text = "Great job, Leo!"

    def v2(parts: tuple[str, ...]) -> str:
        return hmac.new(salt, "\x1f".join(parts).encode(), hashlib.sha256).hexdigest()

    entries = [("F402", v2(("hmac-sha256/v2", "F402", "S1002", "", "1,1,9,9", "post.jpg",
                            hashlib.sha256(b"pixels").hexdigest()))),
               ("N102", v2(("hmac-sha256/v2", "N102", "S1002", "leo", "", "", text)))]
    (tmp_path / ".smcheck-accepted.toml").write_text(f'salt = "{salt.hex()}"\n' + "".join(
        f'[[accepted]]\npost = "post.txt"\nrule = "{r}"\nevidence = "{e}"\nby = "x"\n'
        f'at = "2026-01-01"\nreason = "old"\n' for r, e in entries))
    from smcheck.textfile import file_digest
    assert file_digest(photo) == hashlib.sha256(b"pixels").hexdigest()  # what v2 hashed
    out = accept.apply([face, words], "post.txt", tmp_path, text, {"post.jpg": photo})
    assert [(f.rule, f.severity) for f in out] == [("F402", Severity.INFO),
                                                   ("N102", Severity.VIOLATION)]
