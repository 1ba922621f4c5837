"""smcheck never opens a socket: not for models, not for the public-suffix list; and its
switches keep native libraries' telemetry off (the proof under strace, where native code
cannot go around Python: tests/test_offline_os.py).

The check runs in a fresh interpreter, so Presidio and tldextract load for the
first time under the guard; a refused connection that a library swallows
(tldextract falls back to its snapshot) is still recorded and fails the test.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.conftest import DATA

GUARD = textwrap.dedent("""
    import socket, sys
    attempts = []
    def refuse(*args, **kwargs):
        attempts.append(repr(args[:2]))
        raise OSError("network access refused by test")
    socket.socket.connect = refuse
    socket.socket.connect_ex = refuse
    socket.create_connection = refuse
    socket.getaddrinfo = refuse
    from smcheck.cli import app
    try:
        app(sys.argv[1:], standalone_mode=False)
    finally:
        sys.stderr.write("NETWORK ATTEMPTS: %d %s\\n" % (len(attempts), attempts))
        sys.stderr.write("RAPIDOCR CODE: %s\\n" % sorted(
            m for m in sys.modules if m.split(".")[0] == "rapidocr"))
""")


def test_check_opens_no_socket() -> None:
    text = ("Great job, Leo! Questions? Email coach.kim@gmail.com, kim@example.co.uk or "
            "call 503-555-0142. Visit https://example.org/news")
    proc = subprocess.run(
        [sys.executable, "-c", GUARD, "check", "--text", text, "--roster",
         str(DATA / "roster.csv"), "--format", "json"],
        capture_output=True, text=True, timeout=300,
    )
    assert "NETWORK ATTEMPTS: 0 []" in proc.stderr, proc.stderr[-2000:]
    assert '"R503"' in proc.stdout  # the email and phone checks really ran
    assert proc.stdout.count('"R503"') == 3


def test_photo_checks_open_no_socket(tmp_path: Path) -> None:
    # The face models (dlib, MTCNN) and the OCR models (rapidocr's) load from their wheels;
    # rapidocr's own code (its download code, its HTTP client) is never even imported:
    # smcheck runs its model files. The photo is made here: words on a picture.
    from PIL import Image

    from tests.photogen import write

    img = Image.new("RGB", (900, 600), (120, 140, 160))
    write(img, "Call 503-555-0142", (200, 250), 40)
    photo = tmp_path / "sign.png"
    img.save(photo)
    proc = subprocess.run(
        [sys.executable, "-c", GUARD, "check", "--text", "Hi", "--image", str(photo),
         "--format", "json"], capture_output=True, text=True, timeout=300)
    assert "NETWORK ATTEMPTS: 0 []" in proc.stderr, proc.stderr[-2000:]
    assert "RAPIDOCR CODE: []" in proc.stderr, proc.stderr[-2000:]
    assert '"R503"' in proc.stdout and '"source": "image"' in proc.stdout


# ---- the switches: set before onnxruntime loads, on every path, over the user's own ----

_ENV_OF_CHILDREN = textwrap.dedent("""
    import multiprocessing as mp, os, sys
    import smcheck
    names = ("ORT_DISABLE_TELEMETRY", "OTEL_SDK_DISABLED", "FASTAPI_OTEL_AUTO_CONFIGURE")
    def env(_=None):
        return [os.environ.get(n) for n in names]
    if __name__ == "__main__":
        print("parent", env())
        for method in ("fork", "spawn", "forkserver"):
            with mp.get_context(method).Pool(1) as pool:
                print(method, pool.apply(env, (None,)))
""")


def test_import_smcheck_switches_onnxruntime_telemetry_off_in_every_child(
        tmp_path: Path) -> None:
    # The user's environment says telemetry on: smcheck overrides it (README: Offline).
    # `import smcheck` (the API) leaves OpenTelemetry alone: the application's own.
    script = tmp_path / "children.py"
    script.write_text(_ENV_OF_CHILDREN)
    env = {**os.environ, "ORT_DISABLE_TELEMETRY": "0", "FASTAPI_OTEL_AUTO_CONFIGURE": "true"}
    env.pop("OTEL_SDK_DISABLED", None)
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=300, env=env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    lines = proc.stdout.splitlines()
    assert lines == [f"{who} ['1', None, 'true']"
                     for who in ("parent", "fork", "spawn", "forkserver")]


def test_the_command_also_switches_fastapi_telemetry_off() -> None:
    # The console script's own path (smcheck.__main__), with the command itself replaced
    # by a look at the environment it would run in.
    code = ("import os, runpy, smcheck.cli\n"
            "names = ('ORT_DISABLE_TELEMETRY', 'OTEL_SDK_DISABLED', "
            "'FASTAPI_OTEL_AUTO_CONFIGURE')\n"
            "smcheck.cli.main = lambda: print([os.environ.get(n) for n in names])\n"
            "runpy.run_module('smcheck', run_name='__main__')\n")
    env = {**os.environ, "ORT_DISABLE_TELEMETRY": "no", "FASTAPI_OTEL_AUTO_CONFIGURE": "true",
           "OTEL_SDK_DISABLED": "false"}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=300, env=env)
    assert proc.stdout.splitlines() == ["['1', 'true', 'false']"], proc.stderr[-2000:]


@pytest.mark.parametrize(("before", "warned"), [
    ("", True), ("0", True), ("false", True),  # imported first, telemetry on: too late
    ("1", False), (" TRUE ", False), ("yes", False),  # the application turned it off
])
def test_onnxruntime_imported_before_smcheck_is_said(before: str, warned: bool) -> None:
    # Too late to stop it in that process (onnxruntime reads the variable when it is
    # imported): the first model session says so, once, rather than a silent promise.
    code = textwrap.dedent("""
        import warnings, onnxruntime
        import smcheck
        from smcheck.extract import onnx, ocr
        from pathlib import Path
        import rapidocr
        model = next(Path(rapidocr.__file__).parent.rglob("*.onnx"))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            onnx.session(model, 1)
            onnx.session(model, 1)
        print(sum("ORT_DISABLE_TELEMETRY=1" in str(w.message) for w in caught))
    """)
    env = {k: v for k, v in os.environ.items() if k != "ORT_DISABLE_TELEMETRY"}
    if before:
        env["ORT_DISABLE_TELEMETRY"] = before
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=300, env=env)
    assert proc.stdout.strip() == ("1" if warned else "0"), proc.stderr[-2000:]
