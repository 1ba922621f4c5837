"""The rule codes, as data: what a config's `ignore`, `select` and `[severity]` and the
`--select`/`--ignore` options are checked against. The rules themselves sit above the
config in the pipeline (a rule reads the config), so the config cannot ask them;
tests/test_registry.py holds this list to the rules' own codes."""

from __future__ import annotations

RULE_CODES: frozenset[str] = frozenset({
    "N101", "N102", "N103", "N104",  # names
    "L201", "L202", "L203",  # places
    "S301",  # schedules
    "F400", "F401", "F402", "F403", "F404",  # faces
    "R501", "R502", "R503", "R504",  # records
    "C601", "C602",  # conduct
    "E901", "E902",  # inputs
})
