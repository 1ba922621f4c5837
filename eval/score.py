"""Score smcheck against the development corpus's labels, per rule family.

Runs `smcheck audit eval/posts` with the corpus's roster, config and publish time, reads
every `eval/labels/*.toml`, and compares, post by post, the sets of (family letter,
student id or None) that the labels expect with those smcheck found (findings of
severity above info). See eval/README.md for the labelling guide.

    uv run python eval/score.py                 # the figures
    uv run python eval/score.py --misses        # and every missed / false finding
    uv run python eval/score.py --check         # exit 1 below a floor in eval/floors.toml

Exit codes: 0 scored (and, with --check, every floor met); 1 below a floor; 2 the corpus
is inconsistent (a post without a label, a label without a post, a malformed label) or
smcheck could not run.
"""

from __future__ import annotations

import argparse
import csv
import fnmatch
import json
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

EVAL = Path(__file__).resolve().parent
ROOT = EVAL.parent
POSTS = EVAL / "posts"
LABELS = EVAL / "labels"
ROSTER = EVAL / "roster.csv"
CONFIG = EVAL / "smcheck.toml"
FLOORS = EVAL / "floors.toml"
PUBLISH_AT = "2026-12-02T07:30:00-08:00[America/Los_Angeles]"

FAMILIES = ("N", "L", "S", "F", "R", "C", "E")
VERDICTS = ("block", "review", "ok")
SCORED_SEVERITIES = ("warning", "violation", "critical")
RULE_CODE = re.compile(r"[NLSFRCE]\d{3}")
TEXT_SUFFIXES = (".txt", ".md")
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".gif", ".tif", ".tiff", ".bmp",
                  ".heic", ".heif")

# One thing a post should (or does) raise: a rule family and the roster student, if any.
Key = tuple[str, str | None]


class CorpusError(Exception):
    """The corpus cannot be scored as it stands (one line, naming the file)."""


@dataclass(frozen=True, kw_only=True)
class Expected:
    rule: str
    student: str | None


@dataclass(frozen=True, kw_only=True)
class Label:
    file: str
    verdict: str
    findings: tuple[Expected, ...]
    why: str
    source: str

    @property
    def keys(self) -> frozenset[Key]:
        return frozenset((f.rule[0], f.student) for f in self.findings)


@dataclass(frozen=True, kw_only=True)
class Found:
    rule: str
    student: str | None
    severity: str
    span_text: str | None
    message: str

    @property
    def key(self) -> Key:
        return (self.rule[0], self.student)


@dataclass(frozen=True, kw_only=True)
class Result:
    """What smcheck said about one post."""

    file: str
    verdict: str
    findings: tuple[Found, ...]

    @property
    def keys(self) -> frozenset[Key]:
        return frozenset(f.key for f in self.findings if f.severity in SCORED_SEVERITIES)


@dataclass(frozen=True, kw_only=True)
class PostScore:
    label: Label
    result: Result

    @property
    def missed(self) -> frozenset[Key]:
        return self.label.keys - self.result.keys

    @property
    def false(self) -> frozenset[Key]:
        return self.result.keys - self.label.keys

    @property
    def verdict_agrees(self) -> bool:
        return self.label.verdict == self.result.verdict


@dataclass(frozen=True, kw_only=True)
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(tp=self.tp + other.tp, fp=self.fp + other.fp, fn=self.fn + other.fn)

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        if p is None or r is None:
            return None
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(frozen=True, kw_only=True)
class Score:
    posts: tuple[PostScore, ...]

    def counts(self, family: str) -> Counts:
        total = Counts()
        for p in self.posts:
            want = {k for k in p.label.keys if k[0] == family}
            got = {k for k in p.result.keys if k[0] == family}
            total += Counts(tp=len(want & got), fp=len(got - want), fn=len(want - got))
        return total

    @property
    def overall(self) -> Counts:
        total = Counts()
        for family in FAMILIES:
            total += self.counts(family)
        return total

    def silent(self, family: str) -> tuple[int, int]:
        """(posts where smcheck stayed silent, posts that must not raise this family)."""
        quiet = [p for p in self.posts if not any(k[0] == family for k in p.label.keys)]
        return (sum(not any(k[0] == family for k in p.result.keys) for p in quiet), len(quiet))

    @property
    def silent_total(self) -> tuple[int, int]:
        ok = total = 0
        for family in FAMILIES:
            o, t = self.silent(family)
            ok, total = ok + o, total + t
        return ok, total

    @property
    def verdicts(self) -> tuple[int, int]:
        return (sum(p.verdict_agrees for p in self.posts), len(self.posts))

    def confusion(self) -> dict[str, dict[str, int]]:
        """Expected verdict -> smcheck's verdict -> posts."""
        table = {want: dict.fromkeys(VERDICTS, 0) for want in VERDICTS}
        for p in self.posts:
            row = table[p.label.verdict]
            row[p.result.verdict] = row.get(p.result.verdict, 0) + 1
        return table


