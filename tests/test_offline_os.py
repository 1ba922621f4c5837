"""smcheck is offline as the operating system sees it, not only as Python does.

tests/test_offline.py patches Python's `socket`; native code (onnxruntime's telemetry
client, a C resolver) goes around it, and its timers fire after a short test ends. Here
the real `smcheck` command runs under `strace -f` (every process and thread it starts):
a photo `audit` long enough for any such timer (~60 s of open model sessions, in two
worker processes) and a ~60 s `serve` session answering real photo checks. Each fails on

- a `connect`/`sendto`/`sendmsg`/`sendmmsg` to anything but loopback and Unix sockets
  (port 53 counts even on loopback, and so does a Unix socket of nscd or
  systemd-resolved: those are name lookups);
- a file opened (or created, renamed, linked) for writing outside the folders the run
  was given: its working folder (where it writes its outputs) and TMPDIR. HOME and
  XDG_CACHE_HOME are empty folders of their own, not given for writing (the run does not
  ask for --cache) and still empty afterwards; the posts are never written; TMPDIR is
  empty afterwards. Allowed besides: /dev/null, /proc/self, Python's bytecode cache,
  the standard library's multiprocessing semaphores and arena in /dev/shm, and serve's
  per-request photo folder in /dev/shm, which must be gone when the run ends.

The runs start without the CI variables (CI, GITHUB_ACTIONS, ...): onnxruntime turns its
telemetry off by itself when it sees one, which would make the test pass in CI whatever
smcheck does. They start with the user's environment asking for telemetry
(ORT_DISABLE_TELEMETRY=0, FastAPI's OpenTelemetry export on): smcheck overrides it.

That the detector works is proven, not assumed: test_detector_sees_telemetry runs
`serve` with smcheck's switch taken out (a wrapper empties smcheck.offline.NATIVE and
the variable before smcheck's command starts), in a network namespace of its own (only
loopback: the telemetry it turns on reaches nothing, even in a CI with a network), and
must see the lookups of Microsoft's collector and its device id written under
XDG_CACHE_HOME. The detector's reading of strace's lines has its own table of examples.

strace (and, for the proof, `unshare -n`: root) is required in CI (.ci/run installs
strace): there a missing one fails, elsewhere the tests skip.
Run alone: `uv run pytest -q -s tests/test_offline_os.py` (~3 min; -s prints figures).
"""

from __future__ import annotations

import _socket
import base64
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import ROOT

# onnxruntime suppresses its telemetry when one of these is set (telemetry_environment.h).
CI_VARIABLES = ("CI", "TF_BUILD", "GITHUB_ACTIONS", "GITLAB_CI", "CIRCLECI", "TRAVIS",
                "JENKINS_URL", "CODEBUILD_BUILD_ID", "BUILDKITE", "TEAMCITY_VERSION",
                "APPVEYOR", "BITBUCKET_BUILD_NUMBER", "SYSTEM_TEAMFOUNDATIONCOLLECTIONURI",
                "ORT_RUNNING_UNIT_TESTS")
# A user whose environment asks for telemetry: smcheck must override all of it.
HOSTILE = {"ORT_DISABLE_TELEMETRY": "0", "FASTAPI_OTEL_AUTO_CONFIGURE": "true",
           "OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector.example.org:4318"}
SESSION = 60.0          # seconds of open model sessions each run is after
AUDIT_PHOTOS = 64       # ~40-60 s of open sessions at --jobs 2 on 2 cores
AUDIT_MIN = 30.0        # shorter than this (a much faster machine): once more, more photos
SYSCALLS = ("connect,sendto,sendmsg,sendmmsg,open,openat,?openat2,creat,mkdir,mkdirat,rename,"
            "renameat,renameat2,link,linkat,symlink,symlinkat,truncate")
PHONE = "503-555-0142"


# ---- reading a trace ------------------------------------------------------------------

