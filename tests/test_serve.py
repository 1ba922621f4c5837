"""`smcheck serve`: POST /check answers the JSON of `check --format json`; limits,
reloads and logs; the teacher's page in a real browser (headless Chromium)."""

from __future__ import annotations

import base64
import json
import logging
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from smcheck.cli import app as cli_app
from smcheck.serve import (
    FAST_TEXT,
    MAX_LONG_WAITING,
    SHM_PREFIX,
    Answer,
    ServeOptions,
    create_app,
    memory_folder,
)
from tests.conftest import ROOT

WHEN = "2026-11-20T15:00:00-08:00"
BASE = "http://127.0.0.1:8765"  # what a client of `smcheck serve` on its default port sends
TEXT = "Great job, Leo! Our field trip to the zoo is tomorrow at 9am."
PHOTO = ROOT / "sample_posts" / "17-space-day.jpg"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A roster (with a reference photo) and a config, in a folder of their own."""
    shutil.copy(ROOT / "sample_posts" / "roster.csv", tmp_path / "roster.csv")
    shutil.copytree(ROOT / "sample_posts" / "photos", tmp_path / "photos")
    (tmp_path / "smcheck.toml").write_text('roster = "roster.csv"\n')
    return tmp_path


@pytest.fixture
def client(folder: Path) -> Iterator[TestClient]:
    with TestClient(create_app(ServeOptions(config=folder / "smcheck.toml"),
                               warm=False), base_url=BASE) as c:
        yield c


def test_json_check_is_the_cli_json(client: TestClient, folder: Path) -> None:
    r = client.post("/check", json={"text": TEXT, "publish_at": WHEN})
    assert r.status_code == 200
    cli = CliRunner().invoke(cli_app, ["check", "--text", TEXT, "--publish-at", WHEN,
                                       "--config", str(folder / "smcheck.toml"), "-f", "json"])
    assert r.json() == json.loads(cli.stdout)
    assert sorted(f["rule"] for f in r.json()["posts"][0]["findings"]) == ["N102", "S301"]


def test_multipart_and_json_photos(client: TestClient) -> None:
    with PHOTO.open("rb") as fh:
        r = client.post("/check", data={"text": "Space day!", "publish_at": WHEN},
                        files=[("images", ("space.jpg", fh, "image/jpeg"))])
    assert r.status_code == 200
    [post] = r.json()["posts"]
    assert post["images"] == ["space.jpg"]
    assert [(f["rule"], f["file"], f["student_id"]) for f in post["findings"]] == \
        [("F402", "space.jpg", "S1011")]
    data = base64.b64encode(PHOTO.read_bytes()).decode()
    r2 = client.post("/check?previews=true",
                     json={"images": [{"name": "../../etc/space.jpg", "data": data}]})
    post2 = r2.json()["posts"][0]
    assert post2["images"] == ["space.jpg"] and post2["path"] == "space.jpg"
    photo = r2.json()["page"]["photos"]["space.jpg"]
    assert (photo["width"], photo["height"]) == (512, 300)
    assert photo["src"].startswith("data:image/jpeg;base64,")


@pytest.mark.parametrize(("body", "message"), [
    ({"text": "  "}, "give the post's text, or at least one photo"),
    ({"text": "Hi", "publish_at": "soon"}, "not an ISO 8601 date-time"),
    ({"text": 5}, "text must be a string"),
    ({"text": "Hi", "images": [{"data": "%%%"}]}, "images[0].data is not base64"),
])
def test_bad_requests_are_422_with_one_line(client: TestClient, body: object,
                                            message: str) -> None:
    r = client.post("/check", json=body)
    assert r.status_code == 422 and message in r.json()["error"]


def test_body_limit(folder: Path) -> None:
    with TestClient(create_app(ServeOptions(config=folder / "smcheck.toml", max_body=1000),
                               warm=False), base_url=BASE) as c:
        r = c.post("/check", json={"text": "x" * 2000})
        assert r.status_code == 413 and "limit" in r.json()["error"]
        assert c.post("/check", json={"text": "Our class planted tulips."}).status_code == 200


def test_roster_and_config_reloaded_when_they_change(client: TestClient, folder: Path) -> None:
    def rules() -> list[str]:
        r = client.post("/check", json={"text": "Great job, Leo!", "publish_at": WHEN})
        assert r.status_code == 200, r.text
        return [f["rule"] for f in r.json()["posts"][0]["findings"]]

    assert rules() == ["N102"]
    roster = folder / "roster.csv"
    roster.write_text(roster.read_text().replace("S1002,Leo,Ramirez,,4,photo only",
                                                 "S1002,Leo,Ramirez,,4,full"))
    os.utime(roster, ns=(time.time_ns(), time.time_ns() + 10**9))
    assert rules() == []
    (folder / "smcheck.toml").write_text('roster = "roster.csv"\nignore = ["N"]\n')
    assert client.post("/check", json={"text": "Sofia Hernandez won.", "publish_at": WHEN}
                       ).json()["posts"][0]["findings"] == []
    roster.write_text("student_id,first_name\nS1,A\n")  # broken: said on every request
    r = client.post("/check", json={"text": "Hi"})
    assert r.status_code == 503 and "roster.csv" in r.json()["error"]
    assert client.get("/settings").status_code == 503


def test_settings_rules_docs_and_openapi(client: TestClient) -> None:
    s = client.get("/settings").json()
    assert s["roster"]["students"] == 11 and "Ramirez" not in json.dumps(s)
    assert client.get("/rules").json()[0]["code"] == "N101"
    spec = client.get("/openapi.json").json()
    body = spec["paths"]["/check"]["post"]["requestBody"]["content"]
    assert set(body) == {"application/json", "multipart/form-data"}
    docs = client.get("/docs").text
    assert "POST /check" in docs and "http" not in docs.replace("/openapi.json", "")


def test_page_is_self_contained(client: TestClient) -> None:
    r = client.get("/")
    assert r.status_code == 200 and "default-src 'none'" in r.headers["content-security-policy"]
    html = r.text
    assert "<textarea" in html and 'type="file"' in html and 'type="datetime-local"' in html
    for external in ("http://", "https://", "//cdn", "src=\"/", "href=\"/"):
        assert external not in html


# ---- only its user can query it (issue 18) ---------------------------------------------


def _app(folder: Path, **options: Any) -> FastAPI:
    return create_app(ServeOptions(config=folder / "smcheck.toml", **options), warm=False)


@pytest.mark.parametrize(("host", "allowed"), [
    ("127.0.0.1:8765", True),
    ("localhost:8765", True),
    ("LOCALHOST", True),
    ("[::1]:8765", True),
    ("127.0.0.1", True),
    ("evil.example", False),  # DNS rebinding: the attacker's name, pointed here
    ("evil.example:8765", False),
    ("127.0.0.1.nip.io:8765", False),
    ("localhost:9999", False),  # not this service's port
    ("192.168.1.20:8765", False),  # not the address bound, nor the one connected to
    ("", False),
    ("localhost:8765@evil.example", False),
])
def test_host_must_name_this_machine(client: TestClient, host: str, allowed: bool) -> None:
    r = client.get("/rules", headers={"host": host})
    if allowed:
        assert r.status_code == 200
    else:
        assert r.status_code == 421
        error = r.json()["error"]
        assert "Host" in error and "\n" not in error and "evil" not in error
        assert client.get("/health", headers={"host": host}).status_code == 421


CROSS = {"origin": "http://evil.example", "sec-fetch-site": "cross-site",
         "sec-fetch-mode": "navigate", "sec-fetch-dest": "document"}


@pytest.mark.parametrize(("headers", "status"), [
    # another site's form (a "simple" request: the browser does not ask first)
    (CROSS, 403),
    ({"origin": "null", "sec-fetch-site": "cross-site"}, 403),  # a sandboxed frame
    ({"sec-fetch-site": "cross-site", "sec-fetch-mode": "no-cors"}, 403),  # no Origin
    ({"sec-fetch-site": "same-site", "origin": "http://localhost:3000"}, 403),
    ({"origin": "http://evil.example"}, 403),  # an older browser: Origin only
    ({"origin": "http://127.0.0.1:8765", "sec-fetch-site": "same-origin"}, 401),  # no token
    ({"origin": "http://127.0.0.1:8765", "sec-fetch-site": "same-origin",
      "authorization": "Bearer not-the-token-at-all"}, 401),
    ({}, 200),  # curl or a script on this machine
])
def test_cross_site_posts_are_refused(folder: Path, headers: dict[str, str],
                                      status: int) -> None:
    with TestClient(_app(folder), base_url=BASE) as c:
        # multipart: what a form sends without the browser asking first (CORS)
        r = c.post("/check", files={"text": (None, TEXT)}, headers=headers)
        assert r.status_code == status, r.text
        if status != 200:
            assert "\n" not in r.json()["error"]


def test_the_page_carries_the_token_and_its_checks_pass(folder: Path) -> None:
    token = "a-token-for-this-test-0123456789"
    with TestClient(_app(folder, token=token), base_url=BASE) as c:
        # Opening the page: a typed address, or a link from another site.
        for site in ("none", "cross-site"):
            r = c.get("/", headers={"sec-fetch-site": site, "sec-fetch-mode": "navigate"})
            assert r.status_code == 200 and f'content="{token}"' in r.text
            assert r.headers["cache-control"] == "no-store"
        assert "'Authorization':'Bearer '+TOKEN" in r.text
        same = {"origin": BASE, "sec-fetch-site": "same-origin", "sec-fetch-mode": "cors"}
        r = c.post("/check", files={"text": (None, TEXT), "publish_at": (None, WHEN)},
                   headers={**same, "authorization": f"Bearer {token}"})
        assert r.status_code == 200 and r.json()["posts"][0]["verdict"] == "block"
        # Read by the page's own script (same origin): no token needed to read.
        assert c.get("/rules", headers={"sec-fetch-site": "same-origin"}).status_code == 200
        assert c.get("/rules", headers={"sec-fetch-site": "cross-site",
                                        "sec-fetch-mode": "no-cors"}).status_code == 403


def test_bound_to_the_network_every_request_needs_the_token(folder: Path) -> None:
    token = "network-token-0123456789abcdef"
    app = _app(folder, host="0.0.0.0", token=token)
    for base in (BASE, "http://192.168.1.20:8765"):  # loopback, and the machine's address
        with TestClient(app, base_url=base) as c:
            assert c.get("/health").status_code == 200  # liveness only
            for path in ("/", "/settings", "/rules", "/docs", "/openapi.json"):
                assert c.get(path).status_code == 401, path
            r = c.post("/check", json={"text": TEXT})
            assert r.status_code == 401 and "token" in r.json()["error"]
            assert c.post("/check", json={"text": TEXT}, headers={
                "authorization": "Bearer nope"}).status_code == 401
            r = c.get("/", params={"token": token})
            assert r.status_code == 200 and token in r.text
            assert c.post("/check", params={"token": token},
                          json={"text": TEXT}).status_code == 401  # a POST: the header only
            r = c.post("/check", json={"text": TEXT, "publish_at": WHEN},
                       headers={"authorization": f"Bearer {token}"})
            assert r.status_code == 200 and r.json()["posts"][0]["findings"]
    with TestClient(app, base_url="http://myschool.example:8765") as c:
        assert c.get("/health").status_code == 421  # a name may be anyone's


def test_a_token_from_the_environment_is_needed_on_loopback_too(folder: Path) -> None:
    token = "chosen-token-0123456789abcdef"
    with TestClient(_app(folder, token=token, require_token=True), base_url=BASE) as c:
        assert c.post("/check", json={"text": TEXT}).status_code == 401
        assert c.post("/check", json={"text": TEXT},
                      headers={"authorization": f"Bearer {token}"}).status_code == 200


SECRET = "Quentin Zyzzyva-Marbleworth"


def served(caplog: pytest.LogCaptureFixture) -> str:
    """What the service logged (not the test's HTTP client)."""
    return "\n".join(f"{r.levelname} {r.getMessage()}" for r in caplog.records
                     if r.name.split(".")[0] in ("smcheck", "uvicorn", "fastapi", "starlette"))
_DEEP = "[" * 100_000 + "]" * 100_000


@pytest.mark.parametrize(("body", "kind", "status"), [
    (b'{"images": 5}', "application/json", 422),
    (b'{"text": "x", "images": {"a": 1}}', "application/json", 422),
    (_DEEP.encode(), "application/json", 400),
    (('{"text": "x", "a": ' + _DEEP + "}").encode(), "application/json", 400),
    (f'{{"text": "{SECRET} \\ud800"}}'.encode(), "application/json", 422),  # lone surrogate
    (f'{{"text": "{SECRET}", "images": [5]}}'.encode(), "application/json", 422),
    (b'{"text": "x", "images": [{"name": 5, "data": "aGk="}]}',
     "application/json", 422),
    (f'{{"text": "x", "images": [{{"name": "{SECRET}.jpg", "data": "%%"}}]}}'.encode(),
     "application/json", 422),
    (f'{{"text": "{SECRET}", "redact": "yes"}}'.encode(), "application/json", 422),
    (f'{{"text": "{SECRET}", "publish_at": "{SECRET}"}}'.encode(), "application/json", 422),
    (f'{{"text": "{SECRET}", "publish_at": 5}}'.encode(), "application/json", 422),
    (f'["{SECRET}"]'.encode(), "application/json", 422),
    (f"not json {SECRET}".encode(), "application/json", 400),
    (b"\xff\xfe{", "application/json", 400),
    (SECRET.encode(), "text/plain", 415),
    (SECRET.encode(), "multipart/form-data", 400),  # no boundary
    (f"--b\r\nContent-Disposition: form-data; name=text\r\n\r\n{SECRET}".encode(),
     "multipart/form-data; boundary=b", 400),  # cut short
    (b"--b\r\nContent-Disposition: form-data; name=text\r\n\r\n\xff\xfe\r\n--b--\r\n",
     "multipart/form-data; boundary=b", 422),  # not UTF-8
    (b"".join(b"--b\r\nContent-Disposition: form-data; name=images; filename="
              + f'"{SECRET}-{i}.jpg"'.encode() + b"\r\n\r\nx\r\n" for i in range(30))
     + b"--b--\r\n", "multipart/form-data; boundary=b", 422),  # too many photos
    (f"{SECRET} ".encode() * 60_000, "application/json", 400),
    (json.dumps({"text": "a " * 600_000}).encode(), "application/json", 413),  # over 1 MB
])
def test_malformed_bodies_are_4xx_with_one_line_and_no_echo(
        client: TestClient, caplog: pytest.LogCaptureFixture, body: bytes, kind: str,
        status: int) -> None:
    with caplog.at_level(logging.DEBUG):
        r = client.post("/check", content=body, headers={"content-type": kind})
    assert r.status_code == status, r.text[:300]
    error = r.json()["error"]
    assert "\n" not in error and "Quentin" not in r.text and "Traceback" not in r.text
    assert "Quentin" not in served(caplog) and "Traceback" not in served(caplog)
    assert [rec.levelname for rec in caplog.records if rec.levelno >= logging.ERROR] == []


def test_bad_query_and_unknown_paths_say_one_line(client: TestClient,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO):
        r = client.post(f"/check?previews={SECRET}", json={"text": "Hi"})
        assert r.status_code == 422 and "Quentin" not in r.text
        r = client.get(f"/{SECRET}?name={SECRET}")
        assert r.status_code == 404 and r.json() == {"error": "Not Found"}
        assert client.put("/check").status_code == 405
        token = client.app.state.service.options.token  # type: ignore[attr-defined]
        assert client.get("/", params={"token": token}).status_code == 200
        assert client.get("/", params={"token": "wrong"}).status_code == 401
    log = served(caplog)
    assert "Quentin" not in log and token not in log
    assert '"GET (another path)" 404' in log and '"POST /check" 422' in log


def test_an_internal_error_is_one_line_without_the_message(
        client: TestClient, caplog: pytest.LogCaptureFixture,
        monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_: object) -> Answer:
        raise RuntimeError(f"something about {SECRET}.jpg")

    monkeypatch.setattr(client.app.state.service, "answer", broken)  # type: ignore[attr-defined]
    with caplog.at_level(logging.INFO):
        r = client.post("/check", json={"text": "Hi"})
    assert r.status_code == 500 and r.json() == {"error": "internal error; please report this"}
    assert "Quentin" not in served(caplog) and "Traceback" not in served(caplog)
    assert "internal error (RuntimeError)" in served(caplog)


def test_a_bug_on_a_post_is_an_e902_not_a_500(client: TestClient,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from smcheck.api import Checker

    def broken(*_: object) -> None:
        raise ValueError(SECRET)

    monkeypatch.setattr(Checker, "examine", broken)
    r = client.post("/check", json={"text": "Hi there"})
    assert r.status_code == 200 and "Quentin" not in r.text
    assert [f["rule"] for f in r.json()["posts"][0]["findings"]] == ["E902"]


def _big_photo() -> bytes:
    """The test photo, over 2 MB: Starlette spools a part over 1 MB to a file on disk."""
    return PHOTO.read_bytes() + b"\0" * (2 * 1024 * 1024)


def test_uploads_stay_in_memory(client: TestClient, tmp_path: Path,
                                monkeypatch: pytest.MonkeyPatch) -> None:
    disk = tmp_path / "tmpdir"
    disk.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(disk))  # where anything "temporary" goes

    def refused(*_: object, **__: object) -> None:
        raise AssertionError("a temporary file on disk")

    for name in ("TemporaryFile", "NamedTemporaryFile", "SpooledTemporaryFile", "mkstemp"):
        monkeypatch.setattr(tempfile, name, refused)
    folders: list[object] = []
    real_mkdtemp = tempfile.mkdtemp

    def mkdtemp(*args: Any, **kwargs: Any) -> str:
        folders.append(kwargs.get("dir", args[2] if len(args) > 2 else None))
        return str(real_mkdtemp(*args, **kwargs))

    monkeypatch.setattr(tempfile, "mkdtemp", mkdtemp)
    shm = memory_folder()
    before = set(os.listdir(shm)) if shm else set()
    data = _big_photo()
    r = client.post("/check", data={"text": "Space day!", "publish_at": WHEN},
                    files=[("images", ("space.jpg", data, "image/jpeg"))])
    assert r.status_code == 200, r.text
    assert [f["rule"] for f in r.json()["posts"][0]["findings"]] == ["F402"]
    r = client.post("/check", json={"images": [{"name": "space.jpg", "data": base64.b64encode(
        data).decode()}]})
    assert r.status_code == 200, r.text
    assert folders == [shm, shm] and shm is not None  # a folder in memory, per check
    assert os.listdir(disk) == []
    assert {n for n in set(os.listdir(shm)) - before if n.startswith("smcheck")} == set()


def test_upload_over_the_cap_is_refused_in_one_line(folder: Path) -> None:
    with TestClient(_app(folder, max_body=1024 * 1024), base_url=BASE) as c:
        r = c.post("/check", data={"text": "Space day!"},
                   files=[("images", ("space.jpg", _big_photo(), "image/jpeg"))])
        assert r.status_code == 413
        assert r.json() == {"error": "request body over the limit of 1 MB "
                                     "(smcheck serve --max-body-mb)"}


@pytest.mark.skipif(memory_folder() is None, reason="no folder in memory on this system")
def test_leftovers_of_a_killed_run_are_removed_at_start(folder: Path) -> None:
    shm = Path(str(memory_folder()))
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True).stdout.strip()
    dead = shm / f"{SHM_PREFIX}{gone}-abcd1234"
    alive = shm / f"{SHM_PREFIX}{os.getpid()}-abcd1234"
    old = shm / "smcheck-zz9_test"  # before issue 18: no process id, removed when old
    try:
        for d in (dead, alive, old):
            d.mkdir(mode=0o700)
            (d / "maya-thompson.jpg").write_bytes(b"photo")
        os.utime(old, (time.time() - 3600, time.time() - 3600))
        _app(folder)
        assert not dead.exists() and not old.exists()
        assert alive.exists()  # a running check's own
    finally:
        for d in (dead, alive, old):
            shutil.rmtree(d, ignore_errors=True)


