"""The rule catalogue: every code unique, documented, cited word for word, tested, and in
the README table."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from smcheck.rules import RULES
from tests.conftest import ROOT, SHARED

TESTS = Path(__file__).resolve().parent


def test_codes_unique_and_well_formed() -> None:
    codes = [r.code for r in RULES]
    assert len(codes) == len(set(codes))
    assert all(re.fullmatch(r"[NLSFRCE]\d{3}", c) for c in codes)
    assert len({r.name for r in RULES}) == len(RULES)


def test_the_codes_config_checks_against_are_the_rules() -> None:
    """smcheck.codes (below the config) lists exactly the rules' codes."""
    from smcheck.codes import RULE_CODES
    from smcheck.rules import RULE_CODES as RULES_OWN

    assert {r.code for r in RULES} == RULE_CODES == RULES_OWN


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_rule_is_documented_and_cited(rule) -> None:  # type: ignore[no-untyped-def]
    assert len(rule.what) > 40 and rule.why and rule.example and rule.use_instead
    assert rule.policy, "every rule rests on a policy passage"


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_rule_is_tested(rule) -> None:  # type: ignore[no-untyped-def]
    this = Path(__file__).resolve()
    corpus = "".join(p.read_text() for p in TESTS.glob("test_*.py") if p.resolve() != this)
    assert re.search(rf"\b{rule.code}\b", corpus)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_rule_in_readme_table(rule) -> None:  # type: ignore[no-untyped-def]
    readme = (ROOT / "README.md").read_text()
    assert re.search(rf"^\| `?{rule.code}`? \| `?{rule.name}`? \|", readme, re.M)


def _squash(text: str) -> str:
    text = text.replace("\u2019", "'").replace("\u201c", '"').replace("\u201d", '"')
    return " ".join(text.split())


@pytest.mark.skipif(not (SHARED / "policies").is_dir(), reason="shared/policies not present")
@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_policy_quotes_are_word_for_word(rule) -> None:  # type: ignore[no-untyped-def]
    for passage in rule.policy:
        source = _squash((SHARED / "policies" / passage.file).read_text(encoding="utf-8"))
        for part in _squash(passage.quote).split(" [...] "):
            part = part.removeprefix("Refrain from posting content that involves the following: ")
            assert part in source, f"{passage.file}: not found: {part[:80]}"
        assert _squash(passage.heading).split(" (")[0] in source
