"""The switches that keep smcheck's libraries off the network and out of the user's files,
set in the environment before any of those libraries loads.

onnxruntime (MTCNN, the face encoder, OCR) ships Microsoft's 1DS telemetry client. Left
on, it writes a device id and an event database (model file names, run counts and
durations, CPU, OS) under $XDG_CACHE_HOME/Microsoft/DeveloperTools/.onnxruntime/ as soon
as onnxruntime is imported, and ~9 s after a model session opens it looks up
mobile.events.data.microsoft.com to upload them. `ORT_DISABLE_TELEMETRY=1`, read once
when onnxruntime is imported, stops all of it for the life of the process (its
Privacy.md; `telemetry_environment.h` in its source); `disable_telemetry_events()` does
not (the uploader and its first event stay). So `import smcheck` sets it, before any
smcheck module can import onnxruntime, and every process smcheck starts (audit workers,
serve's workers, forked, spawned or forkserver) inherits it. A user's
`ORT_DISABLE_TELEMETRY=0` is overridden: smcheck's promise is that nothing about the
school leaves the machine, and it is smcheck's to keep, not each user's environment's.

The `smcheck` command's own process also turns off FastAPI's OpenTelemetry export
(`FASTAPI_OTEL_AUTO_CONFIGURE=true` plus an OTLP endpoint in the environment would send
every request's spans out of `smcheck serve`). Those two are not set on `import smcheck`:
an application using the API may export its own telemetry, and smcheck runs no FastAPI
there.

Nothing else in the dependency tree phones home: spaCy and Presidio load installed
models only, tldextract is built on its bundled snapshot (engines.py), rapidocr's
download code is never imported (extract/ocr.py), and there is no Hugging Face or tqdm
network code in the tree. tests/test_offline_os.py proves it under strace.
"""

from __future__ import annotations

import os
import sys

# Set whatever the environment says (see the module's docstring).
NATIVE = {"ORT_DISABLE_TELEMETRY": "1"}
COMMAND = {"FASTAPI_OTEL_AUTO_CONFIGURE": "false", "OTEL_SDK_DISABLED": "true"}

# onnxruntime's own reading of the variable (telemetry_environment.h).
_TRUTHY = {"1", "true", "yes", "on", "y"}

# True when onnxruntime was imported before smcheck, with its telemetry on: too late to
# stop it in this process (extract/onnx.py then warns, once).
too_late = False


def native() -> None:
    """Switch onnxruntime's telemetry off for this process and its children; called by
    `import smcheck`, before anything can import onnxruntime."""
    global too_late
    before = os.environ.get("ORT_DISABLE_TELEMETRY", "").strip().lower()
    too_late = "onnxruntime" in sys.modules and before not in _TRUTHY
    os.environ.update(NATIVE)


def command() -> None:
    """Everything, for the `smcheck` command's own process and the processes it starts."""
    native()
    os.environ.update(COMMAND)
