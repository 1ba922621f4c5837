"""`smcheck serve`: POST /check answers the JSON of `check --format json`; limits,
reloads and logs; the teacher's page in a real browser (headless Chromium)."""

from __future__ import annotations

import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from smcheck.cli import app as cli_app
from smcheck.serve import ServeOptions, create_app
from tests.conftest import ROOT

WHEN = "2026-11-20T15:00:00-08:00"
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
                               warm=False)) as c:
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
                               warm=False)) as c:
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


# ---- a real server: address, logs, and the page in Chromium ---------------------------


def _free_port() -> int:
    with socket.socket() as s:  # binding is local; the tests' network guard refuses connect
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _http(url: str, body: dict[str, object] | None = None) -> tuple[int, str]:
    """A request from another process: this one refuses every connection (conftest)."""
    code = ("import json,sys,urllib.request as u\n"
            "req=u.Request(sys.argv[1],data=sys.argv[2].encode() or None,"
            "headers={'content-type':'application/json'})\n"
            "try:\n r=u.urlopen(req,timeout=60);print(r.status);print(r.read().decode())\n"
            "except OSError as e:\n print(getattr(e,'code',0));print(e)\n")
    out = subprocess.run([sys.executable, "-c", code, url, json.dumps(body) if body else ""],
                         capture_output=True, text=True, timeout=90).stdout
    status, _, text = out.partition("\n")
    return int(status or 0), text


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
        for _ in range(240):
            if proc.poll() is not None:
                pytest.fail(f"serve exited: {log.read_text()}")
            if _http(url + "/health")[0] == 200:
                break
            time.sleep(0.5)
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