_LINE = re.compile(r"^(\d+)\s+(\d+):(\d+):(\d+\.\d+)\s+(\w+)\((.*)$")
_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')
_FD = re.compile(r"^(-?\d+|AT_FDCWD)(?:<(.*?)>)?$")
_WRITE_FLAGS = re.compile(r"\bO_(WRONLY|RDWR|CREAT|TRUNC|APPEND)\b")
# Name lookups over a Unix socket: nscd, systemd-resolved (its varlink and D-Bus names).
_RESOLVER_SOCKET = re.compile(r"nscd|resolve|resolv")


@dataclass
class Verdict:
    contacts: list[str] = field(default_factory=list)   # network syscalls to a host
    writes: list[str] = field(default_factory=list)     # paths written outside the run's
    written: set[str] = field(default_factory=set)      # every path written, allowed or not
    first_model: float | None = None                    # when a model file was first opened
    last: float = 0.0                                   # the trace's last moment

    def lookups(self) -> list[str]:
        return [c for c in self.contacts if ":53" in c or "resolv" in c or "nscd" in c]


def _unescape(s: str) -> str:
    return s.encode("latin-1", "backslashreplace").decode("unicode_escape")


def _args(text: str) -> list[str]:
    """The top-level arguments of a syscall's printed argument list."""
    out, depth, quoted, start, i = [], 0, False, 0, 0
    while i < len(text):
        c = text[i]
        if quoted:
            if c == "\\":
                i += 1
            elif c == '"':
                quoted = False
        elif c == '"':
            quoted = True
        elif c == "<":  # strace's name of a descriptor: `3</a/path>`, `8<UDP:[a->b]>`
            end = i
            while end < len(text) and not (text[end] == ">" and text[end + 1:end + 2]
                                           in ("", ",", ")")):
                end += 1
            i = end
        elif c in "{[(":
            depth += 1
        elif c in "}])":
            if depth == 0:  # the closing parenthesis of the call
                out.append(text[start:i].strip())
                return out
            depth -= 1
        elif c == "," and depth == 0:
            out.append(text[start:i].strip())
            start = i + 1
        i += 1
    out.append(text[start:].strip())  # an unfinished call
    return out


def _path(dirfd: str | None, arg: str) -> str | None:
    m = _STRING.fullmatch(arg.split(" ")[0]) if arg.startswith('"') else None
    if m is None:
        return None
    path = _unescape(m.group(1))
    if not path.startswith("/") and dirfd is not None:
        fd = _FD.match(dirfd)
        if fd and fd.group(2):
            path = os.path.join(fd.group(2), path)
    return os.path.normpath(path)


def _loopback(host: str) -> bool:
    return host.startswith("127.") or host in ("::1", "localhost") \
        or host.startswith("::ffff:127.")


def _contact(call: str, args: list[str]) -> str | None:
    """What a network syscall reaches that is not this machine; None when it is."""
    joined = ", ".join(args)
    family = re.search(r"sa_family=(AF_\w+)", joined)
    if family is not None:
        kind = family.group(1)
        if kind == "AF_UNIX":
            path = re.search(r'sun_path=@?"([^"]*)"', joined)
            where = path.group(1) if path else ""
            return f"{call} unix:{where}" if _RESOLVER_SOCKET.search(where) else None
        if kind in ("AF_NETLINK", "AF_UNSPEC"):  # the kernel; a disconnect
            return None
        port = re.search(r"sin6?_port=htons\((\d+)\)", joined)
        host = re.search(r'inet_addr\("([^"]+)"\)|inet_pton\(AF_INET6, "([^"]+)"', joined)
        if kind in ("AF_INET", "AF_INET6") and port and host:
            addr = host.group(1) or host.group(2)
            if _loopback(addr) and port.group(1) != "53":
                return None
            return f"{call} {addr}:{port.group(1)}"
        return f"{call} {kind}"
    # No address given: a connected socket, named by strace -yy.
    sock = re.match(r"-?\d+<([\w-]+):\[(.*?)\]>", args[0]) if args else None
    if sock is None:
        return f"{call} on an unknown socket: {joined[:120]}"
    proto, ends = sock.groups()
    if proto.startswith(("UNIX", "NETLINK")):
        return None
    peer = ends.split("->")[1] if "->" in ends else ""
    host, _, port = peer.rpartition(":")
    host = host.strip("[]")
    if peer and _loopback(host) and port != "53":
        return None
    return f"{call} {proto} {peer or ends}"


