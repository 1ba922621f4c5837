"""One way a post is run (Checker.run): a post whose X fails gets the same E901/E902
through `check`, `audit`, `fix`, the Python API and `serve`'s check, and the run goes on
to the next post. A post that cannot be read at all is refused only where it is the
whole run (`check FILE`, `smcheck.check`, a `serve` request: README "When something
goes wrong with one post")."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from smcheck.cli import app
from tests.conftest import DATA

ROSTER = str(DATA / "roster.csv")
WHEN = "2026-11-20T15:00:00-08:00"
GOOD = "Great job, Leo!"  # N102 with the test roster: proof the run went on


def _photo(path: Path) -> None:
    from PIL import Image

    Image.new("RGB", (64, 48), (200, 180, 160)).save(path)


def _no_face_models(monkeypatch: pytest.MonkeyPatch) -> None:
    from smcheck.engines import Engines
    from smcheck.extract.faces import FaceModelsUnavailable

    def broken(self: Engines) -> None:
        raise FaceModelsUnavailable("dlib cannot be imported (simulated)")

    monkeypatch.setattr(Engines, "faces", property(broken))


def _a_rule_that_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    """C601 raises on a post saying "boom": a bug of smcheck's inside a rule."""
    import smcheck.api as api

    def boom(facts, ctx):  # type: ignore[no-untyped-def]
        if "boom" in facts.post.text:
            raise ZeroDivisionError("simulated bug")
        return iter(())

    monkeypatch.setattr(api, "RULES", tuple(
        replace(r, func=boom) if r.code == "C601" else r for r in api.RULES))


# What fails, the bad post's files (name -> bytes, or None for a photo), how to break
# the run, the code and file the finding names (None: the post itself), and words its
# message says. `whole`: the post cannot be read at all.
CASES: dict[str, dict[str, object]] = {
    "unreadable text": dict(
        files={"bad.txt": b"\x00\x01\x02\x03 not text"}, code="E901", whole=True,
        says="is a binary file"),
    "bad front matter": dict(
        files={"bad.md": b"---\npublish_at: 2026-11-31T09:00:00-08:00\n---\nHi!\n"},
        code="E901", whole=True, says="line 2: publish_at is not an ISO 8601 date-time"),
    "broken accepted file": dict(
        files={"bad/bad.txt": b"Our class planted tulips.\n",
               "bad/.smcheck-accepted.toml": b"this is [not toml\n"},
        code="E901", whole=False, says=".smcheck-accepted.toml: cannot read accepted"),
    "image that cannot decode": dict(
        files={"bad.txt": b"Our class planted tulips.\n", "bad.jpg": b"\xff\xd8 not a jpeg"},
        code="E901", file="bad.jpg", whole=False, says="Could not read this input"),
    "face models unavailable": dict(
        files={"bad.txt": b"Our class planted tulips.\n", "bad.jpg": None},
        code="E902", file="bad.jpg", whole=False, break_=_no_face_models,
        says="simulated"),
    "a rule that raises": dict(
        files={"bad.txt": b"boom\n"}, code="E902", whole=False,
        break_=_a_rule_that_fails, says="smcheck failed on it (ZeroDivisionError)"),
}


@pytest.fixture(params=sorted(CASES))
def case(request: pytest.FixtureRequest, tmp_path: Path,
         monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, object]]:
    spec = CASES[request.param]
    posts = tmp_path / "posts"
    posts.mkdir()
    files: dict[str, bytes | None] = spec["files"]  # type: ignore[assignment]
    for name, data in files.items():
        path = posts / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if data is None:
            _photo(path)
        else:
            path.write_bytes(data)
    (posts / "good.txt").write_text(GOOD)
    brk: Callable[[pytest.MonkeyPatch], None] | None = spec.get("break_")  # type: ignore[assignment]
    if brk is not None:
        brk(monkeypatch)
    text = next(n for n in files if n.endswith((".txt", ".md")))
    yield {**spec, "name": request.param, "posts": posts, "text": text, "tmp": tmp_path}


