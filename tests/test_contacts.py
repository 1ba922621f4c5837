"""smcheck's contact recognizers give Presidio's answers, without importing Presidio.

Presidio (a dev dependency) is the reference: its PhoneRecognizer and EmailRecognizer
run on the same texts with the same regions, and the spans must be the same.
"""

from __future__ import annotations

import pytest

from smcheck.engines import shared_engines

TEXTS = [
    "Text me at 503-555-0142.",
    "Call me: (503) 555-0142 or +1 971 555 0199.",
    "My cell is 503.555.0123, the office is 503-555-0100.",
    "Email coach.kim@gmail.com or kim@example.co.uk, not kim@localhost.",
    "Write to first.last+tag@mail.example-district.org today!",
    "We won 42-38 on Friday and raised $1,250.",
    "Room 12, Grade 4, 12/5 at 9:15, ID 204519.",
    "Reach me at teacher@example-district.org.evil.com or 1-800-555-0199.",
    "No contacts here at all, just Ava and Leo.",
    "bad@address, @handle, and name@site.invalidtld",
]


@pytest.fixture(scope="module")
def presidio():  # type: ignore[no-untyped-def]
    pytest.importorskip("presidio_analyzer")
    import tldextract.tldextract as tld
    from presidio_analyzer.predefined_recognizers import EmailRecognizer, PhoneRecognizer

    # Offline, like smcheck: the bundled snapshot, no fetch, no disk cache.
    tld.TLD_EXTRACTOR = tld.TLDExtract(cache_dir=None, suffix_list_urls=())
    regions = tuple(shared_engines().settings["contacts"]["phone_regions"])
    return PhoneRecognizer(supported_regions=regions), EmailRecognizer()


@pytest.mark.parametrize("text", TEXTS)
def test_same_answers_as_presidio(presidio, text: str) -> None:  # type: ignore[no-untyped-def]
    phone, email = presidio
    theirs = {(r.start, r.end, r.entity_type) for r in
              phone.analyze(text, ["PHONE_NUMBER"]) + email.analyze(text, ["EMAIL_ADDRESS"])}
    kinds = {"phone": "PHONE_NUMBER", "email": "EMAIL_ADDRESS"}
    ours = {(h.start, h.end, kinds[h.kind]) for h in shared_engines().contacts(text)}
    assert ours == theirs


def test_finds_what_it_should() -> None:
    hits = shared_engines().contacts("Text 503-555-0142 or mail coach.kim@gmail.com")
    assert [(h.kind, h.start) for h in hits] == [("phone", 5), ("email", 26)]


HOSTS = ["gmail.com", "example.co.uk", "co.uk", "localhost", "a.b.c.example.com", "www.ck",
         "foo.ck", "bar.foo.ck", "city.kawasaki.jp", "x.city.kawasaki.jp", "kawasaki.jp",
         "example-district.org.evil.com", "site.invalidtld", "blogspot.com", "x.blogspot.com",
         "k12.or.us", "pps.k12.or.us", "EXAMPLE.COM", "example.com.", "a..com", "com"]


@pytest.mark.parametrize("host", HOSTS)
def test_suffix_check_agrees_with_tldextract(host: str) -> None:
    tld = pytest.importorskip("tldextract")
    from smcheck.extract.contacts import has_registrable_domain

    extractor = tld.TLDExtract(cache_dir=None, suffix_list_urls=())
    assert has_registrable_domain(host) == (extractor(host).fqdn != "")