def _written(call: str, args: list[str]) -> list[str]:
    """The paths a syscall opens for writing, creates, or renames or links onto."""
    if call in ("open", "creat", "mkdir", "truncate", "rename", "link", "symlink"):
        if call == "open" and not (len(args) > 1 and _WRITE_FLAGS.search(args[1])):
            return []
        if call in ("rename", "link", "symlink"):
            paths = [_path(None, args[1])] if len(args) > 1 else []
        else:
            paths = [_path(None, args[0])] if args else []
    elif call in ("openat", "openat2"):
        if not (len(args) > 2 and _WRITE_FLAGS.search(args[2])):
            return []
        paths = [_path(args[0], args[1])]
    elif call == "mkdirat":
        paths = [_path(args[0], args[1])] if len(args) > 1 else []
    elif call in ("renameat", "renameat2", "linkat"):
        paths = [_path(args[2], args[3])] if len(args) > 3 else []
    elif call == "symlinkat":
        paths = [_path(args[1], args[2])] if len(args) > 2 else []
    else:
        return []
    return [p for p in paths if p is not None]


def _allowed(path: str, roots: Sequence[Path]) -> bool:
    if path in ("/dev/null", "/dev/full") or re.match(r"/proc/(self|\d+)(/|$)", path):
        return True
    # Python's bytecode cache beside modules (smcheck's __main__ writes it on purpose).
    # On a fresh install the folder that holds it is made first (mkdir .../__pycache__).
    if "/__pycache__/" in path and re.search(r"\.pyc(\.\d+)?$", path):
        return True
    if path.endswith("/__pycache__"):
        return True
    # The standard library's multiprocessing: named semaphores and the shared arena,
    # created and unlinked at once, no data of the run in them.
    if re.match(r"/dev/shm/(sem\.|pym-\d+-)", path):
        return True
    # serve's per-request photo folder in memory (checked gone after the run).
    if re.match(r"/dev/shm/smcheck-", path):
        return True
    return any(path == str(r) or path.startswith(str(r) + "/") for r in roots)


def judge(lines: Sequence[str], roots: Sequence[Path]) -> Verdict:
    """What a trace (strace -f -tt -yy) shows: contacts, writes outside `roots`."""
    verdict = Verdict()
    for line in lines:
        m = _LINE.match(line)
        if m is None or m.group(5) == "resumed":
            continue
        hours, minutes, seconds = int(m.group(2)), int(m.group(3)), float(m.group(4))
        moment = hours * 3600 + minutes * 60 + seconds
        verdict.last = max(verdict.last, moment)
        call, args = m.group(5), _args(m.group(6))
        if call in ("connect", "sendto", "sendmsg", "sendmmsg"):
            contact = _contact(call, args)
            if contact is not None:
                verdict.contacts.append(contact)
            continue
        if call in ("open", "openat", "openat2") and ".onnx\"" in m.group(6) \
                and verdict.first_model is None:
            verdict.first_model = moment
        for path in _written(call, args):
            verdict.written.add(path)
            if not _allowed(path, roots):
                verdict.writes.append(f"{call} {path}")
    return verdict


# ---- the detector itself, on lines strace prints --------------------------------------