def _invoke(*args: str) -> tuple[int, str]:
    r = CliRunner().invoke(app, [*args, "-r", ROSTER, "--publish-at", WHEN])
    return r.exit_code, r.stdout


def _expect(case: dict[str, object], findings: list[dict[str, object]]) -> None:
    """The bad post's findings: its one E9xx, on the file the case names."""
    e9 = [f for f in findings if str(f["rule"]).startswith("E9")]
    assert [f["rule"] for f in e9] == [case["code"]], findings
    if "file" in case:
        assert str(e9[0]["file"]).endswith(str(case["file"]))
    assert str(case["says"]) in str(e9[0]["message"])
    assert "Traceback" not in str(e9[0]["message"])


def _by_path(posts: list[dict[str, object]], root: Path) -> dict[str, list[dict[str, object]]]:
    return {str(p["path"]).removeprefix(f"{root}/"): p.get("findings", p.get("before"))  # type: ignore[misc]
            for p in posts}


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_audit(case: dict[str, object], jobs: str) -> None:
    """In this process, and in a pool of worker processes (batch.py)."""
    posts = case["posts"]
    assert isinstance(posts, Path)
    code, out = _invoke("audit", str(posts), "--format", "json", "-j", jobs)
    assert code == 1, out
    found = _by_path(json.loads(out)["posts"], posts)
    _expect(case, found[str(case["text"])])
    assert [f["rule"] for f in found["good.txt"]] == ["N102"]


def test_check_several_files(case: dict[str, object]) -> None:
    posts = case["posts"]
    assert isinstance(posts, Path)
    code, out = _invoke("check", str(posts / str(case["text"])), str(posts / "good.txt"),
                        "--format", "json")
    assert code == 1, out
    found = _by_path(json.loads(out)["posts"], posts)
    _expect(case, found[str(case["text"])])
    assert [f["rule"] for f in found["good.txt"]] == ["N102"]


def test_check_one_file(case: dict[str, object]) -> None:
    """Alone, a post that cannot be read at all is a run that cannot start: one line,
    exit 2. Anything else is its finding, as in an audit."""
    posts = case["posts"]
    assert isinstance(posts, Path)
    r = CliRunner().invoke(app, ["check", str(posts / str(case["text"])), "-r", ROSTER,
                                 "--format", "json"])
    if case["whole"]:
        assert r.exit_code == 2 and r.output.count("\n") == 1, r.output
        assert str(case["says"]).removeprefix("line 2: ") in r.output
        return
    assert r.exit_code == 1, r.output
    [post] = json.loads(r.stdout)["posts"]
    _expect(case, post["findings"])


def test_fix(case: dict[str, object]) -> None:
    """`fix` checks as every command does: the post's E901/E902, nothing of what could
    not be checked written, and the other posts fixed."""
    posts, tmp = case["posts"], case["tmp"]
    assert isinstance(posts, Path) and isinstance(tmp, Path)
    out = tmp / "fixed"
    code, stdout = _invoke("fix", str(posts), "--out", str(out), "--format", "json")
    assert code == 1, stdout
    data = json.loads(stdout)
    found = _by_path(data["posts"], posts)
    _expect(case, found[str(case["text"])])
    [bad] = [p for p in data["posts"] if str(p["path"]).endswith(str(case["text"]))]
    assert bad["not_written"], bad  # needs a person: never clean
    assert [f["rule"] for f in found["good.txt"]] == ["N102"]
    assert "Leo" not in (out / "good.txt").read_text()
    if "file" in case:  # the photo nobody could check is not copied as if safe
        assert not (out / str(case["file"])).exists()


def test_api_audit(case: dict[str, object]) -> None:
    import smcheck

    posts = case["posts"]
    assert isinstance(posts, Path)
    report = smcheck.audit(posts, roster=ROSTER, publish_at=WHEN)
    found = _by_path(report.to_dict()["posts"], posts)
    _expect(case, found[str(case["text"])])
    assert [f["rule"] for f in found["good.txt"]] == ["N102"]


