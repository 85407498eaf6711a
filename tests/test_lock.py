"""requirements.lock agrees with pyproject.toml, and the venv was installed from it.

The dependency closure of pyproject.toml's requirements (runtime and the dev extra, with
their extras, on this platform) is walked through the installed packages' metadata; the lock
must pin every package in it at a version every requirer accepts, and nothing else. A
dependency added, removed or re-ranged in pyproject.toml without `make lock` fails here.
"""

from __future__ import annotations

import importlib.metadata
import re
import tomllib
from pathlib import Path

from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements.lock"
PIN = re.compile(r"^([A-Za-z0-9._-]+)==([^\s;\\]+)\s*(?:;\s*([^\\]+?))?\s*\\?$")
FIX = "run `make lock` and commit requirements.lock"


def locked() -> dict[str, Version]:
    """The pins that apply on this platform (the lock is universal: some carry markers)."""
    pins = {}
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        match = PIN.match(line)
        if match and (match[3] is None or Marker(match[3]).evaluate()):
            pins[canonicalize_name(match[1])] = Version(match[2])
    return pins


def top_level() -> list[tuple[Requirement, str]]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    listed = project["dependencies"] + project["optional-dependencies"]["dev"]
    return [(Requirement(text), "pyproject.toml") for text in listed]


def closure() -> dict[str, list[tuple[Requirement, str]]]:
    """Every distribution the project needs here, each with the requirements asking for it."""
    needed: dict[str, list[tuple[Requirement, str]]] = {}
    extras_seen: dict[str, set[str]] = {}
    queue = top_level()
    while queue:
        requirement, requirer = queue.pop()
        name = canonicalize_name(requirement.name)
        needed.setdefault(name, []).append((requirement, requirer))
        new_extras = set(requirement.extras) - extras_seen.get(name, set())
        if name in extras_seen and not new_extras:
            continue
        extras_seen.setdefault(name, set()).update(requirement.extras)
        try:
            dist = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            continue  # not installed: test_every_requirement_is_locked names it
        for text in dist.requires or []:
            child = Requirement(text)
            active = [""] + sorted(extras_seen[name])
            if child.marker is None or any(child.marker.evaluate({"extra": e}) for e in active):
                queue.append((child, name))
    return needed


def test_every_requirement_is_locked_at_an_accepted_version():
    pins = locked()
    assert pins, f"no pins read from {LOCK}"
    problems = []
    for name, asked in sorted(closure().items()):
        if name not in pins:
            problems.append(f"{name} (asked by {asked[0][1]}) is not in the lock")
            continue
        for requirement, requirer in asked:
            if not requirement.specifier.contains(pins[name], prereleases=True):
                problems.append(f"{name}=={pins[name]} does not satisfy {requirer}: {requirement}")
    assert not problems, "\n".join(problems) + f"\n{FIX}"


def test_the_lock_holds_nothing_the_project_does_not_need():
    unused = sorted(set(locked()) - set(closure()))
    assert not unused, f"locked but needed by nothing in pyproject.toml: {unused}; {FIX}"


def test_the_venv_holds_the_locked_versions():
    wrong = {
        name: (str(version), importlib.metadata.version(name))
        for name, version in locked().items()
        if Version(importlib.metadata.version(name)) != version
    }
    assert not wrong, f"installed versions differ from the lock (locked, installed): {wrong}"
