"""SARIF 2.1.0 for code-scanning pipelines. These logs end up in third-party CI, so they
carry rule, location and a redacted message only: never names or quoted words."""

from __future__ import annotations

import json
import os
from typing import Any
from urllib.parse import quote

from smcheck import __version__
from smcheck.findings import Finding, PostReport, Report, Severity
from smcheck.rules import RULES, Rule

LEVEL = {Severity.CRITICAL: "error", Severity.VIOLATION: "error",
         Severity.WARNING: "warning", Severity.INFO: "note"}


def redacted(f: Finding) -> str:
    rule = next((r for r in RULES if r.code == f.rule), None)
    summary = rule.summary if rule else f.name
    return f"{f.rule} {f.name}: {summary}."


def uri(path: str) -> str:
    """A file name as a SARIF artifact URI (RFC 3986): spaces, `#`, `%`, `?` and any
    non-ASCII character percent-encoded; an absolute path as a file:// URI."""
    encoded = quote(path.replace("\\", "/") if os.sep == "\\" else path, safe="/")
    return f"file://{encoded}" if path.startswith("/") else encoded


def _location(f: Finding, post: PostReport) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": {"uri": uri(f.file or post.path)}}
    if f.span is not None and f.source == "text":
        # Lines of the file, front matter included: where an editor or a CI view puts it.
        line, col = post.position(f.span.start)
        end_line, end_col = post.position(f.span.end)
        physical["region"] = {"startLine": line, "startColumn": col, "endLine": end_line,
                              "endColumn": end_col,
                              "charOffset": post.text_start + f.span.start,
                              "charLength": f.span.end - f.span.start}
    return {"physicalLocation": physical}


def docs_url() -> str | None:
    """Where the rules are documented: SMCHECK_DOCS_URL (a district's own page), else the
    package's Documentation URL. SARIF viewers link each rule there (`helpUri`)."""
    import os

    if os.environ.get("SMCHECK_DOCS_URL"):
        return os.environ["SMCHECK_DOCS_URL"]
    try:
        from importlib.metadata import metadata

        for entry in metadata("smcheck").get_all("Project-URL") or ():
            label, _, url = entry.partition(",")
            if label.strip().casefold() == "documentation":
                return str(url).strip()
    except Exception:  # metadata missing (a bare checkout): no link, not an error
        return None
    return None


def _rule(r: Rule, docs: str | None) -> dict[str, Any]:
    policy = " | ".join(f"{p.district}, {p.heading}: \u201c{p.quote}\u201d" for p in r.policy)
    out: dict[str, Any] = {
        "id": r.code, "name": r.name,
        "shortDescription": {"text": r.summary},
        "fullDescription": {"text": r.what},
        "help": {"text": f"{r.why}\nUse instead: {r.use_instead}\nPolicy: {policy}",
                 "markdown": f"**{r.code} {r.name}**: {r.what}\n\n{r.why}\n\n"
                             f"**Example:** {r.example}\n\n**Use instead:** "
                             f"{r.use_instead}\n\n**Policy:** {policy}\n\n"
                             f"`smcheck rules {r.code}` explains it offline."},
        "defaultConfiguration": {"level": LEVEL[r.severity]},
        "properties": {"policy": [p.ref for p in r.policy], "severity": r.severity.label},
    }
    if docs:
        out["helpUri"] = f"{docs}#{r.code.lower()}"
    return out


def to_dict(report: Report) -> dict[str, Any]:
    docs = docs_url()
    rules = [_rule(r, docs) for r in RULES]
    results = []
    for post in report.posts:
        for f in post.findings:
            result: dict[str, Any] = {
                "ruleId": f.rule, "level": LEVEL[f.severity],
                "message": {"text": redacted(f)},
                "locations": [_location(f, post)],
                "properties": {"severity": f.severity.label},
            }
            if f.field is not None:  # a caption field or the file name of the photo
                result["properties"]["field"] = f.field
            if f.box is not None:
                result["properties"]["box"] = {"top": f.box.top, "right": f.box.right,
                                               "bottom": f.box.bottom, "left": f.box.left}
            results.append(result)
    driver: dict[str, Any] = {"name": "smcheck", "version": __version__,
                              "semanticVersion": __version__, "rules": rules}
    if docs:
        driver["informationUri"] = docs
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{"tool": {"driver": driver},
                  # No command line (it may hold a post's text) and no times (the same
                  # inputs give the same output); the run's notices, e.g. no roster.
                  "invocations": [{
                      "executionSuccessful": True,
                      "exitCode": report.exit_code,
                      "toolExecutionNotifications": [
                          {"descriptor": {"id": n.code}, "level": "warning",
                           "message": {"text": n.message}} for n in report.notices],
                  }],
                  "results": results}],
    }


def render(report: Report) -> str:
    return json.dumps(to_dict(report), indent=2) + "\n"
