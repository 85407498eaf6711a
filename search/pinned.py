"""The generations a server has open: the newest, plus a few older ones that pages pin.

A search answer names the generation it was built on; a request for its next
page names it back (`generation=`), so the reader pages through one fixed
result list even after the server, or another replica behind the load
balancer, moved on to a newer generation. Each generation is opened from its
own table of contents, never "whatever is latest now", so the number an answer
reports is the generation it really read.

A generation is opened with every file it reads held open (stored fields
included), so the retention rule unlinking its files later does not disturb
it: on POSIX an open file outlives its name. Asking for a generation this
folder no longer holds is `GenerationGone` (410: start paging again); asking
for a newer one than has arrived here is `GenerationNotHere` (425 Too Early,
with Retry-After, which the load balancer retries on another replica).
"""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path
from typing import Any

from search import codec
from search.errors import SearchError
from search.generation import Generation
from search.postings import PostingCache
from search.ranking import Settings

KEEP_OPEN = 2  # older generations kept open for pinned pages (LRU)
OLDER_CACHE_BYTES = 8 << 20  # posting cache of an older generation (it serves only pages)


def aliases_name(generation: int) -> str:
    """The alias file `publish` sends with a generation, read by replicas at query time."""
    return f"aliases-{generation}.toml"


class GenerationGone(SearchError):
    """The pinned generation was removed here: the reader starts again from page 1."""

    status = 410


class GenerationNotHere(SearchError):
    """The pinned generation has not reached this replica yet: 425 Too Early, retry
    (HAProxy's `retry-on 425` sends it to another replica)."""

    status = 425
    retry_after = 1


class OpenGenerations:
    """The newest generation of one index, and up to KEEP_OPEN older ones (LRU)."""

    def __init__(self, ix: Any, folder: Path, posting_cache_bytes: int, ranking: Settings):
        self._ix = ix
        self._ranking = ranking
        self._folder = folder
        self._cache_bytes = posting_cache_bytes
        self._newest: Generation | None = None
        self._older: OrderedDict[int, Generation] = OrderedDict()

    def newest(self) -> Generation:
        """The latest committed generation (opened anew after every commit or publish)."""
        for _ in range(3):
            latest = self._ix.latest_generation()
            if self._newest is not None and self._newest.generation == latest:
                return self._newest
            try:
                opened = self._open(latest, self._cache_bytes)
            except FileNotFoundError:
                continue  # removed between listing and opening: look again
            if self._newest is not None:
                self._keep_older(self._newest)
            self._newest = opened
            return opened
        if self._newest is None:
            raise FileNotFoundError(f"no readable generation in {self._folder}")
        return self._newest

    def get(self, generation: int | None) -> Generation:
        """`generation` if this folder still holds it, else a clear error; None: the newest."""
        newest = self.newest()
        if generation is None or generation == newest.generation:
            return newest
        if generation in self._older:
            self._older.move_to_end(generation)
            return self._older[generation]
        if generation > newest.generation:
            raise GenerationNotHere(
                f"generation {generation} has not reached this server yet "
                f"(it has {newest.generation}); retry shortly",
                parameter="generation",
            )
        try:
            opened = self._open(generation, OLDER_CACHE_BYTES)
        except (FileNotFoundError, OSError):
            raise GenerationGone(
                f"generation {generation} is no longer available "
                f"(now {newest.generation}): start again from page 1",
                parameter="generation",
            ) from None
        self._keep_older(opened)
        return opened

    def alias_file(self, gen: Generation) -> Path | None:
        """The alias file published with `gen`, if any (else the server's own setting)."""
        path = self._folder / aliases_name(gen.generation)
        return path if path.is_file() else None

    def close(self) -> None:
        for gen in [*self._older.values(), *([self._newest] if self._newest else [])]:
            gen.searcher.close()
        self._older.clear()
        self._newest = None

    def _keep_older(self, gen: Generation) -> None:
        if gen.postings.max_bytes > OLDER_CACHE_BYTES:  # it now serves only pinned pages
            gen.postings = PostingCache(gen.leaves, OLDER_CACHE_BYTES)
        self._older[gen.generation] = gen
        while len(self._older) > KEEP_OPEN:
            _, evicted = self._older.popitem(last=False)
            evicted.searcher.close()

    def _open(self, generation: int, cache_bytes: int) -> Generation:
        """Open exactly `generation` from its TOC, with every file it will read held open."""
        searcher = codec.open_generation(self._ix, generation)
        try:
            gen = Generation(searcher, cache_bytes, self._ranking)
            for leaf, _ in gen.leaves:
                if leaf.doc_count_all():
                    leaf.stored_fields(0)  # opens the stored-fields column now
        except BaseException:
            searcher.close()
            raise
        return gen
