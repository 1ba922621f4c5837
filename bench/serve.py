"""Warm latency and concurrency of `smcheck serve` (issue 10).

Starts `smcheck serve` on a free local port (roster and config of sample_posts/), waits
until it has loaded its models, then measures over HTTP with persistent connections:

- a one-paragraph text post (bench/posts/plain.txt): p50 and p95 of sequential checks;
- a post with one 12 MP photo (made in a temp folder from shared/testdata, never
  committed), sent as multipart: median and max;
- 8 concurrent clients against 1, same text post: errors, and throughput per core
  against one client's throughput;
- (issue 18) the short text post's latency while another client's 1 MB single
  paragraph is in flight (it goes to the long-post process, with its time budget):
  p50, p95 and max of the short checks sent one after another until the long one is
  answered, and how the long one was answered (checked, or E902 past its budget).

Run: uv run python bench/serve.py [--requests 200] [--photos 10] [--profile]
     [--big-kb 1000] [--time-budget 60] [--only-big]
`--profile` also profiles the text checks in-process (cProfile) and prints where the
time goes.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SAMPLES = ROOT / "sample_posts"
TESTDATA = ROOT.parent / "shared" / "testdata"
TEXT = (HERE / "posts" / "plain.txt").read_text(encoding="utf-8")
WHEN = "2026-11-20T15:00:00-08:00"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Client:
    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.conn.connect()
        # A client that waits for each answer: Nagle's algorithm would hold its next
        # request's last segment for the server's delayed ACK (40 ms).
        self.conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def post(self, path: str, body: bytes, kind: str) -> tuple[int, bytes, float]:
        start = time.perf_counter()
        self.conn.request("POST", path, body=body, headers={"content-type": kind})
        resp = self.conn.getresponse()
        data = resp.read()
        return resp.status, data, time.perf_counter() - start

    def text(self) -> tuple[int, bytes, float]:
        return self.post("/check", json.dumps({"text": TEXT, "publish_at": WHEN}).encode(),
                         "application/json")


def multipart(fields: dict[str, str], files: list[tuple[str, bytes]]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts: list[bytes] = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                     f"{value}\r\n".encode())
    for filename, data in files:
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="images"; '
                     f'filename="{filename}"\r\nContent-Type: image/jpeg\r\n\r\n'.encode()
                     + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def twelve_mp_photo(folder: Path) -> Path:
    """A 4000 x 3000 JPEG (12 MP, as phones take them) upscaled from a test photo of
    several faces, saved at phone quality."""
    from PIL import Image

    source = TESTDATA / "faces" / "obama_and_biden.jpg"
    if not source.exists():
        sys.exit(f"needs {source} (../shared/testdata)")
    with Image.open(source) as im:
        big = im.convert("RGB").resize((4000, 3000), Image.Resampling.LANCZOS)
    out = folder / "twelve-mp.jpg"
    big.save(out, "JPEG", quality=90)
    return out


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its children (uvicorn's workers), from
    /proc: on a shared machine the server's CPU per check is steadier than wall time."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError, IndexError):
            continue
    return total


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def throughput(port: int, clients: int, per_client: int) -> tuple[float, int]:
    errors = 0
    lock = threading.Lock()

    def work() -> None:
        nonlocal errors
        c = Client(port)
        for _ in range(per_client):
            try:
                status, _, _ = c.text()
            except OSError:
                status = 0
            if status != 200:
                with lock:
                    errors += 1

    threads = [threading.Thread(target=work) for _ in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    return clients * per_client / elapsed, errors


def one_paragraph(size: int) -> str:
    """A single paragraph of `size` bytes: the development corpus's posts, run together."""
    sys.path.insert(0, str(HERE))
    from scale import long_post

    return " ".join(long_post(size).split())


def short_while_big(port: int, size: int) -> None:
    """Short checks, one after another, while another client's long paragraph is in
    flight."""
    big = json.dumps({"text": one_paragraph(size), "publish_at": WHEN}).encode()
    outcome: list[tuple[int, bytes, float]] = []

    def send_big() -> None:
        outcome.append(Client(port).post("/check", big, "application/json"))

    client = Client(port)
    before = [1000 * client.text()[2] for _ in range(40)]
    thread = threading.Thread(target=send_big)
    started = time.perf_counter()
    thread.start()
    short: list[float] = []
    slow: list[tuple[float, float]] = []  # (seconds since the long one was sent, ms)
    errors = 0
    while thread.is_alive():
        sent = time.perf_counter() - started
        status, _, elapsed = client.text()
        errors += status != 200
        short.append(1000 * elapsed)
        if elapsed > 0.5:
            slow.append((sent, 1000 * elapsed))
    thread.join()
    status, body, elapsed = outcome[0]
    if status == 200:
        findings = json.loads(body)["posts"][0]["findings"]
        rules = sorted({f["rule"] for f in findings})
        how = (f"E902: {findings[0]['message'][:90]}" if rules == ["E902"] else
               f"checked: {len(findings)} findings")
    else:
        how = f"status {status}: {body[:200]!r}"
    if not short:
        print(f"{size / 1000:.0f} KB paragraph answered before any short check was sent")
        return
    print(f"text just before: p50 {pct(before, 50):.1f} ms, p95 {pct(before, 95):.1f} ms, "
          f"max {max(before):.1f} ms (40 sequential); load average {os.getloadavg()[0]:.1f}")
    print(f"text while a {size / 1000:.0f} KB single paragraph is in flight: {len(short)} "
          f"short checks ({errors} errors), p50 {pct(short, 50):.1f} ms, p95 "
          f"{pct(short, 95):.1f} ms, max {max(short):.1f} ms   (goal max < 1000 ms); the "
          f"paragraph answered in {elapsed:.1f} s ({how})")
    if slow:
        print("  short checks over 500 ms (sent at, took): " + ", ".join(
            f"{at:.1f} s {ms:.0f} ms" for at, ms in slow[:10]))