_ROOTS = (Path("/tmp/run"),)
_CONTACTS = [  # (a line of a trace, what the detector must report; None: nothing)
    ('9 10:00:00.000001 connect(8<UDP:[1234]>, {sa_family=AF_INET, sin_port=htons(53), '
     'sin_addr=inet_addr("10.255.255.53")}, 16) = 0', "connect 10.255.255.53:53"),
    ('9 10:00:00.000001 connect(8<UDP:[1234]>, {sa_family=AF_INET, sin_port=htons(53), '
     'sin_addr=inet_addr("127.0.0.53")}, 16 <unfinished ...>', "connect 127.0.0.53:53"),
    ('9 10:00:00.000001 sendto(9<UDP:[10.0.0.2:41000->10.255.255.53:53]>, "Q\\240"..., 50, '
     'MSG_NOSIGNAL, NULL, 0) = 50', "sendto UDP 10.255.255.53:53"),
    ('9 10:00:00.000001 connect(5<TCPv6:[1]>, {sa_family=AF_INET6, sin6_port=htons(443), '
     'sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "2603:1030::1", &sin6_addr), '
     'sin6_scope_id=0}, 28) = -1 ENETUNREACH', "connect 2603:1030::1:443"),
    ('9 10:00:00.000001 connect(4<UNIX-STREAM:[9]>, {sa_family=AF_UNIX, '
     'sun_path="/var/run/nscd/socket"}, 110) = -1 ENOENT', "connect unix:/var/run/nscd/socket"),
    ('9 10:00:00.000001 sendmsg(7<TCP:[10.0.0.2:5000->52.1.2.3:443]>, {msg_name=NULL}, 0) = 9',
     "sendmsg TCP 52.1.2.3:443"),
    ('9 10:00:00.000001 connect(4<TCP:[1]>, {sa_family=AF_INET, sin_port=htons(8765), '
     'sin_addr=inet_addr("127.0.0.1")}, 16) = 0', None),
    ('9 10:00:00.000001 connect(4<UNIX-STREAM:[9]>, {sa_family=AF_UNIX, '
     'sun_path="/run/dbus/system_bus_socket"}, 110) = 0', None),
    ('9 10:00:00.000001 sendto(5<NETLINK:[77]>, [{nlmsg_len=20}], 20, 0, '
     '{sa_family=AF_NETLINK, nl_pid=0, nl_groups=00000000}, 12) = 20', None),
    ('9 10:00:00.000001 sendto(6<TCP:[127.0.0.1:8765->127.0.0.1:40000]>, "HTTP/1.1 200"..., '
     '120, 0, NULL, 0) = 120', None),
    ('9 10:00:00.000001 sendto(5<UNIX-STREAM:[25638->25637]>, "\\0", 1, 0, NULL, 0) = 1',
     None),  # asyncio's wake-up pipe
    ('9 10:00:00.000001 connect(8<UDP:[1]>, {sa_family=AF_UNSPEC, sa_data="..."}, 16) = 0',
     None),
]
_WRITES = [
    ('9 10:00:00.000001 openat(AT_FDCWD</tmp/run>, "/root/.cache/Microsoft/DeveloperTools/'
     '.onnxruntime/deviceid", O_WRONLY|O_CREAT|O_TRUNC, 0666) = 3',
     "openat /root/.cache/Microsoft/DeveloperTools/.onnxruntime/deviceid"),
    ('9 10:00:00.000001 openat(AT_FDCWD</tmp/run>, "../posts/a.txt", O_RDWR) = 3',
     "openat /tmp/posts/a.txt"),
    ('9 10:00:00.000001 openat(5</home/u/.cache>, "x.db", O_RDWR|O_CREAT, 0644) = 6',
     "openat /home/u/.cache/x.db"),
    ('9 10:00:00.000001 openat2(AT_FDCWD</tmp/run>, "/var/tmp/x", {flags=O_WRONLY|O_CREAT, '
     'mode=0600, resolve=0}, 24) = 3', "openat2 /var/tmp/x"),
    ('9 10:00:00.000001 mkdir("/home/u/.cache/Microsoft", 0777) = 0',
     "mkdir /home/u/.cache/Microsoft"),
    ('9 10:00:00.000001 rename("/tmp/run/.r.tmp", "/srv/report.html") = 0',
     "rename /srv/report.html"),
    ('9 10:00:00.000001 renameat2(AT_FDCWD</tmp/run>, "a", AT_FDCWD</tmp/run>, "/etc/b", 0) '
     '= -1 EACCES', "renameat2 /etc/b"),
    ('9 10:00:00.000001 openat(AT_FDCWD</tmp/run>, "out/report.html", '
     'O_WRONLY|O_CREAT|O_TRUNC, 0666) = 3', None),
    ('9 10:00:00.000001 openat(AT_FDCWD</tmp/run>, "/home/u/photo.jpg", O_RDONLY) = 3', None),
    ('9 10:00:00.000001 openat(AT_FDCWD</tmp/run>, "/dev/null", O_WRONLY) = 3', None),
    ('9 10:00:00.000001 openat(AT_FDCWD</tmp/run>, "/dev/shm/sem.mp-1x", '
     'O_RDWR|O_CREAT|O_EXCL, 0600) = 3', None),
    ('9 10:00:00.000001 openat(AT_FDCWD</tmp/run>, "/venv/x/__pycache__/y.cpython-311.pyc.'
     '1402", O_WRONLY|O_CREAT|O_EXCL, 0644) = 3', None),
    ('9 10:00:00.000001 mkdir("/venv/lib/fastapi/__pycache__", 0777) = 0', None),
    ('9 10:00:00.000001 mkdir("/venv/lib/__pycache__x", 0777) = 0',
     'mkdir /venv/lib/__pycache__x'),
    ('9 10:00:00.000001 openat(AT_FDCWD</tmp/run>, "/proc/self/oom_score_adj", O_WRONLY) = 3',
     None),
]