# --- reading the corpus ------------------------------------------------------------------

def roster_ids(roster: Path = ROSTER) -> frozenset[str]:
    with roster.open(encoding="utf-8-sig", newline="") as fh:
        return frozenset(row["student_id"].strip() for row in csv.DictReader(fh))


def load_labels(files: Iterable[Path], students: frozenset[str] | None = None
                ) -> dict[str, Label]:
    """Every [[post]] of the label files, by post file name; malformed labels raise."""
    labels: dict[str, Label] = {}
    for path in sorted(files):
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise CorpusError(f"{path}: {exc}") from None
        unknown_top = set(data) - {"post"}
        if unknown_top:
            raise CorpusError(f"{path}: unknown key(s) {sorted(unknown_top)}")
        for n, entry in enumerate(data.get("post", []), 1):
            label = _label(entry, f"{path} [[post]] #{n}", students)
            if label.file in labels:
                raise CorpusError(f"{path}: {label.file} is labelled twice "
                                  f"(also in {labels[label.file].source})")
            labels[label.file] = label
    return labels


def _label(entry: Mapping[str, Any], where: str, students: frozenset[str] | None) -> Label:
    unknown = set(entry) - {"file", "verdict", "findings", "why"}
    if unknown:
        raise CorpusError(f"{where}: unknown key(s) {sorted(unknown)}")
    file = entry.get("file")
    if not isinstance(file, str) or not file:
        raise CorpusError(f"{where}: `file` is missing")
    where = f"{where} ({file})"
    verdict = entry.get("verdict")
    if verdict not in VERDICTS:
        raise CorpusError(f"{where}: verdict must be one of {', '.join(VERDICTS)}")
    why = entry.get("why", "")
    if not isinstance(why, str) or not why.strip():
        raise CorpusError(f"{where}: `why` is missing")
    findings: list[Expected] = []
    for f in entry.get("findings", []):
        if not isinstance(f, dict) or set(f) - {"rule", "student"}:
            raise CorpusError(f"{where}: a finding takes `rule` and optional `student`")
        rule, student = f.get("rule"), f.get("student")
        if not isinstance(rule, str) or not RULE_CODE.fullmatch(rule):
            raise CorpusError(f"{where}: {rule!r} is not a rule code")
        if student is not None and (not isinstance(student, str)
                                    or (students is not None and student not in students)):
            raise CorpusError(f"{where}: {student!r} is not a roster student id")
        findings.append(Expected(rule=rule, student=student))
    return Label(file=file, verdict=verdict, findings=tuple(findings), why=why.strip(),
                 source=where)


def parse_report(report: Mapping[str, Any], folder: str) -> dict[str, Result]:
    """smcheck's JSON report, by post path below `folder` (as it was given to audit)."""
    results: dict[str, Result] = {}
    for post in report["posts"]:
        path = Path(post["path"])
        try:
            rel = path.relative_to(folder).as_posix()
        except ValueError:
            rel = path.name
        findings = tuple(
            Found(rule=f["rule"], student=f.get("student_id"), severity=f["severity"],
                  span_text=(f.get("span") or {}).get("text"), message=f.get("message", ""))
            for f in post["findings"])
        results[rel] = Result(file=rel, verdict=post["verdict"], findings=findings)
    return results


def score(labels: Mapping[str, Label], results: Mapping[str, Result]) -> Score:
    """Pair labels with results; a post without a label (or the reverse) is an error."""
    unlabelled = sorted(set(results) - set(labels))
    if unlabelled:
        raise CorpusError(f"{len(unlabelled)} post(s) without a label: "
                          f"{', '.join(unlabelled[:5])}{' ...' if len(unlabelled) > 5 else ''}")
    orphans = sorted(set(labels) - set(results))
    if orphans:
        first = labels[orphans[0]].source
        raise CorpusError(f"{len(orphans)} label(s) without a post in eval/posts: "
                          f"{', '.join(orphans[:5])}{' ...' if len(orphans) > 5 else ''} "
                          f"(first: {first})")
    return Score(posts=tuple(PostScore(label=labels[f], result=results[f])
                             for f in sorted(labels)))


# --- running smcheck ---------------------------------------------------------------------

