"""Alias files: many spellings of one entity -> one canonical facet value.

Format (TOML, read with the standard library's tomllib): one table per kind
(`person`, `organization`, `place`); each key is the canonical value, each value
the list of its other spellings (a single string is accepted too):

    [person]
    "Lukashenka" = ["Lukashenko", "Alexander Lukashenko"]

    [place]
    "Belarus" = ["Byelorussia", "Belorussia", "White Russia"]

Matching is case-insensitive and whitespace-insensitive, and dotted initials match
without their final period too ("U.S" is "U.S.", whose period a sentence's end or a
writer took). The shipped file
(search/aliases.toml) is always loaded; the file named by the ALIASES setting
(ARCHIVE_SEARCH_ALIASES, or an explicit path) is loaded on top: its entries
extend the shipped ones, and where a spelling appears in both, the archive's
canonical value wins. Chains resolve: if the archive maps "Lukashenka" to
"Lukashenko", everything shipped as an alias of "Lukashenka" follows.

Both sides use the table: ingest (index.entities) to give each entity one
value, searching (`Archive`, through `AliasWatch`) to expand a query to every
spelling. It lives here, in the package both may import, so the read side
does not depend on entity extraction.
"""

from __future__ import annotations

import time
import tomllib
from functools import lru_cache
from pathlib import Path

from search import settings

SHIPPED_PATH = Path(__file__).with_name("aliases.toml")
KINDS = ("person", "organization", "place")
CHECK_SECONDS = 1.0  # how stale a searcher's view of the alias files may be
_APOS = str.maketrans({"\u2019": "'"})


class AliasError(ValueError):
    """An alias file that cannot be used; the message names the file and the entry."""


@lru_cache(maxsize=65_536)  # extraction asks ~25 times per article, mostly for the same names
def alias_key(value: str) -> str:
    """Case- and whitespace-insensitive identity of a value (what aliases and facets match on)."""
    return " ".join(value.translate(_APOS).casefold().split())


_key = alias_key  # the short name used throughout this module


def _abbreviation(spelling: str) -> bool:
    """Dotted initials ("U.S.", "U.S.S.R."): also matched without the final period."""
    return spelling.endswith(".") and "." in spelling[:-1] and " " not in spelling


