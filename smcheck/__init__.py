"""smcheck: check a school social-media post against staff policy, offline.

    import smcheck
    report = smcheck.check("Great job today, Leo R.!", roster="roster.csv")
    print(report.verdict, report.to_json())

`check`, `audit` and the report types load on first use: `import smcheck` stays fast
and loads no model.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from smcheck import offline as _offline

# First, before any smcheck module can import onnxruntime: its telemetry off (offline.py).
_offline.native()

__version__ = "0.2.0"

if TYPE_CHECKING:
    from smcheck.api import Checker, check, make_checker
    from smcheck.batch import audit_folder as audit
    from smcheck.config import Config
    from smcheck.errors import InputError
    from smcheck.findings import Box, Finding, Notice, PostReport, Report, Severity, Span
    from smcheck.roster import Roster

_LAZY = {
    "check": "smcheck.api", "audit": "smcheck.batch:audit_folder", "make_checker": "smcheck.api",
    "Checker": "smcheck.api", "Config": "smcheck.config", "InputError": "smcheck.errors",
    "Box": "smcheck.findings", "Finding": "smcheck.findings", "Notice": "smcheck.findings",
    "PostReport": "smcheck.findings", "Report": "smcheck.findings",
    "Severity": "smcheck.findings", "Span": "smcheck.findings", "Roster": "smcheck.roster",
}

__all__ = ["Box", "Checker", "Config", "Finding", "InputError", "Notice", "PostReport",
           "Report", "Roster", "Severity", "Span", "__version__", "audit", "check",
           "make_checker"]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'smcheck' has no attribute {name!r}")
    import importlib

    module, _, attribute = module.partition(":")
    value = getattr(importlib.import_module(module), attribute or name)
    globals()[name] = value  # once: later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
