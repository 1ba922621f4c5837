"""Reporters take an immutable Report and only render it; the exit code comes from the report."""

from __future__ import annotations

from smcheck.findings import Finding, Report


def shown_message(finding: Finding, report: Report) -> str:
    """The finding's message, or under --redact one that quotes no words and names no one."""
    return finding.shown(report.redact)
