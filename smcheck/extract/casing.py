"""Words in capitals cased as prose would case them: a sign's words read by OCR
(imagetext.py) and a photo's file name (captions.py), so that a name in capitals reads
as a name and other words do not."""

from __future__ import annotations

import re
from collections.abc import Callable

CAPS_WORD = re.compile(r"[^\W\d_]{2,}")


def recase(text: str, is_name: Callable[[str], bool]) -> str:
    """Words in capitals as prose writes them; other words untouched."""
    def fix(m: re.Match[str]) -> str:
        word = m.group()
        if not word.isupper():
            return word
        cased = word.title() if is_name(word.casefold()) else word.lower()
        return cased if len(cased) == len(word) else word  # offsets must stay put

    return CAPS_WORD.sub(fix, text)
