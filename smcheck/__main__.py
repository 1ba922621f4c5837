"""`python -m smcheck` and the `smcheck` console script."""

from __future__ import annotations

import sys


def main() -> None:
    # A cold `smcheck check` is mostly importing spaCy and Presidio. Python caches their
    # bytecode on the first run, unless PYTHONDONTWRITEBYTECODE is set (as on some CI
    # and development machines), which makes every run compile ~1,000 modules again
    # (about a second). smcheck is a short-lived command started over and over, so its
    # own process writes the cache anyway: only .pyc files beside the installed
    # modules, what any other Python run writes. (uv's compile-bytecode did this at
    # install, at the cost of recompiling the whole environment on every `uv run`.)
    sys.dont_write_bytecode = False
    from smcheck import offline

    offline.command()  # no library's telemetry in the command's process (offline.py)
    from smcheck.cli import main as cli_main

    cli_main()


if __name__ == "__main__":
    main()
