"""Config: discovery, environment, validation, overrides."""

from __future__ import annotations

from pathlib import Path

import pytest

from smcheck.config import discover_config, load_config_file, resolve_config
from smcheck.errors import InputError
from smcheck.findings import Severity


def test_full_config(tmp_path: Path) -> None:
    p = tmp_path / "smcheck.toml"
    p.write_text('roster = "r.csv"\ndistrict_email_domains = ["@PPS.net"]\n'
                 'staff = ["Maria Garcia"]\nfail_on = "warning"\nface_tolerance = 0.45\n'
                 'ignore = ["n103"]\n[severity]\nN101 = "violation"\n')
    c = load_config_file(p)
    assert c.roster == (tmp_path / "r.csv").resolve()
    assert c.district_email_domains == ("pps.net",)
    assert c.fail_on is Severity.WARNING and c.face_tolerance == 0.45
    assert c.ignore == {"N103"} and c.severity == {"N101": Severity.VIOLATION}


@pytest.mark.parametrize(("body", "message"), [
    ('rooster = "r.csv"\n', "unknown key(s): rooster"),
    ('fail_on = "sometimes"\n', "fail_on: unknown severity"),
    ('ignore = ["X999"]\n', "ignore: unknown rule code(s) X999"),
    ('[severity]\nN101 = "loud"\n', "[severity] N101: unknown severity"),
    ('face_tolerance = 3\n', "face_tolerance must be a number between 0 and 1"),
    ('staff = "Maria"\n', "staff must be a list of strings"),
    ('roster = [\n', "invalid TOML"),
])
def test_bad_config_is_an_error(tmp_path: Path, body: str, message: str) -> None:
    p = tmp_path / "smcheck.toml"
    p.write_text(body)
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(")", r"\)")
                       .replace("[", r"\[").replace("]", r"\]")):
        load_config_file(p)


def test_fail_on_never(tmp_path: Path) -> None:
    p = tmp_path / "smcheck.toml"
    p.write_text('fail_on = "never"\n')
    assert load_config_file(p).fail_on is None


def test_discovery_in_parent_and_pyproject(tmp_path: Path) -> None:
    sub = tmp_path / "a" / "b"
    sub.mkdir(parents=True)
    (tmp_path / "pyproject.toml").write_text('[tool.smcheck]\nstaff = ["Tom Miller"]\n')
    assert discover_config(sub) == tmp_path / "pyproject.toml"
    assert resolve_config(None, cwd=sub).staff == ("Tom Miller",)
    (tmp_path / "a" / "smcheck.toml").write_text('staff = ["Maria Garcia"]\n')
    assert resolve_config(None, cwd=sub).staff == ("Maria Garcia",)


def test_env_var(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    p = tmp_path / "custom.toml"
    p.write_text('fail_on = "critical"\n')
    monkeypatch.setenv("SMCHECK_CONFIG", str(p))
    assert resolve_config(None, cwd=tmp_path).fail_on is Severity.CRITICAL


def test_pyproject_without_section_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    assert discover_config(tmp_path) != tmp_path / "pyproject.toml"


# ---- config files as editors save them, and files that are not configs -----------------


def test_config_bytes(tmp_path: Path) -> None:
    import os

    p = tmp_path / "smcheck.toml"
    p.write_bytes(b'\xef\xbb\xbffail_on = "warning"\n')  # Notepad's UTF-8 with a BOM
    assert load_config_file(p).fail_on is Severity.WARNING
    p.write_bytes(b'staff = ["Mar\xeda"]\n')  # Windows-1252: TOML is UTF-8, said so
    with pytest.raises(InputError, match=r"smcheck.toml: is not UTF-8 \(byte 0xed\)"):
        load_config_file(p)
    fifo = tmp_path / "fifo.toml"
    os.mkfifo(fifo)  # never waited on
    with pytest.raises(InputError, match=r"fifo\.toml: is not a regular file"):
        load_config_file(fifo)
    with pytest.raises(InputError, match="is a folder, not a file"):
        load_config_file(tmp_path)


def test_a_broken_pyproject_is_ours_only_if_it_configures_smcheck(tmp_path: Path) -> None:
    p = tmp_path / "pyproject.toml"
    p.write_bytes(b'[project]\nname = "x\xff"\n')
    assert discover_config(tmp_path) is None  # somebody else's file
    p.write_bytes(b'[tool.smcheck]\nstaff = ["Mar\xeda"]\n')
    assert discover_config(tmp_path) == p  # found, so loading it says what is wrong
    with pytest.raises(InputError, match="is not UTF-8"):
        resolve_config(None, cwd=tmp_path)