def test_a_busy_port_is_one_line_and_exit_2_before_the_models_load(
        folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import smcheck.serve

    def loads(*_: object, **__: object) -> None:
        raise AssertionError("started loading")

    monkeypatch.setattr(smcheck.serve, "run", loads)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(cli_app, ["serve", "--port", str(port), "--config",
                                              str(folder / "smcheck.toml")])
        assert result.exit_code == 2, result.output
        assert "port is in use" in result.output and "Traceback" not in result.output
        proc = subprocess.run([sys.executable, "-m", "smcheck", "serve", "--port", str(port)],
                              cwd=folder, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.strip().count("\n") == 0 and "port is in use" in proc.stderr


def test_a_weak_token_in_the_environment_is_refused(folder: Path) -> None:
    result = CliRunner().invoke(cli_app, ["serve", "--config", str(folder / "smcheck.toml")],
                                env={"SMCHECK_SERVE_TOKEN": "short"})
    assert result.exit_code == 2 and "too short" in result.output


# ---- long posts: their own process, their own budget --------------------------------------


def _stuck_lane(conn: Any, raw: dict[str, Any]) -> None:
    """A long-post process that makes a photo folder, then checks nothing until the file
    named in SMCHECK_TEST_RELEASE appears (or forever)."""
    (Path(str(memory_folder())) / f"{SHM_PREFIX}{os.getpid()}-stuck").mkdir()
    conn.send("ready")
    release = Path(os.environ.get("SMCHECK_TEST_RELEASE", "/nonexistent"))
    while True:
        job = conn.recv()
        while not release.exists():
            time.sleep(0.05)
        conn.send(Answer(200, {"released": len(job.text)}))


def _forking_lane(conn: Any, raw: dict[str, Any]) -> None:
    """A long-post process as the real one sets itself up, forking workers as spaCy does
    for a very long post."""
    import multiprocessing

    from smcheck.serve import lane_setup

    lane_setup()
    conn.send("ready")
    conn.recv()
    with multiprocessing.Pool(2) as pool:  # the default start method, as spaCy's pipe
        conn.send(Answer(200, {"forked": pool.map(abs, [-1, -2]), "group": os.getpgrp(),
                               "nice": os.nice(0),
                               "method": multiprocessing.get_start_method()}))


def test_the_long_post_process_may_fork_its_workers(folder: Path) -> None:
    app = create_app(ServeOptions(config=folder / "smcheck.toml", budget_s=600), warm=False,
                     lane_target=_forking_lane)
    with TestClient(app, base_url=BASE) as c:
        r = c.post("/check", json={"text": "x" * (FAST_TEXT + 1)})
        assert r.status_code == 200, r.text
        assert r.json()["forked"] == [1, 2]
        assert r.json()["group"] == app.state.lane.pid  # killed with its workers
        assert r.json()["nice"] >= 10
        # spaCy's workers are forked, as in `smcheck check`: its pipeline cannot be pickled
        assert r.json()["method"] == "fork"


LONG = (TEXT + "\n\n") * (FAST_TEXT // len(TEXT) + 2)


@pytest.mark.skipif(memory_folder() is None, reason="no folder in memory on this system")
def test_a_long_post_over_its_budget_is_an_e902_and_its_process_is_killed(
        folder: Path) -> None:
    app = create_app(ServeOptions(config=folder / "smcheck.toml", budget_s=1.0), warm=False,
                     lane_target=_stuck_lane)
    shm = Path(str(memory_folder()))
    lane = app.state.lane
    with TestClient(app, base_url=BASE) as c:
        pids = []
        for _ in range(2):
            assert lane.executor.submit(lane.ready, 300).result()  # started, and listening
            pids.append(lane.pid)
            r = c.post("/check", json={"text": LONG, "publish_at": WHEN})
            assert r.status_code == 200
            [post] = r.json()["posts"]
            assert post["verdict"] != "ok" and [f["rule"] for f in post["findings"]] == ["E902"]
            assert "time budget of 1 s" in post["findings"][0]["message"]
            assert lane.pid is None  # killed; started again for the next long post
        assert len(set(pids)) == 2
        assert not list(shm.glob(f"{SHM_PREFIX}{pids[0]}-*"))  # its photo folder removed
        with pytest.raises(ProcessLookupError):
            os.kill(pids[0], 0)


def test_a_short_check_answers_while_a_long_post_is_in_flight(
        folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    release = tmp_path / "release"
    monkeypatch.setenv("SMCHECK_TEST_RELEASE", str(release))
    app = create_app(ServeOptions(config=folder / "smcheck.toml", budget_s=600), warm=False,
                     lane_target=_stuck_lane)
    with TestClient(app, base_url=BASE) as c:
        long: list[int] = []
        t = threading.Thread(target=lambda: long.append(
            c.post("/check", json={"text": LONG}).json()["released"]))
        t.start()
        for _ in range(600):
            if app.state.lane.waiting:
                break
            time.sleep(0.1)
        r = c.post("/check", json={"text": TEXT, "publish_at": WHEN})
        assert r.status_code == 200 and r.json()["posts"][0]["findings"]
        assert t.is_alive() and not long  # the long one still held by its process
        # Three more long posts may wait; a fifth is told the service is busy.
        more = [threading.Thread(target=lambda: long.append(
            c.post("/check", json={"text": LONG}).json()["released"])) for _ in range(3)]
        for m in more:
            m.start()
        for _ in range(600):
            if app.state.lane.waiting == MAX_LONG_WAITING:
                break
            time.sleep(0.1)
        r = c.post("/check", json={"text": LONG})
        assert r.status_code == 503 and "busy" in r.json()["error"]
        release.touch()
        t.join(60)
        for m in (t, *more):
            m.join(60)
        assert long == [len(LONG)] * 4


def test_a_long_post_is_checked_in_its_process_as_in_this_one(client: TestClient) -> None:
    from smcheck.serve import Job

    r = client.post("/check", json={"text": LONG, "publish_at": WHEN})
    assert r.status_code == 200
    service = client.app.state.service  # type: ignore[attr-defined]
    here = service.answer(Job(text=LONG, images=[], publish_at=WHEN, redact=False,
                              previews=False))
    assert r.json() == here.body
    assert {f["rule"] for f in r.json()["posts"][0]["findings"]} == {"N102", "S301"}


# ---- a real server: address, logs, and the page in Chromium ---------------------------


def _free_port() -> int:
    with socket.socket() as s:  # binding is local; the tests' network guard refuses connect
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _http(url: str, body: dict[str, object] | None = None,
          headers: dict[str, str] | None = None) -> tuple[int, str]:
    """A request from another process: this one refuses every connection (conftest)."""
    code = ("import json,sys,urllib.request as u\n"
            "h={'content-type':'application/json',**json.loads(sys.argv[3])}\n"
            "req=u.Request(sys.argv[1],data=sys.argv[2].encode() or None,headers=h)\n"
            "try:\n r=u.urlopen(req,timeout=60);print(r.status);print(r.read().decode())\n"
            "except OSError as e:\n print(getattr(e,'code',0));"
            "print(e.read().decode() if hasattr(e,'read') else e)\n")
    out = subprocess.run([sys.executable, "-c", code, url, json.dumps(body) if body else "",
                          json.dumps(headers or {})],
                         capture_output=True, text=True, timeout=90).stdout
    status, _, text = out.partition("\n")
    return int(status or 0), text


def _wait_healthy(proc: subprocess.Popen[bytes], url: str, log: Path) -> None:
    """Until the service answers /health (models loaded), or fail with its log."""
    for _ in range(240):
        if proc.poll() is not None:
            pytest.fail(f"serve exited: {log.read_text()}")
        if _http(url + "/health")[0] == 200:
            return
        time.sleep(0.5)
    pytest.fail(f"serve never answered /health: {log.read_text()}")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    folder = tmp_path_factory.mktemp("serve")
    shutil.copy(ROOT / "sample_posts" / "roster.csv", folder / "roster.csv")
    shutil.copytree(ROOT / "sample_posts" / "photos", folder / "photos")
    (folder / "smcheck.toml").write_text('roster = "roster.csv"\n')
    port = _free_port()
    log = folder / "server.log"
    with log.open("w") as fh:
        proc = subprocess.Popen([sys.executable, "-m", "smcheck", "serve", "--port", str(port)],
                                cwd=folder, stdout=fh, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(proc, url, log)
        yield url, log
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_server_listens_on_loopback_only_and_logs_no_text(server: tuple[str, Path]) -> None:
    url, log = server
    marker = "Quentin Zyzzyva-Marbleworth"
    status, body = _http(url + "/check", {"text": f"Congrats {marker} on the spelling bee!"})
    assert status == 200 and marker in body  # the answer quotes it; the log must not
    status, _ = _http(url + "/check", {"text": f"{marker} " * 100, "publish_at": "soon"})
    assert status == 422
    text = log.read_text()
    assert "127.0.0.1" in text and "POST /check" in text
    assert "Quentin" not in text and "Zyzzyva" not in text
    out = subprocess.run(["ss", "-ltnH"], capture_output=True, text=True).stdout \
        if shutil.which("ss") else ""
    port = url.rsplit(":", 1)[1]
    listening = [line.split()[3] for line in out.splitlines() if line.split()[3].endswith(
        f":{port}")]
    if listening:
        assert listening == [f"127.0.0.1:{port}"]


def test_server_refuses_other_sites(server: tuple[str, Path]) -> None:
    url, log = server
    port = url.rsplit(":", 1)[1]
    status, body = _http(url + "/check", {"text": "Hi"}, {"host": f"rebound.example:{port}"})
    assert status == 421 and "Host" in json.loads(body)["error"]
    status, _ = _http(url + "/check", {"text": "Hi"}, {"origin": "http://evil.example",
                                                       "sec-fetch-site": "cross-site"})
    assert status == 403
    status, body = _http(url + "/check", {"text": "Hi"}, {"origin": url,
                                                          "sec-fetch-site": "same-origin"})
    assert status == 401 and "token" in json.loads(body)["error"]
    assert "rebound" not in log.read_text() and "Traceback" not in log.read_text()


def test_server_on_the_network_needs_the_token(tmp_path: Path) -> None:
    """Bound to every address: a loud warning, and nothing answered without the token."""
    shutil.copy(ROOT / "sample_posts" / "roster.csv", tmp_path / "roster.csv")
    shutil.copytree(ROOT / "sample_posts" / "photos", tmp_path / "photos")
    (tmp_path / "smcheck.toml").write_text('roster = "roster.csv"\n')
    port = _free_port()
    log = tmp_path / "server.log"
    token = "network-token-0123456789abcdef"
    with log.open("w") as fh:
        proc = subprocess.Popen(
            [sys.executable, "-m", "smcheck", "serve", "--host", "0.0.0.0", "--port", str(port)],
            cwd=tmp_path, stdout=fh, stderr=subprocess.STDOUT,
            env={**os.environ, "SMCHECK_SERVE_TOKEN": token})
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(proc, url, log)
        assert _http(url + "/check", {"text": TEXT})[0] == 401
        assert _http(url + "/")[0] == 401
        assert _http(url + f"/?token={token}")[0] == 200
        status, body = _http(url + "/check", {"text": TEXT, "publish_at": WHEN},
                             {"authorization": f"Bearer {token}"})
        assert status == 200 and json.loads(body)["posts"][0]["verdict"] == "block"
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    text = log.read_text()
    assert "WARNING: listening on 0.0.0.0, open to the network" in text
    assert token not in text  # chosen by the user: not printed, nor logged


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="no chromium on this machine")
def test_page_in_chromium(server: tuple[str, Path], tmp_path: Path) -> None:
    playwright = pytest.importorskip("playwright.sync_api")
    url, _ = server
    shots = Path(os.environ.get("SMCHECK_SCREENSHOTS", tmp_path))
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        try:
            for width, height, name in ((1200, 900, "desktop"), (390, 844, "phone")):
                page = browser.new_page(viewport={"width": width, "height": height})
                requests: list[str] = []
                page.on("request", lambda r, seen=requests: seen.append(r.url))
                page.goto(url + "/")
                page.fill("#text", TEXT)
                page.set_input_files("#files", str(PHOTO))
                page.fill("#when", "2026-11-20T15:00")
                page.click("#go")
                page.wait_for_selector(".box", timeout=60_000)
                assert page.inner_text("#verdict") == "block"
                marks = page.eval_on_selector_all("mark", "ms => ms.map(m => m.textContent)")
                assert "Leo" in marks and any("tomorrow at 9am" in m for m in marks)
                boxes = page.eval_on_selector_all(".box", "bs => bs.map(b => b.textContent)")
                assert boxes == ["F402 S1011"]
                box = page.eval_on_selector(".box", "b => b.getBoundingClientRect().width")
                assert box > 10  # drawn on the photo, not collapsed
                codes = page.eval_on_selector_all(".finding .code", "cs => cs.map(c => c.textContent)")
                assert sorted(codes) == ["F402", "N102", "S301"]
                overflow = page.evaluate("document.documentElement.scrollWidth - innerWidth")
                assert overflow <= 0, f"{name}: the page scrolls sideways by {overflow}px"
                assert all(r.startswith((url, "data:", "blob:")) for r in requests), requests
                page.screenshot(path=str(shots / f"serve-{name}.png"), full_page=True)
                page.close()
        finally:
            browser.close()
