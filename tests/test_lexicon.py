"""Knowledge is data: every word list of models/ is used by the code, every recognizer
loads, and a district's own recognizers work as the README shows them."""

from __future__ import annotations

import re
import tomllib
from datetime import datetime
from pathlib import Path

import pytest
import yaml

from smcheck.api import Checker
from smcheck.config import load_config_file
from smcheck.extract.normalize import homoglyphs
from smcheck.lexicon import lexicon, models_dir
from smcheck.post import Post
from smcheck.roster import load_roster
from tests.conftest import DATA, PUBLISH_AT, ROOT

SOURCE = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "smcheck").rglob("*.py"))


@pytest.mark.parametrize("name", sorted(lexicon()))
def test_every_list_is_used_and_clean(name: str) -> None:
    uses = re.findall(rf"""(?:words|phrase_pattern|_pattern)\(\s*"{name}"\s*\)|"""
                      rf"""lexicon\(\)\[\s*"{name}"\s*\]""", SOURCE)
    assert uses, f"models/lexicon.toml list {name!r} is not used by any code"
    items = lexicon()[name]
    assert items, f"{name} is empty"
    assert all(i == i.strip() and i for i in items), f"{name} has blank or padded entries"


def test_recognizers_load_and_each_entity_becomes_a_fact() -> None:
    from smcheck.extract.recognizers import ENTITY_KINDS, load_recognizers

    recognizers = load_recognizers(models_dir() / "recognizers.yaml")
    entities = {e for r in recognizers for e in r.supported_entities}
    assert entities <= set(ENTITY_KINDS), entities - set(ENTITY_KINDS)
    assert {"PHONE_NUMBER", "EMAIL_ADDRESS", "US_SSN", "STUDENT_NUMBER", "RECORD_HEALTH",
            "EPHEMERAL_APP", "PRIVATE_CHANNEL"} <= entities


def test_homoglyphs_fold_to_latin_letters() -> None:
    table = homoglyphs()
    assert table["\u0430"] == "a" and table["\u03bf"] == "o"  # Cyrillic a, Greek omicron
    assert all(v.isascii() and v.isalpha() and not k.isascii() for k, v in table.items())


def test_nickname_curation_names_real_pairings() -> None:
    from nicknames import NickNamer

    conf = tomllib.loads((models_dir() / "nicknames.toml").read_text(encoding="utf-8"))
    known = NickNamer.default_lookup()
    nicks = {n for ns in known.values() for n in ns}
    for entry in conf["never"]:
        formal, _, nick = entry.rpartition(":")
        assert nick in nicks, f"never: {entry} is not in the nicknames list"
        if formal:
            assert nick in known[formal]


def _readme_yaml() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    m = re.search(r"```yaml\n(supported_languages:.*?)```", text, re.S)
    assert m, "README shows no recognizers example"
    return m.group(1)


def test_a_district_s_recognizers_work_as_the_readme_shows(tmp_path: Path) -> None:
    (tmp_path / "district-recognizers.yaml").write_text(_readme_yaml(), encoding="utf-8")
    yaml.safe_load(_readme_yaml())
    (tmp_path / "smcheck.toml").write_text(
        'recognizers = "district-recognizers.yaml"\n'
        "student_number_pattern = '\\bCV\\d{6}\\b'\n", encoding="utf-8")
    config = load_config_file(tmp_path / "smcheck.toml")
    checker = Checker(config=config, roster=load_roster(DATA / "roster.csv"))

    def rules(text: str, now: datetime = PUBLISH_AT) -> list[tuple[str, str | None]]:
        report = checker.check_post(Post(path="p.txt", text=text), now)
        return [(f.rule, f.student_id) for f in report.findings if f.rule.startswith("R")]

    assert rules("Found a lanyard with portal id CVP-40213 on it.") == [("R502", None)]
    assert rules("Please return card CV204519 to the office.") == [("R502", None)]
    assert rules("Mateo spent the afternoon in the buddy room again.") == [("R501", "S1009")]
    assert rules("Our class visited the buddy room at the zoo.") == []  # nobody's record
    assert rules("Please return CV2045 to the office.") == []  # not the district's shape


def test_bad_district_config_is_one_line(tmp_path: Path) -> None:
    from smcheck.errors import InputError

    (tmp_path / "smcheck.toml").write_text("student_number_pattern = '[unclosed'\n")
    with pytest.raises(InputError, match="student_number_pattern is not a valid regular"):
        load_config_file(tmp_path / "smcheck.toml")
    (tmp_path / "smcheck.toml").write_text('recognizers = "missing.yaml"\n')
    with pytest.raises(InputError, match=r"missing\.yaml"):
        load_config_file(tmp_path / "smcheck.toml")


def test_every_shipped_recognizer_pattern_compiles_with_the_registry_flags() -> None:
    """smcheck builds its own registry without Presidio's compile-to-validate pass
    (smcheck/_presidio.py): this is that validation, with the flags the patterns run with."""
    import regex

    from smcheck._presidio import read_registry

    conf = read_registry(models_dir() / "recognizers.yaml")
    patterns = [(r.get("name"), p["regex"]) for r in conf["recognizers"] if isinstance(r, dict)
                for p in r.get("patterns", [])]
    assert len(patterns) > 20
    for name, pattern in patterns:
        try:
            regex.compile(pattern, flags=int(conf["global_regex_flags"]))
        except regex.error as exc:  # pragma: no cover - the failure message
            raise AssertionError(f"{name}: {pattern!r}: {exc}") from exc


def test_presidio_validates_every_other_pattern() -> None:
    """Validation is skipped only while Presidio's own classes and smcheck's shipped
    registry are built: a pattern a district writes is still checked by Presidio."""
    from smcheck._presidio import load, trusted_patterns

    pattern = load().Pattern

    with trusted_patterns():
        pattern("unchecked", "(", 0.5)
    with pytest.raises(ValueError, match="Invalid regex"):
        pattern("bad", "(", 0.5)


def test_a_district_recognizer_with_a_bad_pattern_is_refused(tmp_path: Path) -> None:
    from smcheck.extract.recognizers import load_recognizers

    bad = tmp_path / "district.yaml"
    bad.write_text("supported_languages: [en]\nglobal_regex_flags: 26\nrecognizers:\n"
                   "  - name: LunchPin\n    supported_language: en\n    type: custom\n"
                   "    supported_entity: LUNCH_PIN\n    patterns:\n"
                   "      - name: pin\n        regex: '(\\d{4}'\n        score: 0.5\n")
    with pytest.raises(ValueError):
        load_recognizers(bad)


def test_the_pipeline_tokenizes_as_the_model_ships() -> None:
    """smcheck loads the model's tokenizer straight from its files (engines.py): it must
    be the tokenizer spaCy's own load gives, rules, affixes and matches alike."""
    import spacy

    from smcheck.engines import Engines

    engines = Engines()
    ours = engines.nlp.tokenizer
    conf = engines.settings["spacy"]
    theirs = spacy.load(conf["package"], exclude=list(conf["exclude"])).tokenizer
    assert ours.to_bytes(exclude=["vocab"]) == theirs.to_bytes(exclude=["vocab"])
    text = "Dr. Ng's 3rd-graders (Rm. 12) won't leave @ 9:15am -- see https://x.org/a?b=1!"
    assert [t.text for t in ours(text)] == [t.text for t in theirs(text)]
