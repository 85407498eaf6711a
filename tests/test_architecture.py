"""The import rules of docs/ARCHITECTURE.md, checked by walking every module's AST.

- `search` (the read side) imports neither `index` nor `web`; `index` (the write
  side) may import `search`, never `web`; `web` imports `search` and, in the
  command line only (web/cli.py), `index`.
- One seam to Whoosh's internals per side: only search/codec.py and index/codec.py
  import `whoosh.codec` or reach into another object's private attributes, and
  both refuse another whoosh-reloaded release at import.
- No import cycles among the project's modules (web.api and the OpenAPI modules
  used to import each other).
- One definition of each shared rule that used to be copied.
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import pytest

from search.whoosh_version import WHOOSH_VERSION, WhooshVersionError, require_whoosh

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("search", "index", "web")
SEAMS = {"search/codec.py", "index/codec.py"}
CLI = "web/cli.py"
# Names that start with "_" but are public API: namedtuple methods, os._exit, url_for's flag.
PUBLIC_UNDERSCORED = {"_replace", "_asdict", "_fields", "_make", "_exit", "_external"}


def modules() -> dict[str, Path]:
    """Dotted module name -> file, for every module of the three packages."""
    out = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            out[".".join(parts)] = path
    return out


MODULES = modules()


@functools.cache
def tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"))


def imports(path: Path) -> set[str]:
    """The project modules `path` imports, at any depth in the file (lazy imports count)."""
    found: set[str] = set()
    for node in ast.walk(tree(path)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            continue
        found.update(name for name in names if name in MODULES)
    return found


def relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


@pytest.mark.parametrize("name", sorted(MODULES))
def test_layers(name):
    path = MODULES[name]
    layer = name.split(".")[0]
    allowed = {"search": {"search"}, "index": {"index", "search"}, "web": {"web", "search"}}[layer]
    if relative(path) == CLI:
        allowed = {"web", "search", "index"}
    wrong = sorted(m for m in imports(path) if m.split(".")[0] not in allowed)
    assert not wrong, f"{relative(path)} imports {wrong}: see docs/ARCHITECTURE.md"


def private_reaches(path: Path) -> list[str]:
    """`x._name` on anything but self/cls, `_name=` keywords, and whoosh.codec imports."""
    out = []
    for node in ast.walk(tree(path)):
        if isinstance(node, ast.Attribute):
            name = node.attr
            owner = node.value
            if (
                name.startswith("_")
                and not name.startswith("__")
                and name not in PUBLIC_UNDERSCORED
                and not (isinstance(owner, ast.Name) and owner.id in ("self", "cls"))
            ):
                out.append(f"line {node.lineno}: {ast.unparse(node)}")
        elif isinstance(node, ast.keyword) and node.arg and node.arg.startswith("_"):
            if node.arg not in PUBLIC_UNDERSCORED:
                out.append(f"line {node.lineno}: {node.arg}=")
        elif isinstance(node, ast.ImportFrom | ast.Import):
            names = [node.module] if isinstance(node, ast.ImportFrom) else []
            names += [alias.name for alias in node.names]
            out.extend(
                f"line {node.lineno}: import {n}" for n in names if n and "whoosh.codec" in n
            )
    return out


@pytest.mark.parametrize("name", sorted(MODULES))
def test_only_the_seams_touch_whoosh_internals(name):
    path = MODULES[name]
    if relative(path) in SEAMS:
        return
    reaches = private_reaches(path)
    assert not reaches, f"{relative(path)} reaches into private internals: {reaches}"


def test_the_seams_are_where_the_internals_are():
    """Each seam does use the internals (else the rule above would be checking nothing) and
    checks the Whoosh release when it is imported."""
    for seam in sorted(SEAMS):
        text = (ROOT / seam).read_text(encoding="utf-8")
        assert private_reaches(ROOT / seam)
        assert "\nrequire_whoosh()\n" in text


def test_another_whoosh_release_is_refused_with_a_clear_error():
    require_whoosh()  # the installed one is the pinned one
    with pytest.raises(WhooshVersionError, match=rf"whoosh-reloaded=={WHOOSH_VERSION}.*2\.7\.4"):
        require_whoosh("2.7.4")


def test_no_import_cycles():
    graph = {name: imports(path) for name, path in MODULES.items()}
    # A package's __init__ that lazily imports its own submodule is not a cycle worth naming.
    for name in graph:
        graph[name] = {m for m in graph[name] if m != name and not m.startswith(name + ".")}
    cycles = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for other in sorted(graph[node]):
            if state.get(other) == 1:
                cycles.append(stack[stack.index(other) :] + [other])
            elif other not in state:
                visit(other)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    assert not cycles, f"import cycles: {cycles}"


@pytest.mark.parametrize(
    ("name", "home"),
    [
        ("K1", "search/ranking.py"),
        ("B", "search/ranking.py"),
        ("idf", "search/ranking.py"),
        ("TEXT_FIELDS", "search/schema.py"),
        ("POSSESSIVE", "search/analysis.py"),
        ("_POSSESSIVE", None),
        ("MAX_PER_PAGE", "search/limits.py"),
        ("MAX_FACET_SIZE", "search/limits.py"),
        ("MAX_FILTER_VALUES", "search/limits.py"),
        ("ID_PATTERN", "search/limits.py"),
        ("DATE_PATTERN", "search/limits.py"),
        ("SORTS", "search/limits.py"),
        ("alias_key", "search/aliases.py"),
        ("surface_forms", "search/spelling.py"),
        ("display_spelling", "search/scripts.py"),  # a value's spelling for a language
        ("spans_scripts", "search/scripts.py"),
        ("LANGUAGES", "web/i18n.py"),
        ("STRINGS", None),  # widget.js's messages come from web/messages.toml
    ],
)
def test_one_definition(name, home):
    """Each rule that used to be copied is defined (assigned or def'd at module level) once."""
    homes = []
    for path in MODULES.values():
        for node in tree(path).body:
            targets = []
            if isinstance(node, ast.Assign):
                targets = [t.id for t in node.targets if isinstance(t, ast.Name)]
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                targets = [node.target.id]
            elif isinstance(node, ast.FunctionDef):
                targets = [node.name]
            if name in targets:
                homes.append(relative(path))
    assert homes == ([home] if home else []), f"{name} is defined in {homes}"