def test_audit_on_an_executor(case: dict[str, object],
                              monkeypatch: pytest.MonkeyPatch) -> None:
    """batch.audit on somebody else's executor (a distributed engine's, say; here a
    thread pool, on which the worker set-up once made every post an E902)."""
    from concurrent.futures import ThreadPoolExecutor

    from smcheck.api import make_checker, publish_time
    from smcheck.batch import audit, posts_in
    from smcheck.engines import MODEL_THREADS_ENV

    # The worker set-up pins the models to one thread: undone after the test.
    monkeypatch.setenv(MODEL_THREADS_ENV, os.environ.get(MODEL_THREADS_ENV, "2"))
    posts = case["posts"]
    assert isinstance(posts, Path)
    checker = make_checker(roster=ROSTER)
    with ThreadPoolExecutor(max_workers=1) as pool:
        reports = list(audit(checker, posts_in(checker, posts), publish_time(WHEN),
                             executor=pool))
    found = _by_path(checker.report(reports, publish_time(WHEN)).to_dict()["posts"], posts)
    _expect(case, found[str(case["text"])])
    assert [f["rule"] for f in found["good.txt"]] == ["N102"]


def test_api_check(case: dict[str, object]) -> None:
    import smcheck

    posts = case["posts"]
    assert isinstance(posts, Path)
    path = posts / str(case["text"])
    images = [posts / str(case["file"])] if "file" in case else []
    if case["whole"]:
        with pytest.raises(smcheck.InputError, match=str(case["says"]).removeprefix("line 2: ")):
            smcheck.check(path, images=images, roster=ROSTER, publish_at=WHEN)
        return
    report = smcheck.check(path, images=images, roster=ROSTER, publish_at=WHEN)
    [post] = report.to_dict()["posts"]
    _expect(case, post["findings"])


def test_serve_check(case: dict[str, object]) -> None:
    """serve's check: the request's text and photos, as a page sends them. A request it
    cannot read at all is a 422 (an InputError here); a folder's accepted file is not
    something a request has."""
    from smcheck.errors import InputError
    from smcheck.serve import ServeOptions, Service

    posts = case["posts"]
    assert isinstance(posts, Path)
    if case["name"] == "broken accepted file":
        pytest.skip("a request has no folder, so no accepted findings")
    raw = (posts / str(case["text"])).read_bytes()
    images = [(str(case["file"]), (posts / str(case["file"])).read_bytes())] \
        if "file" in case else []
    service = Service(ServeOptions(roster=Path(ROSTER), start=posts))
    try:
        if case["whole"]:
            text = raw.decode("utf-8", "replace") if raw.startswith(b"---") else ""
            if not text:
                pytest.skip("a request's text is text: it cannot be unreadable")
            with pytest.raises(InputError):
                service.check(text, images, WHEN, False, False)
            return
        out = service.check(raw.decode(), images, WHEN, False, False)
        [post] = out["posts"]
        _expect(case, post["findings"])
        good = service.check(GOOD, [], WHEN, False, False)
        assert [f["rule"] for f in good["posts"][0]["findings"]] == ["N102"]
    finally:
        service.worker.shutdown(wait=True)


def test_debug_shows_where_a_bug_is(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    """SMCHECK_DEBUG=1: the E902 of a bug prints its traceback on stderr, to report it;
    without it, nothing but the finding."""
    import smcheck

    _a_rule_that_fails(monkeypatch)
    for debug in (False, True):
        if debug:
            monkeypatch.setenv("SMCHECK_DEBUG", "1")
        else:
            monkeypatch.delenv("SMCHECK_DEBUG", raising=False)
        report = smcheck.check("boom", roster=ROSTER, publish_at=WHEN)
        assert [f.rule for f in report.posts[0].findings] == ["E902"]
        err = capsys.readouterr().err
        assert ("ZeroDivisionError: simulated bug" in err) is debug
        assert ("Traceback" in err) is debug
    assert os.environ.get("SMCHECK_DEBUG") == "1"
