"""The one lazy home of the heavy models: spaCy, Presidio and the face models.

Nothing heavy is imported at module import: `import smcheck` and `smcheck --help`
stay fast, and a text-only post never loads the face models. Each model loads once
per `Engines` and is shared by every post a process checks.

A post is parsed once by spaCy; Presidio's AnalyzerEngine then runs on that same
parse (its `NlpArtifacts`), with the recognizers of models/recognizers.yaml and the
roster's own (passed per call: a process may check with several rosters). A long
post is parsed in paragraph chunks and Presidio runs chunk by chunk, so the work
grows with the post, not with its square.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import tomllib
import weakref
from collections.abc import Callable, Sequence
from functools import cache, cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from smcheck._presidio import load as load_presidio
from smcheck._presidio import read_registry, trusted_patterns
from smcheck.extract.parsed import Parsed

# MODEL_THREADS_ENV and model_threads are read here by audit workers, serve and tests.
from smcheck.extract.threads import MODEL_THREADS_ENV as MODEL_THREADS_ENV
from smcheck.extract.threads import cores
from smcheck.extract.threads import model_threads as model_threads
from smcheck.lexicon import models_dir

if TYPE_CHECKING:
    from presidio_analyzer import AnalyzerEngine, EntityRecognizer, RecognizerResult
    from presidio_analyzer.nlp_engine import NlpArtifacts, SpacyNlpEngine
    from spacy.language import Language
    from spacy.tokens import Doc

    from smcheck.extract.faces import FaceModels
    from smcheck.extract.ocr import Ocr


_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")
_SOFT_BREAK = re.compile(r"(?<=[.!?])\s+|\n\s*")


def chunk_bounds(text: str, size: int) -> list[tuple[int, int]]:
    """Split text into contiguous pieces of about `size` characters at paragraph breaks
    (else sentence ends or line breaks, else spaces): concatenated, they are the text."""
    if len(text) <= size:
        return [(0, len(text))]
    bounds: list[tuple[int, int]] = []
    start = 0
    while len(text) - start > size:
        window = text[start:start + size]
        cut = 0
        for pattern in (_PARAGRAPH_BREAK, _SOFT_BREAK):
            ends = [m.end() for m in pattern.finditer(window) if m.end() > size // 4]
            if ends:
                cut = ends[-1]
                break
        if not cut:
            space = window.rfind(" ", size // 4)
            cut = space + 1 if space > 0 else size
        bounds.append((start, start + cut))
        start += cut
    bounds.append((start, len(text)))
    return bounds


class Engines:
    def __init__(self) -> None:
        with (models_dir() / "nlp.toml").open("rb") as fh:
            self.settings: dict[str, Any] = tomllib.load(fh)
        _LIVE.add(self)

    @cached_property
    def nlp(self) -> Language:
        import spacy

        _register_components()
        conf = self.settings["spacy"]
        # The model's tokenizer is read from its files: spaCy would first build one from
        # the language's defaults (2,700 special cases) only to replace it (50-70 ms).
        nlp = spacy.load(conf["package"], exclude=list(conf["exclude"]),
                         config={"nlp": {"tokenizer": {"@tokenizers": _EMPTY_TOKENIZER}}})
        for name in reversed(conf["add"]):
            nlp.add_pipe(name, first=True)
        return nlp

    def parse(self, text: str) -> Parsed:
        """One spaCy pass over the text, in chunks when it is long."""
        from spacy.tokens import Doc

        conf = self.settings["spacy"]
        bounds = chunk_bounds(text, int(conf["chunk_chars"]))
        if len(bounds) == 1:
            doc = self.nlp(text)
            return Parsed(doc, ((0, doc),))
        # A very long post (a pasted archive) is parsed on every core: spaCy forks workers
        # that share the loaded model.
        processes = self._processes(len(text))
        docs = list(self.nlp.pipe((text[a:b] for a, b in bounds), n_process=processes,
                                  batch_size=4))
        merged = Doc.from_docs(docs, ensure_whitespace=False)
        return Parsed(merged, tuple((a, d) for (a, _), d in zip(bounds, docs, strict=True)))

    @cached_property
    def _presidio_nlp(self) -> SpacyNlpEngine:
        load_presidio()
        from presidio_analyzer.nlp_engine import SpacyNlpEngine

        engine = SpacyNlpEngine(
            models=[{"lang_code": "en", "model_name": self.settings["spacy"]["package"]}])
        # The pipeline smcheck already loaded: Presidio must not load (or download) one.
        engine.nlp = {"en": self.nlp}  # type: ignore[assignment]
        return engine

    @cached_property
    def analyzer(self) -> AnalyzerEngine:
        """Presidio's AnalyzerEngine with the recognizers of models/recognizers.yaml."""
        return build_analyzer(self._presidio_nlp, models_dir() / "recognizers.yaml",
                              self.settings["presidio"])

    def artifacts(self, doc: Doc) -> NlpArtifacts:
        """Presidio's view of a spaCy parse. Lemmas are the lower-cased words: the
        lemmatizer is not run (it costs more than the tagger and parser together), and
        context word lists hold the forms they need."""
        load_presidio()
        from presidio_analyzer.nlp_engine import NlpArtifacts
        from spacy.attrs import IDX, LOWER

        # Read as arrays: a Token object per word, twice, cost ~2 s of a 1 MB post.
        table = doc.to_array([LOWER, IDX]).tolist() if len(doc) else []
        strings = doc.vocab.strings
        words = [strings[h] for h, _ in table]
        return NlpArtifacts(entities=list(doc.ents), tokens=doc,
                            tokens_indices=[i for _, i in table], lemmas=words,
                            nlp_engine=self._presidio_nlp, language="en")

    def analyze(self, parsed: Parsed,
                recognizers: Sequence[EntityRecognizer] = ()) -> list[RecognizerResult]:
        """Every recognizer's results over the post, offsets in the whole text.
        `recognizers` are the run's own (the roster's, a district's extra ones)."""
        chunks = range(len(parsed.chunks))
        last, last_doc = parsed.chunks[-1]
        processes = self._processes(last + len(last_doc.text) if len(chunks) > 1 else 0)
        if processes > 1 and "fork" in multiprocessing.get_all_start_methods():
            # A very long post: the chunks are analysed on every core, by forked copies
            # of this process (they share its parse; only the results come back).
            global _FORKED
            _FORKED = (self, parsed, tuple(recognizers))
            try:
                with multiprocessing.get_context("fork").Pool(processes) as pool:
                    per_chunk = pool.map(_analyze_forked, chunks)
            finally:
                _FORKED = None
        else:
            per_chunk = [self._analyze_chunk(parsed, i, recognizers) for i in chunks]
        out = [r for results in per_chunk for r in results]
        return sorted(out, key=lambda r: (r.start, -r.end))

    def _analyze_chunk(self, parsed: Parsed, i: int,
                       recognizers: Sequence[EntityRecognizer]) -> list[RecognizerResult]:
        offset, doc = parsed.chunks[i]
        out = self.analyzer.analyze(text=doc.text, language="en",
                                    nlp_artifacts=self.artifacts(doc),
                                    ad_hoc_recognizers=list(recognizers) or None)
        for r in out:
            r.start += offset
            r.end += offset
        return out

    def _processes(self, chars: int) -> int:
        """How many processes a post of this many characters is worked on by."""
        if chars < int(self.settings["spacy"]["parallel_chars"]):
            return 1
        return min(cores(), 4)

    @cached_property
    def ocr(self) -> Ocr:
        """The OCR models; raises OcrUnavailable (each time) if they cannot load."""
        from smcheck.extract.ocr import Ocr

        return Ocr(threads=model_threads())

    @cached_property
    def faces(self) -> FaceModels:
        """The face models; raises FaceModelsUnavailable (each time) if they cannot load."""
        from smcheck.extract.faces import FaceModels

        return FaceModels()


