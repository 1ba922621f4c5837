"""Presidio is smcheck's PII engine: its recognizers, configured by models/recognizers.yaml,
run on smcheck's own parse, offline.

Each table row is a text and the (entity, words) Presidio must report there.
"""

from __future__ import annotations

import pytest

from smcheck.engines import shared_engines

CONTACTS = [
    ("Text me at 503-555-0142.", [("PHONE_NUMBER", "503-555-0142")]),
    ("Call me: (503) 555-0142 or +1 971 555 0199.",
     [("PHONE_NUMBER", "(503) 555-0142"), ("PHONE_NUMBER", "+1 971 555 0199")]),
    ("My cell is 503.555.0123.", [("PHONE_NUMBER", "503.555.0123")]),
    ("Email coach.kim@gmail.com or kim@example.co.uk, not kim@localhost.",
     [("EMAIL_ADDRESS", "coach.kim@gmail.com"), ("EMAIL_ADDRESS", "kim@example.co.uk")]),
    ("Write to first.last+tag@mail.example-district.org today!",
     [("EMAIL_ADDRESS", "first.last+tag@mail.example-district.org")]),
    ("SSN 541-22-8765 was on the form.", [("US_SSN", "SSN 541-22-8765")]),
    ("Her social security number is 541228765.", [("US_SSN", "social security number is 541228765")]),
    # nothing
    ("We won 42-38 on Friday and raised $1,250.", []),
    ("Room 12, Grade 4, 12/5 at 9:15.", []),
    ("No contacts here at all, just Ava and Leo.", []),
    # North American numbers only: Presidio's default regions (India, Germany...) read a
    # year as a phone number.
    ("The Crucible was written in 1953 about 1692, and it still feels new.", []),
    ("bad@address, @handle, and name@site.invalidtld", []),
]

ENTITIES = {"PHONE_NUMBER", "EMAIL_ADDRESS", "US_SSN"}


@pytest.mark.parametrize(("text", "expected"), CONTACTS)
def test_presidio_finds(text: str, expected: list[tuple[str, str]]) -> None:
    engines = shared_engines()
    results = engines.analyze(engines.parse(text))
    found = sorted(((r.entity_type, text[r.start:r.end]) for r in results
                    if r.entity_type in ENTITIES), key=lambda x: text.index(x[1]))
    assert found == expected


def test_the_registry_is_smcheck_s_own() -> None:
    """Only the recognizers smcheck asked for: Presidio's defaults (credit cards, IBANs,
    crypto wallets, NER-based PERSON...) are not loaded."""
    names = {r.name for r in shared_engines().analyzer.registry.recognizers}
    assert {"SchoolPhoneRecognizer", "EmailRecognizer", "UsSsnRecognizer"} <= names
    assert not names & {"CreditCardRecognizer", "IbanRecognizer", "CryptoRecognizer",
                        "SpacyRecognizer", "UrlRecognizer"}


def test_presidio_runs_on_the_one_parse() -> None:
    """Presidio analyses the Doc smcheck parsed: it never loads a pipeline of its own."""
    engines = shared_engines()
    _ = engines.analyzer
    assert engines._presidio_nlp.nlp == {"en": engines.nlp}
