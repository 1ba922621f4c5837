"""Accepted findings, one place each (issue 18): the cost of applying an accepted file
grows with the post, not with the post times its places.

A post of N lines, every line naming the same student twice (one finding with 2N
places, as the N102 rule gives it); half of the places accepted. Times
`smcheck.accept.apply` (indexing the lines, hashing every place, splitting the
finding), in-process, CPU time of the process (the machine is shared: wall time
swings 2x between runs), median of 5, for N = 5,000, 10,000, 20,000 and 40,000.
Run: uv run python bench/accept.py
"""

from __future__ import annotations

import statistics
import tempfile
import time
from datetime import datetime
from pathlib import Path

from smcheck import accept
from smcheck.findings import Finding, Severity, Span

LINE = "Great job, Leo! Leo's poster on line {n} was the best in room 12."


def post(lines: int) -> tuple[str, Finding]:
    text = "\n".join(LINE.format(n=n) for n in range(lines))
    spans, pos = [], 0
    for n in range(lines):
        line = LINE.format(n=n)
        for at in (11, 16):
            spans.append(Span(start=pos + at, end=pos + at + 3, text="Leo"))
        pos += len(line) + 1
    return text, Finding(rule="N102", name="unreleased-student-named",
                         severity=Severity.VIOLATION, message="m", source="text",
                         file="post.txt", span=spans[0], more=tuple(spans[1:]),
                         student_id="S1002")


def main() -> None:
    print("| lines | places | accepted | apply, CPU time (median of 5) | per place |")
    print("|---|---|---|---|---|")
    for lines in (5_000, 10_000, 20_000, 40_000):
        text, finding = post(lines)
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            (folder / "post.txt").write_text(text)
            # Accept every other place, one record() per place as `smcheck accept` does.
            picked = [finding.spans[i] for i in range(0, len(finding.spans), 2)]
            accept.record(folder / "post.txt",
                          [Finding(**{**finding.__dict__, "span": s, "more": ()})
                           for s in picked], "bench", "bench", datetime.now(), text)
            times = []
            for _ in range(5):
                t = time.process_time()
                out = accept.apply([finding], "post.txt", folder, text)
                times.append(time.process_time() - t)
            assert [f.severity for f in out] == [Severity.INFO, Severity.VIOLATION]
            assert len(out[0].spans) == len(picked)
            median = statistics.median(times)
            print(f"| {lines:,} | {len(finding.spans):,} | {len(picked):,} | "
                  f"{median * 1000:.0f} ms | {median / len(finding.spans) * 1e6:.1f} µs |")


if __name__ == "__main__":
    main()