@pytest.mark.parametrize(("line", "expected"), _CONTACTS)
def test_detector_contacts(line: str, expected: str | None) -> None:
    verdict = judge([line], _ROOTS)
    assert verdict.contacts == ([expected] if expected else [])


@pytest.mark.parametrize(("line", "expected"), _WRITES)
def test_detector_writes(line: str, expected: str | None) -> None:
    verdict = judge([line], _ROOTS)
    assert verdict.writes == ([expected] if expected else [])


# ---- running smcheck under strace -----------------------------------------------------


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no", "off")


@pytest.fixture(scope="module")
def strace() -> str:
    """strace, able to trace here; in CI its absence is a failure, not a skip."""
    path = shutil.which("strace")
    problem = "strace is not installed"
    if path is not None:
        probe = subprocess.run([path, "-f", "-qq", "-e", "trace=none", "true"],
                               capture_output=True, text=True, timeout=60)
        if probe.returncode == 0:
            return path
        problem = f"strace cannot trace here: {probe.stderr.strip()[:200]}"
    if _in_ci():
        pytest.fail(f"{problem}: the offline proof must run in CI (.ci/run installs strace)")
    pytest.skip(problem)


@dataclass
class Run:
    """One traced run's folders: `work` (its working folder, where outputs go) and
    `tmp` (its TMPDIR) are given to it; `home` and `cache` are not."""
    base: Path
    work: Path
    tmp: Path
    home: Path
    cache: Path
    setup: Path
    trace: Path

    @classmethod
    def make(cls, base: Path) -> Run:
        run = cls(base, base / "work", base / "tmp", base / "home", base / "cache",
                  base / "setup", base / "trace.txt")
        for d in (run.work, run.tmp, run.home, run.cache):
            d.mkdir(parents=True)
        # The sample roster (a student with a reference photo: the encoder runs) and
        # config, read by the run, never written.
        run.setup.mkdir()
        shutil.copy(ROOT / "sample_posts" / "roster.csv", run.setup / "roster.csv")
        shutil.copytree(ROOT / "sample_posts" / "photos", run.setup / "photos")
        shutil.copy(ROOT / "sample_posts" / "smcheck.toml", run.setup / "smcheck.toml")
        return run

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items()
               if k not in CI_VARIABLES and not k.startswith(("SMCHECK_", "OTEL_"))}
        env.update(HOSTILE, HOME=str(self.home), XDG_CACHE_HOME=str(self.cache),
                   TMPDIR=str(self.tmp))
        return env

    def command(self, strace: str, argv: Sequence[str]) -> list[str]:
        return [strace, "-f", "-qq", "-tt", "-yy", "-s", "4096", "--seccomp-bpf",
                "-e", f"trace={SYSCALLS}", "-e", "signal=none", "-o", str(self.trace),
                *argv]

    def verdict(self) -> Verdict:
        lines = self.trace.read_text(errors="replace").splitlines()
        return judge(lines, (self.work, self.tmp))

    def leftovers(self, verdict: Verdict) -> list[str]:
        """What the run left where it should leave nothing."""
        out = [str(p) for d in (self.home, self.cache, self.tmp) for p in sorted(d.rglob("*"))]
        out += [p for p in sorted(verdict.written)
                if p.startswith("/dev/shm/smcheck-") and os.path.exists(p)]
        return out


