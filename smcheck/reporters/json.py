"""JSON exactly as SPEC section 6, the same shape for `check` and `audit`.

The shape is the report's own (findings.py: `Report.to_dict`, `finding_dict`), so the
Python API's `report.to_json()` and `--format json` are one and the same."""

from __future__ import annotations

from typing import Any

from smcheck.findings import Report, finding_dict

__all__ = ["finding_dict", "render", "to_dict"]


def to_dict(report: Report) -> dict[str, Any]:
    return report.to_dict()


def render(report: Report) -> str:
    return report.to_json()