class Aliases:
    """Canonical values per kind, and every spelling of one entity for query expansion."""

    def __init__(self) -> None:
        self._map: dict[str, dict[str, str]] = {kind: {} for kind in KINDS}
        self._spelled: dict[str, dict[str, str]] = {kind: {} for kind in KINDS}
        self._groups: dict[str, dict[str, list[str]]] | None = None  # built on first variants()
        self.sources: list[Path] = []

    def add_file(self, path: str | Path) -> None:
        path = Path(path)
        try:
            with open(path, "rb") as handle:
                data = tomllib.load(handle)
        except OSError as exc:
            raise AliasError(f"{path}: cannot read alias file ({exc.strerror})") from None
        except tomllib.TOMLDecodeError as exc:
            raise AliasError(f"{path}: not valid TOML ({exc})") from None
        self.add_mapping(data, str(path))
        self.sources.append(path)

    def add_mapping(self, data: dict, origin: str = "aliases") -> None:
        """Add {kind: {canonical: [variants]}}; later additions override earlier ones."""
        for kind, table in data.items():
            if kind not in KINDS:
                raise AliasError(f"{origin}: unknown table [{kind}] (use {', '.join(KINDS)})")
            if not isinstance(table, dict):
                raise AliasError(f"{origin}: [{kind}] must be a table of canonical = [variants]")
            for canonical, variants in table.items():
                if isinstance(variants, str):
                    variants = [variants]
                if not isinstance(variants, list) or not all(isinstance(v, str) for v in variants):
                    raise AliasError(f"{origin}: {kind}.{canonical!r} must be a list of strings")
                canonical = " ".join(canonical.split())
                if not canonical:
                    raise AliasError(f"{origin}: empty canonical value in [{kind}]")
                mapping, spelled = self._map[kind], self._spelled[kind]
                for spelling in (canonical, *variants):
                    spelling = " ".join(spelling.split())
                    if spelling:
                        mapping[_key(spelling)] = canonical
                        spelled.setdefault(_key(spelling), spelling)
                    if _abbreviation(spelling):  # "U.S" where a sentence's end took the "."
                        mapping.setdefault(_key(spelling[:-1]), canonical)
        self._groups = None

    def canonical(self, kind: str, value: str) -> str:
        """The canonical value for `value` of `kind`, or `value` itself if it has none."""
        mapping = self._map.get(kind)
        if not mapping:
            return value
        seen: set[str] = set()
        current = value
        k = _key(current)
        while k in mapping and k not in seen:
            seen.add(k)
            nxt = mapping[k]
            if _key(nxt) == k:
                return nxt
            current, k = nxt, _key(nxt)
        return current

    def kinds(self, value: str) -> list[str]:
        """The kinds whose tables list `value` (to correct a mention tagged with another kind)."""
        k = _key(value)
        return [kind for kind in KINDS if k in self._map[kind]]

    def variants(self, text: str) -> list[str]:
        """Every spelling aliased with `text` (any kind), canonical first; [text] if none."""
        if self._groups is None:
            groups: dict[str, dict[str, list[str]]] = {kind: {} for kind in KINDS}
            for kind, spelled in self._spelled.items():
                for spelling in spelled.values():
                    canon = self.canonical(kind, spelling)
                    group = groups[kind].setdefault(_key(canon), [canon])
                    if _key(spelling) != _key(canon):
                        group.append(spelling)
            self._groups = groups
        out: list[str] = []
        seen: set[str] = set()
        for kind in KINDS:
            if _key(text) not in self._map[kind]:
                continue
            for spelling in self._groups[kind].get(_key(self.canonical(kind, text)), []):
                if _key(spelling) not in seen:
                    seen.add(_key(spelling))
                    out.append(spelling)
        return out or [text]

    def __len__(self) -> int:
        return sum(len(m) for m in self._map.values())


def alias_files(path: str | Path | None = None) -> list[Path]:
    """The shipped file, then the archive's (`path`, else the ALIASES setting) if any."""
    extra = Path(path) if path is not None else settings.value(settings.ALIASES)
    return [SHIPPED_PATH] + ([extra] if extra else [])


_alias_cache: dict[tuple, Aliases] = {}


def load_aliases(path: str | Path | None = None) -> Aliases:
    """The shipped aliases plus the archive's (`path`, else $ARCHIVE_SEARCH_ALIASES).

    Cached per process and per file modification time, so an edited file is re-read.
    """
    files = alias_files(path)
    stamp = tuple((str(f), _stat(f)) for f in files)
    aliases = _alias_cache.get(stamp)
    if aliases is None:
        aliases = Aliases()
        for file in files:
            aliases.add_file(file)
        _alias_cache.clear()
        _alias_cache[stamp] = aliases
    return aliases


def _stat(path: Path) -> tuple[int, int] | None:
    if not path.is_file():
        return None
    stat = path.stat()
    return stat.st_mtime_ns, stat.st_size


class AliasWatch:
    """A searcher's alias table: loaded once, looked at again (a stat per file) only when
    the index generation changes or CHECK_SECONDS have passed, so an edited file still
    takes effect without a restart. None while the files are unusable (searching goes on
    without aliases)."""

    def __init__(self) -> None:
        self._table: Aliases | None = None
        self._generation: int | None = None
        self._path: Path | None = None
        self._checked = float("-inf")

    def table(self, generation: int, path: Path | None = None) -> Aliases | None:
        """The table for `generation`; `path`: the alias file published with it (a
        replica's), read in place of the ALIASES setting's."""
        now = time.monotonic()
        stale = generation != self._generation or path != self._path
        if stale or now - self._checked >= CHECK_SECONDS:
            self._generation, self._path, self._checked = generation, path, now
            try:
                self._table = load_aliases(path)
            except AliasError:
                self._table = None
        return self._table
