"""Phone numbers and email addresses, found the way Presidio's recognizers find them.

Presidio's PhoneRecognizer is `phonenumbers.PhoneNumberMatcher` at leniency 1, and
its EmailRecognizer one regex checked against the public-suffix list by
`tldextract`. smcheck does the same with the same pattern, regions, leniency and
suffix list: importing presidio_analyzer compiles ~100 patterns of recognizers
smcheck never uses, half a second of every cold check. tests/test_contacts.py
holds the two to the same answers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

# Presidio's EmailRecognizer pattern, verbatim.
EMAIL = re.compile(
    r"\b((([!#$%&'*+\-/=?^_`{|}~\w])|([!#$%&'*+\-/=?^_`{|}~\w][!#$%&'*+\-/=?^_`{|}~\.\w]{0,}"
    r"[!#$%&'*+\-/=?^_`{|}~\w]))[@]\w+([-.]\w+)*\.\w+([-.]\w+)*)\b",
    re.IGNORECASE | re.DOTALL | re.MULTILINE,
)


@dataclass(frozen=True, kw_only=True)
class ContactHit:
    kind: str  # "phone" or "email"
    start: int
    end: int


@cache
def _public_suffixes() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """The ICANN section of the Public Suffix List snapshot that tldextract ships.

    Read as data: importing tldextract pulls in requests and filelock, and left to
    its defaults it downloads the list and caches it on disk. smcheck wants none of
    that. Returns (rules, wildcard parents, exceptions).
    """
    text = resources.files("tldextract").joinpath(".tld_set_snapshot").read_text("utf-8")
    public = text.split("===BEGIN PRIVATE DOMAINS===", 1)[0]
    rules: set[str] = set()
    wildcards: set[str] = set()
    exceptions: set[str] = set()
    for line in public.splitlines():
        line = line.strip()
        if not line or line.startswith("//"):
            continue
        rule = line.split()[0].casefold()
        if rule.startswith("!"):
            exceptions.add(rule[1:])
        elif rule.startswith("*."):
            wildcards.add(rule[2:])
        else:
            rules.add(rule)
    return frozenset(rules), frozenset(wildcards), frozenset(exceptions)


def has_registrable_domain(host: str) -> bool:
    """Is there a domain under a public suffix (tldextract's `fqdn != ""`)?"""
    labels = host.casefold().strip(".").split(".")
    if not all(labels):
        return False
    rules, wildcards, exceptions = _public_suffixes()
    for i in range(len(labels)):  # the longest matching suffix wins
        suffix = ".".join(labels[i:])
        parent = ".".join(labels[i + 1:])
        if suffix in exceptions:
            return True  # "!www.ck": the suffix is the parent; www is the domain
        if suffix in rules or (parent and parent in wildcards):
            return i > 0
    return False


def find_emails(text: str) -> list[ContactHit]:
    return [ContactHit(kind="email", start=m.start(), end=m.end())
            for m in EMAIL.finditer(text)
            if has_registrable_domain(m.group().rpartition("@")[2])]


def find_phones(text: str, regions: tuple[str, ...], leniency: int) -> list[ContactHit]:
    import phonenumbers

    spans: set[tuple[int, int]] = set()
    for region in regions:
        for match in phonenumbers.PhoneNumberMatcher(text, region, leniency=leniency):
            spans.add((match.start, match.end))
    return [ContactHit(kind="phone", start=s, end=e) for s, e in sorted(spans)]


def find_contacts(text: str, regions: tuple[str, ...], leniency: int) -> list[ContactHit]:
    emails = find_emails(text) if "@" in text else []
    phones = [p for p in find_phones(text, regions, leniency)
              if not any(e.start <= p.start < e.end for e in emails)]
    return sorted([*emails, *phones], key=lambda h: (h.start, h.end))
