"""File names and messages as smcheck shows them: valid UTF-8, one line, and never a raw
control character.

A file name is bytes on Linux; Python hands undecodable bytes over as lone surrogates
that no UTF-8 output can hold, and a name may carry an ESC sequence that rewrites the
terminal, a line break that forges a CI annotation, or a right-to-left override that
disguises it. Every name that reaches an output passes through `shown`, so each
output names a file the same way.
"""

from __future__ import annotations

import re

REPLACEMENT = "\ufffd"
# C0 and C1 controls, DEL, line and paragraph separators, and the bidirectional
# embeddings, overrides and isolates ("Trojan Source").
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def shown(name: str) -> str:
    """A file name for output: each undecodable byte, and each control character, as
    U+FFFD."""
    try:
        name = name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:
        name = _SURROGATE.sub(REPLACEMENT, name)
    return _UNSAFE.sub(REPLACEMENT, name)


def one_line(message: str) -> str:
    """A message for the terminal: names in it made safe the same way."""
    return shown(message)


def safe_text(text: str) -> str:
    """Quoted post words for a terminal: line breaks and tabs kept as spaces, any other
    control character (an ESC sequence in a hostile post) as U+FFFD."""
    return shown(re.sub(r"[\t\n\r\f\v\u2028\u2029]", " ", text))