def build_analyzer(nlp_engine: SpacyNlpEngine, conf_file: Path,
                   settings: dict[str, Any]) -> AnalyzerEngine:
    """An AnalyzerEngine with the recognizers of a Presidio registry YAML file."""
    load_presidio()
    import tldextract.tldextract as tld
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.context_aware_enhancers import LemmaContextAwareEnhancer
    from presidio_analyzer.recognizer_registry import RecognizerRegistryProvider

    import smcheck.extract.recognizers  # noqa: F401  (registers smcheck's recognizer classes)

    # Presidio's EmailRecognizer asks tldextract, which by default downloads the public
    # suffix list and caches it on disk. smcheck never touches the network: the
    # snapshot shipped inside tldextract, nothing fetched, nothing written.
    if not getattr(tld.TLD_EXTRACTOR, "_smcheck_offline", False):
        offline = tld.TLDExtract(cache_dir=None, suffix_list_urls=())
        offline._smcheck_offline = True  # type: ignore[attr-defined]
        tld.TLD_EXTRACTOR = offline
    # smcheck's own registry: its patterns ship and are tested (smcheck/_presidio.py).
    with trusted_patterns():
        registry = RecognizerRegistryProvider(
            registry_configuration=read_registry(conf_file)).create_recognizer_registry()
    enhancer = LemmaContextAwareEnhancer(
        context_similarity_factor=float(settings["context_similarity_factor"]),
        min_score_with_context_similarity=float(settings["min_score_with_context"]),
        context_prefix_count=int(settings["context_words_before"]),
        context_suffix_count=int(settings["context_words_after"]),
        context_matching_mode="whole_word")
    return AnalyzerEngine(registry=registry, nlp_engine=nlp_engine,
                          supported_languages=["en"], context_aware_enhancer=enhancer,
                          default_score_threshold=float(settings["score_threshold"]))


