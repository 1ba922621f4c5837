"""Audit at scale: parallel and deterministic, cached, summarised, reported, accepted."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from smcheck.cli import app
from tests.conftest import DATA, ROOT

WHEN = "2026-11-20T15:00:00-08:00"
ROSTER = str(DATA / "roster.csv")


def run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, list(args))


@pytest.fixture
def posts(tmp_path: Path) -> Path:
    folder = tmp_path / "posts"
    shutil.copytree(ROOT / "sample_posts", folder)
    return folder


@pytest.mark.parametrize(("loaded", "child_has"), [
    ({"faces": object(), "ocr": object()}, []),   # onnxruntime sessions: never inherited
    ({"faces": object()}, []),
    ({"nlp": object()}, ["nlp"]),                 # spaCy: inherited, as workers expect
    ({}, []),
])
def test_forked_child_loads_its_own_onnx_sessions(loaded: dict[str, object],
                                                  child_has: list[str]) -> None:
    """A worker forked right after the parent ran a model once hung for ever in
    Session.run (the parent's pool threads, still spinning, are not in the child)."""
    from smcheck.engines import Engines

    engines = Engines()
    engines.__dict__.update(loaded)
    pid = os.fork()
    if pid == 0:  # the child reports which of them it still holds, as its exit code
        names = ("faces", "ocr", "nlp")
        os._exit(sum(1 << i for i, n in enumerate(names) if n in engines.__dict__))
    _, status = os.waitpid(pid, 0)
    held = [n for i, n in enumerate(("faces", "ocr", "nlp")) if os.waitstatus_to_exitcode(
        status) & (1 << i)]
    assert held == child_has
    assert all(name in engines.__dict__ for name in loaded)  # the parent keeps its own


def test_parallel_equals_sequential(posts: Path) -> None:
    one = run("audit", str(posts), "--format", "json", "--publish-at", WHEN, "--jobs", "1")
    two = run("audit", str(posts), "--format", "json", "--publish-at", WHEN, "--jobs", "2")
    assert one.exit_code == two.exit_code == 1
    assert json.loads(one.stdout) == json.loads(two.stdout)
    paths = [p["path"] for p in json.loads(two.stdout)["posts"]]
    assert paths == sorted(paths)


def test_cache_only_when_asked_and_reused(posts: Path, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    first = run("audit", str(posts), "--format", "json", "--publish-at", WHEN, "-j", "1")
    assert not (tmp_path / "cache").exists()
    first = run("audit", str(posts), "--format", "json", "--publish-at", WHEN, "-j", "1",
                "--cache")
    folder = tmp_path / "cache" / "smcheck" / "results"
    entries = list(folder.glob("*.json"))
    assert len(entries) == len(json.loads(first.stdout)["posts"])
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert all(stat.S_IMODE(e.stat().st_mode) == 0o600 for e in entries)
    assert not any("Hernández" in e.read_text() or "Ramirez" in e.read_text() for e in entries)

    import smcheck.batch as audit_module

    calls = []
    real = audit_module.Checker.audit_one
    monkeypatch.setattr(audit_module.Checker, "audit_one",
                        lambda self, *a: calls.append(a) or real(self, *a))
    again = run("audit", str(posts), "--format", "json", "--publish-at", WHEN, "-j", "1",
                "--cache")
    assert calls == []  # nothing checked again
    assert json.loads(again.stdout) == json.loads(first.stdout)
    (posts / "05-spelling-bee.txt").write_text("Great job, everyone!")
    edited = run("audit", str(posts), "--format", "json", "--publish-at", WHEN, "-j", "1",
                 "--cache")
    assert [a[0].label for a in calls] == [f"{posts}/05-spelling-bee.txt"]  # only that one
    verdicts = {p["path"]: p["verdict"] for p in json.loads(edited.stdout)["posts"]}
    assert verdicts[f"{posts}/05-spelling-bee.txt"] == "ok"


def test_time_sensitive_results_follow_the_publish_time(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    folder = tmp_path / "posts"
    folder.mkdir()
    (folder / "trip.txt").write_text("Field trip to OMSI on November 21 at 9am!")

    def rules(when: str) -> list[str]:
        r = run("audit", str(folder), "--format", "json", "--cache", "-j", "1",
                "--publish-at", when)
        return [f["rule"] for f in json.loads(r.stdout)["posts"][0]["findings"]]

    assert rules("2026-11-20T15:00:00-08:00") == ["S301"]
    assert rules("2026-11-20T15:00:00-08:00") == ["S301"]  # from the cache
    assert rules("2026-11-20T18:00:00-08:00") == ["S301"]  # same day, later: recomputed
    assert rules("2026-11-22T15:00:00-08:00") == []  # the trip is over


def test_summary_table_and_blocked_list(posts: Path) -> None:
    r = run("audit", str(posts), "--publish-at", WHEN, "-j", "1")
    assert "Findings by rule" in r.output and "Blocked posts (" in r.output
    assert "S301" in r.output.split("Findings by rule")[1]
    assert r.output.strip().splitlines()[-1].startswith("BLOCK")


def test_no_progress_bar_off_a_terminal(posts: Path) -> None:
    r = run("audit", str(posts), "--publish-at", WHEN, "-j", "1")
    assert "auditing" not in r.output and "\r" not in r.output


def test_interrupt_writes_no_report(posts: Path, tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    import smcheck.batch as audit_module

    def interrupted(*args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        yield from ()
        raise KeyboardInterrupt

    monkeypatch.setattr(audit_module, "audit", interrupted)
    report = tmp_path / "report.html"
    r = run("audit", str(posts), "--report", str(report), "--format", "json")
    assert r.exit_code == 130
    assert "interrupted after 0 of" in r.output and "no report written" in r.output
    assert not report.exists() and r.stdout.count("{") == 0


def test_sarif_carries_no_names_or_words(posts: Path) -> None:
    r = run("audit", str(posts), "--format", "sarif", "--publish-at", WHEN, "-j", "1")
    data = json.loads(r.stdout)
    assert data["version"] == "2.1.0"
    driver = data["runs"][0]["tool"]["driver"]
    assert {rule["id"] for rule in driver["rules"]} >= {"N101", "S301", "F402", "E902"}
    assert all(rule["help"]["text"] and rule["properties"]["policy"] for rule in driver["rules"])
    results = data["runs"][0]["results"]
    assert {r["ruleId"] for r in results} >= {"N101", "N104", "F402", "L203"}
    n101 = next(r for r in results if r["ruleId"] == "N101")
    assert n101["locations"][0]["physicalLocation"]["region"]["startLine"] >= 1
    for secret in ("Sofia", "Hernández", "Jaylen", "JJ", "Nova", "S1003", "Leo R."):
        assert secret not in json.dumps(results)


def test_github_annotations(posts: Path) -> None:
    r = run("audit", str(posts), "--format", "github", "--publish-at", WHEN, "-j", "1")
    lines = r.stdout.splitlines()
    assert any(line.startswith(f"::error file={posts}/02-science-fair.md,line=")
               for line in lines)
    assert any(line.startswith("::warning ") for line in lines)
    assert all(line.startswith("::") for line in lines)
    for secret in ("Sofia", "Hernández", "Jaylen", "Nova", "S1003"):
        assert secret not in r.stdout


def test_html_report(posts: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    r = run("audit", str(posts), "--report", str(out), "--publish-at", WHEN, "-j", "1")
    assert r.exit_code == 1
    html = out.read_text()
    assert "data:image/jpeg;base64," in html  # photos inlined
    assert "<mark" in html and "Sofia Hernandez</mark>" in html  # flagged words
    assert 'class="box"' in html and "F402 S1011" in html  # the face, boxed
    assert "http://" not in html and "https://" not in html and "<link" not in html
    redacted = tmp_path / "redacted.html"
    run("audit", str(posts), "--report", str(redacted), "--redact", "--publish-at", WHEN)
    text = redacted.read_text()
    assert "Sofia" not in text and "Hernández" not in text and "data:image" not in text


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="no chromium on this machine")
def test_html_report_renders_in_a_browser(posts: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    run("audit", str(posts), "--report", str(out), "--publish-at", WHEN, "-j", "1")
    assert CHROMIUM is not None
    proc = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom",
         out.as_uri()], capture_output=True, text=True, timeout=120,
        env={**os.environ, "HOME": str(tmp_path)})
    dom = proc.stdout
    assert "smcheck report" in dom and "02-science-fair.md" in dom
    golden = json.loads((ROOT / "tests" / "golden" / "sample_posts.json").read_text())
    assert dom.count('<section class="post') == len(golden["posts"])
    assert "F402" in dom and "data:image/jpeg;base64," in dom


def test_accept(tmp_path: Path) -> None:
    post = tmp_path / "post.txt"
    post.write_text("Great job today, Leo!")
    r = run("accept", str(post), "-r", ROSTER, "--reason", "Signed consent on file 11/20",
            "--by", "mgarcia")
    assert r.exit_code == 0, r.output
    stored = (tmp_path / ".smcheck-accepted.toml").read_text()
    assert "Leo" not in stored and "mgarcia" in stored and "N102" in stored
    r = run("check", str(post), "-r", ROSTER, "--format", "json")
    [f] = json.loads(r.stdout)["posts"][0]["findings"]
    assert r.exit_code == 0 and f["severity"] == "info" and "Signed consent" in f["message"]
    r = run("audit", str(tmp_path), "-r", ROSTER, "--format", "json")
    assert json.loads(r.stdout)["posts"][0]["findings"][0]["severity"] == "info"
    post.write_text("Great job today, Priya!")  # new evidence: the finding is back
    r = run("check", str(post), "-r", ROSTER, "--format", "json")
    assert r.exit_code == 1


def test_accept_needs_a_reason_and_a_finding(tmp_path: Path) -> None:
    post = tmp_path / "post.txt"
    post.write_text("Great job today, Leo!")
    assert run("accept", str(post), "-r", ROSTER, "--reason", "  ").exit_code == 2
    clean = tmp_path / "clean.txt"
    clean.write_text("Our tulips bloomed.")
    r = run("accept", str(clean), "-r", ROSTER, "--reason", "fine")
    assert r.exit_code == 2 and "no open findings" in r.output


def test_pre_commit_hook_definition() -> None:
    import re

    import yaml

    [hook] = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "smcheck" and hook["entry"] == "smcheck hook"
    assert hook["pass_filenames"] is True and hook["language"] == "python"
    files, exclude = re.compile(hook["files"]), re.compile(hook["exclude"])
    for name in ("post.txt", "b/post.md", "IMG_1.JPG", "a.heic", "x.png", "readme.txt.jpg"):
        assert files.search(name) and not exclude.search(name), name
    for name in ("README.md", "posts/Readme.txt", "roster.csv", "notes.docx", "CHANGELOG.md",
                 "LICENSE.txt", "docs/CONTRIBUTING.md", "SECURITY.md"):
        assert not files.search(name) or exclude.search(name), name
    # `exclude` is a shortcut: it never leaves out a file smcheck itself takes for a post
    from smcheck.post import is_post_text

    for name in ("security-drill.md", "license-plate-day.txt", "news.md", "notice.txt",
                 "history.txt", "readme-first.jpg"):
        assert not exclude.search(name), name
    for name in ("README.md", "CHANGELOG.md", "LICENSE.txt", "CODE_OF_CONDUCT.md",
                 "Contributing.md", "Licence.txt", "SECURITY.md"):
        assert exclude.search(name) and not is_post_text(name), name


def test_bad_files_in_a_batch(tmp_path: Path) -> None:
    folder = tmp_path / "posts"
    (folder / "nested" / "deeper").mkdir(parents=True)
    (folder / "a.txt").write_text("Great job, Leo!")
    (folder / "nested" / "deeper" / "b.txt").write_text("Our tulips bloomed.")
    big = folder / "huge.txt"
    with big.open("wb") as fh:
        fh.seek(200_000_000)  # a 200 MB file, sparse on disk
        fh.write(b"x")
    locked = folder / "locked.txt"
    locked.write_text("secret")
    locked.chmod(0)
    (folder / "photo-only.png").write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    os.symlink(folder, folder / "nested" / "loop")
    try:
        r = run("audit", str(folder), "-r", ROSTER, "--format", "json", "-j", "2")
    finally:
        locked.chmod(0o600)
    posts = {p["path"].removeprefix(f"{folder}/"): [f["rule"] for f in p["findings"]]
             for p in json.loads(r.stdout)["posts"]}
    assert posts["a.txt"] == ["N102"] and posts["nested/deeper/b.txt"] == []
    assert posts["huge.txt"] == ["E901"] and posts["photo-only.png"] == ["E901"]
    if os.geteuid() != 0:  # root reads anything
        assert posts["locked.txt"] == ["E901"]
    assert len([p for p in posts if p.startswith("nested/loop")]) == 0


def test_a_bug_on_one_post_is_e902_and_the_audit_goes_on(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import smcheck.api as api

    real = api.Checker.examine

    def flaky(self, post, when):  # type: ignore[no-untyped-def]
        if "boom" in post.text:
            raise RuntimeError("simulated bug")
        return real(self, post, when)

    monkeypatch.setattr(api.Checker, "examine", flaky)
    (tmp_path / "a.txt").write_text("boom")
    (tmp_path / "b.txt").write_text("Great job, Leo!")
    r = run("audit", str(tmp_path), "-r", ROSTER, "--format", "json", "-j", "1")
    posts = {p["path"].removeprefix(f"{tmp_path}/"): p for p in json.loads(r.stdout)["posts"]}
    assert [f["rule"] for f in posts["a.txt"]["findings"]] == ["E902"]
    assert posts["a.txt"]["verdict"] == "block" and "RuntimeError" in r.stdout
    assert [f["rule"] for f in posts["b.txt"]["findings"]] == ["N102"]