def select_posts(folder: Path, pattern: str, into: Path) -> int:
    """Copy the posts whose name below `folder` matches `pattern`, each with its images
    (same stem, optionally -N/_N); returns how many posts were copied."""
    entries = sorted(folder.iterdir())
    texts = {e.stem for e in entries if e.is_file() and e.suffix.lower() in TEXT_SUFFIXES}

    def owner(image: Path) -> str | None:
        bare = re.sub(r"[-_]\d+$", "", image.stem)
        return image.stem if image.stem in texts else bare if bare in texts else None

    images = [e for e in entries if e.is_file() and e.suffix.lower() in IMAGE_SUFFIXES]
    copied = 0
    for entry in entries:
        if not fnmatch.fnmatch(entry.name, pattern):
            continue
        if entry.is_dir():
            shutil.copytree(entry, into / entry.name)
        elif entry.suffix.lower() in TEXT_SUFFIXES:
            shutil.copy2(entry, into / entry.name)
            for image in images:
                if owner(image) == entry.stem:
                    shutil.copy2(image, into / image.name)
        elif entry in images and owner(entry) is None:
            shutil.copy2(entry, into / entry.name)    # a photo-only post
        else:
            continue
        copied += 1
    return copied


def run_smcheck(folder: Path, jobs: int | None = None) -> dict[str, Any]:
    """smcheck's JSON report of an audit of `folder`, from this environment's smcheck."""
    command = [sys.executable, "-m", "smcheck", "audit", str(folder),
               "--roster", str(ROSTER), "--config", str(CONFIG),
               "--publish-at", PUBLISH_AT, "--format", "json", "--exit-zero"]
    if jobs is not None:
        command += ["--jobs", str(jobs)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        tail = (done.stderr.strip().splitlines() or ["(no message)"])[-1]
        raise CorpusError(f"smcheck audit exited {done.returncode}: {tail}")
    try:
        report: dict[str, Any] = json.loads(done.stdout)
    except json.JSONDecodeError as exc:
        raise CorpusError(f"smcheck audit printed no JSON report: {exc}") from None
    return report


# --- figures -----------------------------------------------------------------------------

def _ratio(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


def figures(s: Score) -> dict[str, Any]:
    def counts(c: Counts) -> dict[str, Any]:
        return {"expected": c.tp + c.fn, "found": c.tp + c.fp, "tp": c.tp, "fp": c.fp,
                "fn": c.fn, "precision": _ratio(c.precision), "recall": _ratio(c.recall),
                "f1": _ratio(c.f1)}

    silent_ok, silent_total = s.silent_total
    agree, total = s.verdicts
    return {
        "posts": len(s.posts),
        "families": {f: counts(s.counts(f)) for f in FAMILIES},
        "overall": counts(s.overall),
        "silent": {
            "rate": _ratio(silent_ok / silent_total if silent_total else None),
            "silent": silent_ok, "checks": silent_total,
            "families": {f: {"silent": o, "checks": t,
                             "rate": _ratio(o / t if t else None)}
                         for f in FAMILIES for o, t in [s.silent(f)]},
        },
        "verdict": {"agreement": _ratio(agree / total if total else None), "agree": agree,
                    "posts": total, "confusion": s.confusion()},
    }


def _pct(x: float | None) -> str:
    return "   -  " if x is None else f"{100 * x:5.1f}%"


def render(fig: Mapping[str, Any]) -> str:
    lines = [f"{fig['posts']} posts, published at {PUBLISH_AT} unless front matter says",
             "",
             "family  expected  found   tp   fp   fn  precision  recall     F1   silent"]
    rows = [*((f, fig["families"][f]) for f in FAMILIES), ("all", fig["overall"])]
    for name, c in rows:
        silent = (fig["silent"]["families"][name]["rate"] if name != "all"
                  else fig["silent"]["rate"])
        lines.append(f"{name:<6} {c['expected']:>9} {c['found']:>6} {c['tp']:>4} {c['fp']:>4} "
                     f"{c['fn']:>4}     {_pct(c['precision'])}  {_pct(c['recall'])}  "
                     f"{_pct(c['f1'])}  {_pct(silent)}")
    sil, ver = fig["silent"], fig["verdict"]
    lines += ["",
              f"silent checks: {sil['silent']}/{sil['checks']} ({_pct(sil['rate']).strip()}) "
              "- for each post and each family it must not raise, smcheck said nothing",
              f"verdicts: {ver['agree']}/{ver['posts']} agree ({_pct(ver['agreement']).strip()})"
              "   expected -> smcheck:"]
    for want, row in ver["confusion"].items():
        cells = "  ".join(f"{got} {n:>3}" for got, n in row.items())
        lines.append(f"  {want:<6} -> {cells}")
    return "\n".join(lines)


def _who(key: Key) -> str:
    return f"{key[0]} {key[1] or '-'}"


def render_misses(s: Score) -> str:
    out: list[str] = []
    for p in s.posts:
        if not (p.missed or p.false or not p.verdict_agrees):
            continue
        out.append(f"{p.label.file}: verdict {p.label.verdict}"
                   + ("" if p.verdict_agrees else f", smcheck {p.result.verdict}"))
        out.append(f"  why: {p.label.why}")
        for key in sorted(p.missed, key=_who):
            rules = ", ".join(e.rule for e in p.label.findings if (e.rule[0], e.student) == key)
            out.append(f"  missed {_who(key)}  (label {rules})")
            for f in p.result.findings:
                if f.key[0] == key[0] and f.severity in SCORED_SEVERITIES:
                    out.append(f"      smcheck has {f.rule} {f.student or '-'} "
                               f"{f.span_text!r}: {f.message}")
        for key in sorted(p.false, key=_who):
            for f in p.result.findings:
                if f.key == key and f.severity in SCORED_SEVERITIES:
                    out.append(f"  false  {_who(key)}  {f.rule} {f.severity} "
                               f"{f.span_text!r}: {f.message}")
    return "\n".join(out) if out else "no misses"


# --- floors ------------------------------------------------------------------------------

def load_floors(path: Path = FLOORS) -> dict[str, Any]:
    try:
        floors: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise CorpusError(f"{path}: {exc}") from None
    return floors


def below_floors(fig: Mapping[str, Any], floors: Mapping[str, Any]) -> list[str]:
    """Each figure under its floor, as a line; a figure with nothing to measure passes."""
    fails: list[str] = []

    def check(name: str, value: float | None, floor: object) -> None:
        if not isinstance(floor, int | float):
            raise CorpusError(f"{FLOORS}: floor for {name} is not a number")
        if value is not None and value < floor:
            fails.append(f"{name} {value:.3f} < floor {floor}")

    for measure in ("recall", "precision"):
        for family, floor in floors.get(measure, {}).items():
            if family != "overall" and family not in FAMILIES:
                raise CorpusError(f"{FLOORS}: unknown family {family!r} in [{measure}]")
            counts = fig["overall"] if family == "overall" else fig["families"][family]
            check(f"{measure} {family}", counts[measure], floor)
    if "silent" in floors:
        check("silent rate", fig["silent"]["rate"], floors["silent"])
    if "verdict" in floors:
        check("verdict agreement", fig["verdict"]["agreement"], floors["verdict"])
    return fails


# --- command line ------------------------------------------------------------------------

def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--misses", action="store_true",
                        help="print every missed and false (family, student), post by post")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--check", action="store_true",
                        help="exit 1 if a figure is below its floor in eval/floors.toml")
    parser.add_argument("--posts", metavar="GLOB",
                        help="score only the posts whose file name matches GLOB (a0*)")
    parser.add_argument("--jobs", "-j", type=int, metavar="N",
                        help="passed to smcheck audit --jobs")
    parser.add_argument("--from-json", type=Path, metavar="FILE",
                        help="score a saved `smcheck audit --format json` report of "
                             "eval/posts instead of running smcheck")
    args = parser.parse_args(argv)
    try:
        labels = load_labels(LABELS.glob("*.toml"), roster_ids())
        if args.posts:
            labels = {f: lb for f, lb in labels.items() if fnmatch.fnmatch(f, args.posts)}
        if args.from_json:
            report = json.loads(args.from_json.read_text(encoding="utf-8"))
            folder = str(POSTS.relative_to(ROOT))
            results = parse_report(report, folder)
            if args.posts:
                results = {f: r for f, r in results.items() if fnmatch.fnmatch(f, args.posts)}
        elif args.posts:
            with tempfile.TemporaryDirectory(prefix="smcheck-eval-") as tmp:
                if not select_posts(POSTS, args.posts, Path(tmp)):
                    raise CorpusError(f"no post in {POSTS} matches {args.posts!r}")
                results = parse_report(run_smcheck(Path(tmp), args.jobs), tmp)
        else:
            folder = str(POSTS.relative_to(ROOT))
            results = parse_report(run_smcheck(Path(folder), args.jobs), folder)
        result = score(labels, results)
        fig = figures(result)
        if args.json:
            print(json.dumps(fig, indent=2))
        else:
            print(render(fig))
        if args.misses:
            print()
            print(render_misses(result))
        if args.check:
            fails = below_floors(fig, load_floors())
            for line in fails:
                print(f"below floor: {line}", file=sys.stderr)
            if fails:
                return 1
    except CorpusError as exc:
        print(f"score.py: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