_EMPTY_TOKENIZER = "smcheck.empty_tokenizer"


@cache
def _register_components() -> None:
    from spacy.language import Language
    from spacy.tokenizer import Tokenizer
    from spacy.util import registry

    from smcheck.extract.lines import breaks

    def empty_tokenizer() -> Callable[[Language], Tokenizer]:
        """A tokenizer with no rules, for a model whose own tokenizer (rules, prefixes,
        suffixes, infixes, URL and token matches) is then loaded from its files."""
        def create(nlp: Language) -> Tokenizer:
            return Tokenizer(nlp.vocab)

        return create

    registry.tokenizers.register(_EMPTY_TOKENIZER, func=empty_tokenizer)

    @Language.component("smcheck_lines")
    def mark_line_sentences(doc: Doc) -> Doc:
        """Sentences end at line breaks that end a thought (a list item, a heading, a
        blank line), set before the parser runs so that it parses them apart."""
        text = doc.text
        if "\n" not in text:
            return doc
        starts = {nxt for _, nxt in breaks(text)}
        for token in doc:
            if token.idx in starts and token.i > 0 and not token.is_space:
                token.is_sent_start = True
        return doc


# Models whose native thread pools do not survive a fork: onnxruntime's sessions (the
# face models' MTCNN and encoder, OCR). A child forked while the parent's pool threads
# were still spinning after a run believes a worker will take its next task, and waits
# for it forever (an audit worker hung in Session.run). A forked child loads its own;
# spaCy and Presidio are plain Python and numpy, and forked workers keep inheriting them.
_NOT_FORK_SAFE = ("faces", "ocr")
_LIVE: weakref.WeakSet[Engines] = weakref.WeakSet()
# The parent's copies, kept alive in the child: freeing one there would run a destructor
# that joins threads the child does not have.
_INHERITED: list[object] = []


def _after_fork_in_child() -> None:
    for engines in list(_LIVE):
        for name in _NOT_FORK_SAFE:
            if name in engines.__dict__:
                _INHERITED.append(engines.__dict__.pop(name))


os.register_at_fork(after_in_child=_after_fork_in_child)


# What forked analysis workers read (Engines.analyze): set just before the fork.
_FORKED: tuple[Engines, Parsed, tuple[EntityRecognizer, ...]] | None = None


def _analyze_forked(i: int) -> list[RecognizerResult]:
    assert _FORKED is not None
    engines, parsed, recognizers = _FORKED
    return engines._analyze_chunk(parsed, i, recognizers)


@cache
def shared_engines() -> Engines:
    """The process's one set of models: every Checker in a process shares it."""
    return Engines()
