"""Reporters take an immutable Report and only render it; the exit code comes from the report."""

from __future__ import annotations

from smcheck.findings import Finding, Report
from smcheck.rules import get_rule


def shown_message(finding: Finding, report: Report) -> str:
    """The finding's message, or under --redact one that quotes no words and names no one."""
    if not report.redact:
        return finding.message
    r = get_rule(finding.rule)
    summary = r.summary if r else finding.name
    return f"{summary[:1].upper()}{summary[1:]}. See `smcheck rules {finding.rule}`."
