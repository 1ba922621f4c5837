"""smcheck never opens a socket: not for models, not for the public-suffix list.

The check runs in a fresh interpreter, so Presidio and tldextract load for the
first time under the guard; a refused connection that a library swallows
(tldextract falls back to its snapshot) is still recorded and fails the test.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

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
