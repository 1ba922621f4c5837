"""The rule catalogue as JSON: `smcheck rules --format json` and serve's /rules."""

from __future__ import annotations

from smcheck.rules import RULES


def rules_json(code: str | None = None) -> list[dict[str, object]] | dict[str, object]:
    """Every rule, or the one asked for."""
    data: list[dict[str, object]] = [
        {"code": r.code, "name": r.name, "severity": r.severity.label, "summary": r.summary,
         "what": r.what, "why": r.why, "example": r.example, "use_instead": r.use_instead,
         "policy": [{"ref": p.ref, "district": p.district, "heading": p.heading,
                     "file": p.file, "quote": p.quote} for p in r.policy]}
        for r in RULES if code is None or r.code == code]
    return data if code is None else data[0]
