"""How many threads smcheck's models may use in this process (read by the ONNX sessions
of extract/ and by engines.py)."""

from __future__ import annotations

import os

MODEL_THREADS_ENV = "SMCHECK_MODEL_THREADS"


def model_threads() -> int:
    """Threads of the ONNX models (MTCNN, OCR) in this process: one where a process runs
    on each core (an audit's workers, `serve --workers N`: they set SMCHECK_MODEL_THREADS
    to 1), else up to two, so that a single check or `serve` uses the second core for a
    photo (a 12 MP photo's MTCNN and OCR: ~360 -> ~300 ms)."""
    raw = os.environ.get(MODEL_THREADS_ENV, "")
    if raw.isdigit() and int(raw) > 0:
        return int(raw)
    return max(1, min(cores(), 2))


def cores() -> int:
    """The cores this process may run on (1 where the platform cannot say)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
