"""onnxruntime sessions for smcheck's networks (MTCNN, the face encoder, OCR), all set
up one way: on the CPU, with the threads this process may use, quiet."""

from __future__ import annotations

import warnings
from functools import cache
from pathlib import Path
from typing import Any

from smcheck import offline


def session(model: Path | bytes, threads: int) -> Any:
    """A session of the model (a file, or the model's bytes)."""
    import onnxruntime as ort

    if offline.too_late:
        _warn_telemetry(ort)

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    opts.log_severity_level = 3
    # Input shapes change from photo to photo (MTCNN's pyramid, a photo's batch of faces,
    # each region the OCR looks at again): an arena, and per-shape memory plans, would
    # keep the largest one's buffers for the life of the process (~300 MB a worker).
    opts.enable_cpu_mem_arena = False
    opts.enable_mem_pattern = False
    source = model if isinstance(model, bytes) else str(model)
    return ort.InferenceSession(source, opts, providers=["CPUExecutionProvider"])


@cache
def _warn_telemetry(ort: Any) -> None:
    """onnxruntime was imported before smcheck, with its telemetry on (offline.py): only
    its events can still be stopped, not its uploader. Said once, never silent."""
    ort.disable_telemetry_events()
    warnings.warn("onnxruntime was imported before smcheck with its telemetry on, so it "
                  "may contact Microsoft from this process: set ORT_DISABLE_TELEMETRY=1 "
                  "before importing onnxruntime", RuntimeWarning, stacklevel=3)
