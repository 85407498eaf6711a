"""The sdist and the wheel a user installs carry every file the packages need at run time.

Built offline, as `uv build` does (sdist first, the wheel from the unpacked sdist), from a copy
of the files git tracks: every tracked file under search/, index/ and web/ (code, templates,
static files, the entity model, clusters, aliases, the demo archive) must be in the wheel.
A file added without a package-data pattern in pyproject.toml fails here. `.ci/run` then
installs the wheel into a clean venv and uses it (`.ci/smoke-wheel`).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("search", "index", "web")
BUILD = "from setuptools import build_meta as b; import sys; print(getattr(b, sys.argv[1])('{}'))"


def tracked_files() -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    return [name for name in listed.split("\0") if name and (ROOT / name).is_file()]


def backend(step: str, source: Path, out: Path) -> Path:
    command = [sys.executable, "-c", BUILD.format(out), step]
    done = subprocess.run(command, cwd=source, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    return out / done.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, Path]:
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout: the tracked files are unknown")
    folder = tmp_path_factory.mktemp("package")
    source = folder / "source"
    for name in tracked_files():
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, source / name)
    sdist = backend("build_sdist", source, folder / "dist")
    with tarfile.open(sdist) as archive:
        archive.extractall(folder / "unpacked", filter="data")
    [unpacked] = (folder / "unpacked").iterdir()
    wheel = backend("build_wheel", unpacked, folder / "dist")
    return sdist, wheel


def test_the_wheel_holds_every_file_of_the_packages(built):
    _, wheel = built
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert wheel.name == f"archive_search-{version}-py3-none-any.whl"
    needed = {name for name in tracked_files() if name.split("/")[0] in PACKAGES}
    assert {"index/entities/model.crfsuite", "web/static/widget.js"} <= needed
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    missing = sorted(needed - names)
    assert not missing, f"not in the wheel (add them to package-data in pyproject.toml): {missing}"
    assert not [n for n in names if n.startswith("tests/") or "__pycache__" in n]


def test_the_wheel_declares_the_runtime_dependencies_and_the_command(built):
    _, wheel = built
    with zipfile.ZipFile(wheel) as archive:
        info = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        metadata = archive.read(info).decode()
        entry_points = archive.read(info.replace("METADATA", "entry_points.txt")).decode()
    requires = [line for line in metadata.splitlines() if line.startswith("Requires-Dist:")]
    runtime = [r for r in requires if "extra ==" not in r]
    assert any("lxml[html-clean]" in r or "lxml[html_clean]" in r for r in runtime), runtime
    assert "archive-search = web.cli:main" in entry_points


def test_the_sdist_holds_the_tests_and_the_lock(built):
    sdist, _ = built
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    assert {"pyproject.toml", "README.md", "requirements.lock", "tests/conftest.py"} <= names
    assert "index/demo/wikinews-en.jsonl.gz" in names