def _smcheck(*args: str) -> list[str]:
    return [sys.executable, "-m", "smcheck", *args]


def _photos(folder: Path, n: int) -> None:
    """n photo-only posts: the sample photos, each with a phone number on a sign (the
    OCR must find it, so the check really looked)."""
    from tests.photogen import words_photo

    folder.mkdir(parents=True, exist_ok=True)
    sources = [ROOT / "sample_posts" / f for f in ("17-space-day.jpg", "18-garden.jpg",
                                                     "20-field-day.jpg")]
    for i in range(n):
        img = words_photo(sources[i % len(sources)], 1600, [(f"Call {PHONE}", 0.1, 0.7)],
                          0.035)
        img.save(folder / f"photo-{i:03d}.jpg", quality=90)


def _tracee(proc: subprocess.Popen[bytes], trace: Path) -> int:
    """The pid of the process strace started: its only child, or (a kernel without
    /proc/PID/task/PID/children) the first process in its trace."""
    for _ in range(400):
        try:
            children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
        except OSError:
            first = _LINE.match(trace.read_text(errors="replace")) if trace.exists() else None
            children = [first.group(1)] if first else []
        if children:
            return int(children[0])
        time.sleep(0.05)
    raise AssertionError("strace started no process")


def _report(run: Run, verdict: Verdict) -> str:
    return (f"contacts: {verdict.contacts[:20]}\nwrites outside the run's folders: "
            f"{verdict.writes[:20]}\nleft behind: {run.leftovers(verdict)[:20]}")


# ---- the audit ------------------------------------------------------------------------