def profile_text(n: int) -> None:
    """Where a warm text check spends its time, in-process (no HTTP)."""
    import cProfile
    import pstats

    from smcheck.api import make_checker, make_post, publish_time

    checker = make_checker(start=SAMPLES)
    when = publish_time(WHEN)
    post = make_post(TEXT)
    for _ in range(5):
        checker.check_post(post, when)
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(n):
        checker.check_post(post, when)
    prof.disable()
    stats = pstats.Stats(prof)
    total = stats.total_tt  # type: ignore[attr-defined]
    print(f"\nin-process warm text check: {1000 * total / n:.1f} ms (under cProfile)")
    stats.sort_stats("cumulative").print_stats(25)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--photos", type=int, default=10)
    parser.add_argument("--per-client", type=int, default=40)
    parser.add_argument("--workers", type=int, default=1, help="smcheck serve --workers")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--big-kb", type=int, default=1000,
                        help="the single paragraph in flight, KB (0: skip)")
    parser.add_argument("--time-budget", type=float, default=60.0,
                        help="smcheck serve --time-budget")
    parser.add_argument("--only-big", action="store_true",
                        help="only the figure with a long paragraph in flight")
    args = parser.parse_args()
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else \
        (os.cpu_count() or 1)
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        photo = twelve_mp_photo(Path(tmp))
        log = Path(tmp) / "serve.log"
        with log.open("w") as fh:
            server = subprocess.Popen(
                [sys.executable, "-m", "smcheck", "serve", "--port", str(port),
                 "--workers", str(args.workers), "--time-budget", str(args.time_budget)],
                cwd=SAMPLES, stdout=fh, stderr=subprocess.STDOUT)
        try:
            started = time.perf_counter()
            while True:
                if server.poll() is not None:
                    sys.exit(f"serve exited:\n{log.read_text()}")
                try:
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                    conn.request("GET", "/health")
                    if conn.getresponse().status == 200:
                        break
                except OSError:
                    time.sleep(0.2)
            # Every worker process loads its models on its own: wait until all are idle.
            before = cpu_seconds(server.pid)
            while True:
                time.sleep(1.0)
                now = cpu_seconds(server.pid)
                if now - before < 0.05:
                    break
                before = now
            print(f"serve --workers {args.workers} ready (models loaded, one warm-up check) "
                  f"in {time.perf_counter() - started:.1f} s; {cores} cores; load average "
                  f"{os.getloadavg()[0]:.1f}")

            if args.only_big:
                short_while_big(port, args.big_kb * 1000)
                return 0
            client = Client(port)
            for _ in range(10):
                client.text()
            times = []
            cpu = cpu_seconds(server.pid)
            for _ in range(args.requests):
                status, body, elapsed = client.text()
                assert status == 200, body[:300]
                times.append(elapsed)
            cpu_ms = 1000 * (cpu_seconds(server.pid) - cpu) / args.requests
            ms = [1000 * t for t in times]
            print(f"text, one paragraph ({len(TEXT)} chars), {args.requests} sequential: "
                  f"p50 {pct(ms, 50):.1f} ms, p95 {pct(ms, 95):.1f} ms, max {max(ms):.1f} ms; "
                  f"server CPU {cpu_ms:.1f} ms a check   (goal p50 <= 30, p95 <= 60)")

            data = photo.read_bytes()
            body, kind = multipart({"text": TEXT, "publish_at": WHEN},
                                   [("twelve-mp.jpg", data)])
            client.post("/check", body, kind)  # first photo: reference encodings
            photo_ms = []
            cpu = cpu_seconds(server.pid)
            for _ in range(args.photos):
                status, out, elapsed = client.post("/check", body, kind)
                assert status == 200, out[:300]
                photo_ms.append(1000 * elapsed)
            photo_cpu = 1000 * (cpu_seconds(server.pid) - cpu) / args.photos
            faces = sum(1 for f in json.loads(out)["posts"][0]["findings"]
                        if f["box"] is not None)
            print(f"text + one 12 MP photo ({len(data) / 1e6:.1f} MB, {faces} faces), "
                  f"{args.photos} sequential: median {statistics.median(photo_ms):.0f} ms, "
                  f"max {max(photo_ms):.0f} ms; server CPU {photo_cpu:.0f} ms a check   "
                  "(goal <= 700)")

            cpu = cpu_seconds(server.pid)
            one, err1 = throughput(port, 1, args.per_client)
            cpu_one = (cpu_seconds(server.pid) - cpu) / args.per_client
            cpu = cpu_seconds(server.pid)
            eight, err8 = throughput(port, 8, args.per_client)
            cpu_eight = (cpu_seconds(server.pid) - cpu) / (8 * args.per_client)
            print(f"throughput, text: 1 client {one:.1f}/s ({err1} errors); 8 clients "
                  f"{eight:.1f}/s ({err8} errors); 8 clients per core {eight / cores:.1f}/s "
                  f"= {eight / cores / one:.2f} of one client's   (goal: no errors, >= 0.5)")
            # What a core of the server does, whatever else the machine runs: checks per
            # CPU-second of the server's processes.
            print(f"  per server CPU-second: 1 client {1 / cpu_one:.1f} checks, 8 clients "
                  f"{1 / cpu_eight:.1f} checks = {cpu_one / cpu_eight:.2f} of one client's")
            if args.big_kb:
                short_while_big(port, args.big_kb * 1000)
        finally:
            server.terminate()
            server.wait(timeout=30)
    if args.profile:
        profile_text(50)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
