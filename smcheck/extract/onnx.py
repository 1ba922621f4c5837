"""onnxruntime sessions for smcheck's networks (MTCNN, the face encoder, OCR), all set
up one way: on the CPU, with the threads this process may use, quiet."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def session(model: Path | bytes, threads: int) -> Any:
    """A session of the model (a file, or the model's bytes)."""
    import onnxruntime as ort

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