def _audit(strace: str, base: Path, n: int) -> tuple[Run, Verdict, Path]:
    run = Run.make(base)
    posts = base / "posts"
    _photos(posts, n)
    out = run.work / "audit.json"
    argv = _smcheck("audit", str(posts), "--config", str(run.setup / "smcheck.toml"),
                    "--jobs", "2", "--format", "json", "--output-file", str(out),
                    "--exit-zero")
    proc = subprocess.run(run.command(strace, argv), cwd=run.work, env=run.env(),
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return run, run.verdict(), out


def test_photo_audit_under_strace(strace: str, tmp_path: Path) -> None:
    n = AUDIT_PHOTOS
    run, verdict, out = _audit(strace, tmp_path / "first", n)
    assert verdict.first_model is not None, "no model was loaded: the audit proved nothing"
    open_for = verdict.last - verdict.first_model
    if open_for < AUDIT_MIN:  # a machine much faster than CI's: long enough, then
        n = min(400, round(n * SESSION / max(open_for, 1.0)) + 1)
        run, verdict, out = _audit(strace, tmp_path / "longer", n)
        assert verdict.first_model is not None
        open_for = verdict.last - verdict.first_model
    print(f"audit of {n} photos: model sessions open {open_for:.0f} s, "
          f"{len(verdict.written)} paths written")
    assert not verdict.contacts and not verdict.writes and not run.leftovers(verdict), \
        _report(run, verdict)
    posts = json.loads(out.read_text())["posts"]
    assert len(posts) == n
    # Every photo was really read: the phone number on each one's sign, found by OCR.
    assert all(any(f["rule"] == "R503" and f.get("source") == "image"
                   for f in p["findings"]) for p in posts), posts[0]
    assert (out.stat().st_mode & 0o777) == 0o600  # names in it: the user's alone


# ---- serve ----------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _Loopback(http.client.HTTPConnection):
    """An HTTP connection to this machine. The tests' guard (conftest) refuses Python's
    socket.connect in this process; this goes to the C socket's own, on loopback only."""

    def connect(self) -> None:
        assert self.host == "127.0.0.1"
        sock = socket.socket()
        sock.settimeout(self.timeout if isinstance(self.timeout, float | int) else None)
        _socket.socket.connect(sock, (self.host, self.port))
        self.sock = sock


def _request(port: int, method: str, path: str, body: dict[str, object] | None = None,
             timeout: float = 120.0) -> tuple[int, bytes]:
    conn = _Loopback("127.0.0.1", port, timeout=timeout)
    try:
        data = json.dumps(body).encode() if body is not None else None
        conn.request(method, path, body=data,
                     headers={"Content-Type": "application/json"} if data else {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


@contextmanager
def _serving(strace: str, run: Run, argv: Sequence[str],
             prefix: Sequence[str] = ()) -> Iterator[tuple[int, int]]:
    """`smcheck serve` under strace: (port, the serving process), stopped afterwards by a
    SIGINT to that process alone (as Ctrl-C), so strace sees it end. `prefix` runs
    strace (unshare -n: in a network namespace of its own)."""
    port = _free_port()
    log = (run.base / "serve.log").open("wb")
    proc = subprocess.Popen([*prefix, *run.command(strace, [*argv, "--port", str(port)])],
                            cwd=run.work, env=run.env(), stdout=log,
                            stderr=subprocess.STDOUT)
    try:
        pid = _tracee(proc, run.trace)
        yield port, pid
    finally:
        if proc.poll() is None:
            with suppress(ProcessLookupError, AssertionError):  # ended already
                os.kill(_tracee(proc, run.trace), signal.SIGINT)
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()  # strace, which kills what it traces
                proc.wait(timeout=30)
        log.close()


def _up(port: int, run: Run, until: float) -> None:
    while time.monotonic() < until:
        try:
            if _request(port, "GET", "/health", timeout=5)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise AssertionError("serve did not answer: " +
                         (run.base / "serve.log").read_text(errors="replace")[-2000:])


def _photo_b64(i: int) -> str:
    from io import BytesIO

    from tests.photogen import words_photo

    source = ROOT / "sample_posts" / ("17-space-day.jpg", "20-field-day.jpg")[i % 2]
    img = words_photo(source, 1200, [(f"Call {PHONE}", 0.1, 0.7)], 0.04)
    buf = BytesIO()
    img.save(buf, "JPEG", quality=90)
    return base64.b64encode(buf.getvalue()).decode()


def test_serve_under_strace(strace: str, tmp_path: Path) -> None:
    run = Run.make(tmp_path)
    photos = [_photo_b64(i) for i in range(2)]
    answered = 0
    with _serving(strace, run, _smcheck("serve", "--config",
                                        str(run.setup / "smcheck.toml"))) as (port, _):
        start = time.monotonic()
        _up(port, run, start + 240)
        sessions = time.monotonic()  # serve loads every model before it answers
        while time.monotonic() - sessions < SESSION:
            status, body = _request(port, "POST", "/check", {
                "text": "Our art show was a hit! Photos below.",
                "images": [{"name": f"art-{answered}-{i}.jpg", "data": d}
                           for i, d in enumerate(photos)]})
            assert status == 200, body[:500]
            findings = json.loads(body)["posts"][0]["findings"]
            assert any(f["rule"] == "R503" and f.get("source") == "image" for f in findings)
            answered += 1
            time.sleep(8)
    verdict = run.verdict()
    print(f"serve: {answered} photo checks over {SESSION:.0f} s, "
          f"{len(verdict.written)} paths written")
    assert answered >= 3
    assert not verdict.contacts and not verdict.writes and not run.leftovers(verdict), \
        _report(run, verdict)


# ---- the detector sees telemetry when smcheck's switch is taken out -------------------

# smcheck's command with its switch emptied before it runs: the test's only way to turn
# onnxruntime's telemetry back on (smcheck overrides the environment; offline.py). It runs
# in a network namespace of its own, where only loopback exists (brought up here), so the
# telemetry it turns on reaches nothing even on a machine with a network: its lookups are
# seen, as connect() calls that fail.
_UNSWITCHED = ("import fcntl, os, socket, struct, sys\n"
               "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
               "ifr = fcntl.ioctl(s, 0x8913, struct.pack('16sh22x', b'lo', 0))\n"
               "flags = struct.unpack('16sh22x', ifr)[1] | 1\n"
               "fcntl.ioctl(s, 0x8914, struct.pack('16sh22x', b'lo', flags))\n"
               "import smcheck.offline as o\n"
               "o.NATIVE.clear(); o.COMMAND.clear()\n"
               "os.environ.pop('ORT_DISABLE_TELEMETRY', None)\n"
               "sys.argv[0] = 'smcheck'\n"
               "from smcheck.__main__ import main\n"
               "main()\n")


@pytest.fixture(scope="module")
def isolated() -> list[str]:
    """A prefix that runs a command in a network namespace of its own."""
    path = shutil.which("unshare")
    problem = "unshare is not installed"
    if path is not None:
        probe = subprocess.run([path, "-n", "true"], capture_output=True, text=True,
                               timeout=60)
        if probe.returncode == 0:
            return [path, "-n"]
        problem = f"no network namespace here: {probe.stderr.strip()[:200]}"
    if _in_ci():
        pytest.fail(f"{problem}: the telemetry proof must run in CI (as root)")
    pytest.skip(f"{problem} (needed so that the telemetry turned on reaches nothing)")


def test_detector_sees_telemetry(strace: str, isolated: list[str], tmp_path: Path) -> None:
    run = Run.make(tmp_path)
    argv = [sys.executable, "-c", _UNSWITCHED, "serve", "--config",
            str(run.setup / "smcheck.toml")]
    seen: list[str] = []
    with _serving(strace, run, argv, prefix=isolated):
        start = time.monotonic()
        # No request: serve loads every model at start, and the client's timer fires
        # ~9 s after the first session opens. strace writes its trace as it goes.
        while time.monotonic() - start < 240 and not seen:
            time.sleep(2)
            seen = run.verdict().lookups()
    verdict = run.verdict()
    print(f"telemetry on: {len(verdict.lookups())} lookups within "
          f"{time.monotonic() - start:.0f} s, "
          f"{sum('Microsoft' in w for w in verdict.writes)} writes under Microsoft/")
    assert verdict.lookups(), _report(run, verdict)
    assert any(w.endswith("/Microsoft/DeveloperTools/.onnxruntime/deviceid")
               for w in verdict.writes), verdict.writes
    assert any("Microsoft" in p for p in run.leftovers(verdict))
