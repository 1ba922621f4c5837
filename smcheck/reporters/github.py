"""GitHub Actions workflow annotations: rule and location, never names or quoted words."""

from __future__ import annotations

from smcheck.findings import Report, Severity
from smcheck.reporters.sarif import redacted

COMMAND = {Severity.CRITICAL: "error", Severity.VIOLATION: "error",
           Severity.WARNING: "warning", Severity.INFO: "notice"}


def _escape(value: str, prop: bool = False) -> str:
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return value.replace(":", "%3A").replace(",", "%2C") if prop else value


def render(report: Report) -> str:
    lines = []
    for post in report.posts:
        for f in post.findings:
            props = [f"file={_escape(f.file or post.path, True)}"]
            if f.span is not None and f.source == "text":
                # Lines of the file, front matter included.
                line, col = post.position(f.span.start)
                end_line, end_col = post.position(f.span.end)
                props += [f"line={line}", f"col={col}", f"endLine={end_line}",
                          f"endColumn={end_col}"]
            props.append(f"title={_escape(f'smcheck {f.rule} {f.severity.label}', True)}")
            lines.append(f"::{COMMAND[f.severity]} {','.join(props)}::{_escape(redacted(f))}")
    # No roster or no config: said in the log too, as notices of the run (no file).
    lines += [f"::notice title=smcheck {n.code}::{_escape(n.message)}" for n in report.notices]
    return "\n".join(lines) + ("\n" if lines else "")
