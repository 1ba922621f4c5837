"""The pipeline's direction holds (pyproject.toml [tool.importlinter], README "How it is
built"): each module imports only from the layers below its own, lazy imports inside
functions included, and no modules import each other in a circle."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

LINT = Path(sys.executable).parent / "lint-imports"
pytestmark = pytest.mark.skipif(not LINT.exists(), reason="import-linter is not installed")


def lint(root: Path) -> subprocess.CompletedProcess[str]:
    """lint-imports on the smcheck package found under `root`, with root's pyproject."""
    env = {**os.environ, "PYTHONPATH": str(root), "NO_COLOR": "1"}
    return subprocess.run([str(LINT), "--no-cache"], cwd=root, env=env, text=True,
                          capture_output=True, timeout=300)


def test_the_layers_hold() -> None:
    r = lint(ROOT)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Contracts: 2 kept, 0 broken." in r.stdout


def _copy(tmp_path: Path) -> Path:
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    shutil.copytree(ROOT / "smcheck", tmp_path / "smcheck",
                    ignore=shutil.ignore_patterns("__pycache__", "*.css", "*.js", "*.html"))
    return tmp_path


@pytest.mark.parametrize(("module", "line", "broken"), [
    # A lazy import inside a function counts: the knowledge layer reaching for a reporter.
    ("findings.py", "def _upward() -> None:\n    from smcheck.reporters import text  # noqa\n",
     "smcheck.findings is not allowed to import smcheck.reporters"),
    # The config asking the rule catalogue (which reads the config): a circle.
    ("config.py", "def _upward() -> None:\n    from smcheck.rules import RULES  # noqa\n",
     "smcheck.config is not allowed to import smcheck.rules"),
    # Extraction asking the models' home that builds it.
    ("extract/faces.py", "def _upward() -> None:\n    from smcheck import engines  # noqa\n",
     "smcheck.extract is not allowed to import smcheck.engines"),
    # serve and the CLI: the CLI starts serve, never the other way.
    ("serve.py", "def _upward() -> None:\n    from smcheck import cli  # noqa\n",
     "smcheck.serve is not allowed to import smcheck.cli"),
])
def test_an_upward_import_breaks_the_contract(tmp_path: Path, module: str, line: str,
                                               broken: str) -> None:
    root = _copy(tmp_path)
    with (root / "smcheck" / module).open("a") as fh:
        fh.write("\n\n" + line)
    r = lint(root)
    assert r.returncode == 1, r.stdout + r.stderr
    assert broken in " ".join(r.stdout.split())


def test_a_circle_inside_a_layer_breaks_the_contract(tmp_path: Path) -> None:
    """Inside a layer the order is free, but not a circle: extract/text.py reads the
    recognizers' entities, so recognizers asking text back (as it once did for them)
    is refused."""
    root = _copy(tmp_path)
    with (root / "smcheck" / "extract" / "recognizers.py").open("a") as fh:
        fh.write("\n\ndef _back() -> None:\n    from smcheck.extract import text  # noqa\n")
    r = lint(root)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "No cycles are allowed in smcheck.extract" in r.stdout
