"""W3 posting blocks, as bytes, to numpy arrays: one term's blocks over every segment at once.

A long question reads a few thousand posting lists, most of them a few short
blocks in each of the index's segments; per block, Python work (unpickling
its info, a cumulative sum, a weights array, a concatenation per segment)
cost more than inflating it. Here a block's info is read by one regular
expression, only as much of the block is inflated as its ids and weights
need, and the blocks of every segment are collected (`PostingBlocks`) and
turned into one id array and one weight array in a single numpy pass.

For scores and counts only a block's ids and weights are read, never its positions: packed
arrays (full blocks as index.codec writes them) are read from the bytes;
tuples (short blocks, and every block stock Whoosh writes) have only their
ids unpickled (or read as a strided array too, when each delta is one byte) and
their weights read as a strided array. Anything laid out
otherwise is unpickled whole. search.codec finds the bytes; this module
knows the block format (whoosh.codec.whoosh3's), and tests compare it with
stock Whoosh's own reading (tests/test_blocks.py, tests/test_writer_internals.py).
Phrases need positions, of a few documents: `wanted_values` inflates only the blocks that
hold them and `position_keys` decodes their values (tests/test_phrases.py).
"""

from __future__ import annotations

import io
import pickle
import pickletools
import re
import struct
import zlib
from array import array
from collections.abc import Sequence
from functools import lru_cache
from itertools import chain
from typing import Any, NamedTuple

import numpy as np

MAGIC = b"W3Bl"
_POSITION_COUNT = 4  # whoosh.formats.Positions: a uint count, then the deltas pickled
_INT = struct.Struct("!i")
_DOUBLE = struct.Struct(">d")  # pickle's BINFLOAT
PROTOCOL = 3  # index.codec's pickle protocol for block data
# A block's info as index.codec (pickle protocol 3) and stock Whoosh (2) pickle it: (postings,
# last id, max weight, compression level, min and max length bytes), a tuple after a MARK. The
# count (at most 128 as written, BININT1 up to 255), the level and the length bytes are
# BININT1 items; anything else is unpickled instead. The protocol tells the writer: only
# index.codec packs full blocks' arrays.
_BLOCK_INFO = re.compile(
    rb"\x80([\x02\x03])\(K(.)(K.|M..|J....)(?:G.{8}|K.|M..|J....)K(.)K.K.tq\x00\.", re.DOTALL
)
# A tuple of BININT1, BININT2 or BININT items after the protocol and a MARK: a short block's
# id deltas, the first item it pickles. Possessive (`++`): an item never starts with the
# TUPLE opcode, so giving items back could never match, and not keeping the state to try
# makes the match twice as fast.
_ID_TUPLE = re.compile(rb"\x80[\x02\x03]\((?:K.|M..|J....)++t", re.DOTALL)
# The first items of a short block's ids: protocol, MARK, then BININT1, BININT2 or BININT
# (how many bytes the first id takes; those after it are deltas).
_TUPLE_HEADS = (b"\x80\x02(", b"\x80\x03(")
_FIRST_ID = {b"K": 1, b"M": 2, b"J": 4}
_FULL = 128  # postings in a full block: index.codec packs its arrays
_PRESET_DICTIONARY = 0x20  # FDICT, in a zlib stream's second byte
EMPTY_IDS = np.zeros(0, dtype=np.int32)
EMPTY_WEIGHTS = np.zeros(0, dtype=np.float32)


class PostingBlocks:
    """One term's postings over several segments, collected block by block (id deltas,
    weights, the segment's first doc number) and decoded together by `arrays`."""

    def __init__(self) -> None:
        self._deltas: list[Any] = []  # per block: uint32 array or tuple of ints
        self._weights: list[Any] = []  # per block: float32 or >f8 array, or tuple of floats
        self._counts: list[int] = []
        self._starts: list[int] = []  # where each block's postings start among all of them
        self._bases: list[int] = []
        self._total = 0

    def _add(self, deltas: Any, weights: Any, count: int, base: int) -> None:
        if weights is None or isinstance(weights, float):  # all equal: 1.0, or the one given
            weights = _constant(1.0 if weights is None else weights, count)
        self._deltas.append(deltas)
        self._weights.append(weights)
        self._counts.append(count)
        self._starts.append(self._total)
        self._bases.append(base)
        self._total += count

    def add_ids(self, ids: Sequence[int], weights: Sequence[float], base: int) -> None:
        """Postings given as ids in order (inlined in a term's info: a handful)."""
        if ids:
            deltas = (ids[0], *(b - a for a, b in zip(ids, ids[1:], strict=False)))
            self._add(deltas, weights, len(ids), base)

    def add_list(self, buf: bytes, base: int) -> None:
        """Every block of one W3 posting list: magic, then blocks of (length, info, data)."""
        if buf[:4] != MAGIC:
            raise ValueError("unexpected posting-list header: is whoosh-reloaded 2.7.5 installed?")
        pos = 4
        while True:
            (length,) = _INT.unpack_from(buf, pos)
            end = pos + 4 + (length if length > 0 else -length)
            info = _BLOCK_INFO.match(buf, pos + 4)
            if info is not None:
                count, compression, start = info[2][0], info[4][0], info.end()
                packed = count >= _FULL and info[1] == b"\x03"
            else:
                stream = io.BytesIO(buf)
                stream.seek(pos + 4)
                count, _maxid, _maxweight, compression, _mn, _mx = pickle.load(stream)
                start, packed = stream.tell(), False
            deltas, weights = _block(buf[start:end], count, compression, packed)
            self._add(deltas, weights, count, base)
            if length < 0:
                return
            pos = end

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """(doc ids as int32, weights as float32), blocks in the order added. The ids are one
        cumulative sum over every block's deltas, less the sum before each block (a block's
        first delta is its first id), plus the block's base; the weights one concatenation."""
        if not self._counts:
            return EMPTY_IDS, EMPTY_WEIGHTS
        if len(self._counts) == 1:
            ids = np.asarray(self._deltas[0], dtype=np.int64).cumsum() + self._bases[0]
        else:
            sums = _int64s([(0,), *self._deltas]).cumsum()
            before = sums[self._starts] - self._bases
            ids = sums[1:] - np.repeat(before, self._counts)
        return ids.astype(np.int32), np.concatenate(self._weights, dtype=np.float32)


def _int64s(parts: list[Any]) -> np.ndarray:
    """Tuples of ints and arrays, concatenated as int64. Each run of tuples becomes one list
    read at once by `np.fromiter`, which converts ints several times faster than numpy reads
    them tuple by tuple (a long question's lists are mostly short tuple blocks)."""
    arrays: list[np.ndarray] = []
    run: list[int] = []
    for part in parts:
        if isinstance(part, tuple):
            run += part
            continue
        if run:
            arrays.append(np.fromiter(run, dtype=np.int64, count=len(run)))
            run = []
        arrays.append(part)
    if run:
        arrays.append(np.fromiter(run, dtype=np.int64, count=len(run)))
    return np.concatenate(arrays, dtype=np.int64)


@lru_cache(maxsize=1024)
def _constant(value: float, count: int) -> np.ndarray:
    """`count` weights all `value` (read-only: only ever copied into a term's array)."""
    weights = np.full(count, value, dtype=np.float32)
    weights.flags.writeable = False
    return weights


def _block(raw: bytes, count: int, compression: int, packed: bool) -> tuple[Any, Any]:
    """A block's id deltas and weights (an array, a float for all, or None for all 1.0),
    its data inflated only as far as those need: as far as packed arrays end when `packed`
    (a full block index.codec wrote), else as far as tuples of ids and weights can reach
    (short blocks, and stock Whoosh's). Anything else goes `_any_block`'s way."""
    if compression:
        if packed:
            found = _arrays(_inflate(raw, _layout(count).size), count)
        else:
            found = _tuple_arrays(_inflate(raw, _head_size(count)), count)
        if found is not None:
            return found
    return _any_block(raw, count, compression)


def _inflate(raw: bytes, size: int) -> bytes:
    """The first `size` bytes a block's zlib stream inflates to. Past its two-byte header
    it is read as raw deflate, which computes no checksum: stopping early, it could never be
    checked anyway (a stream with a preset dictionary, which Whoosh never writes, is read
    whole)."""
    if raw[1:2] and not raw[1] & _PRESET_DICTIONARY:
        return zlib.decompressobj(-zlib.MAX_WBITS).decompress(memoryview(raw)[2:], size)
    return zlib.decompressobj().decompress(raw, size)


def _any_block(raw: bytes, count: int, compression: int) -> tuple[Any, Any]:
    """Any block: packed arrays or tuples read from as much of it as they could need (both
    layouts tried), else the whole block inflated and unpickled."""
    data = raw
    if compression:
        data = _inflate(raw, max(_layout(count).size, _head_size(count)))
    found = _arrays(data, count) or _tuple_arrays(data, count)
    if found is not None:
        return found
    deltas, weights, _values = pickle.loads(zlib.decompress(raw) if compression else raw)
    return deltas, weights


class _Layout(NamedTuple):
    """Where this Python's pickle puts a block's arrays (index.codec writes them): the bytes
    before the id deltas' raw bytes, those between them and the weights item, those before
    the weights' raw bytes when they are an array, and how far the weights end."""

    head: bytes
    between: bytes
    weights_head: bytes
    size: int


@lru_cache(maxsize=256)
def _layout(count: int) -> _Layout:
    # Values no opcode or length looks like, so their raw bytes are found where they are.
    ids = array("I", (0xA5C3E1F7 - i for i in range(count)))
    weights = array("f", (1e30 + 1e25 * i for i in range(count)))
    probe = pickle.dumps((ids, weights, None), PROTOCOL)
    start = probe.index(ids.tobytes())
    end = start + len(ids.tobytes())
    plain = pickle.dumps((ids, None, None), PROTOCOL)
    ops = pickletools.genops(plain)
    after = next(pos for op, _, pos in ops if pos >= end and op.name == "NONE")
    weights_at = probe.index(weights.tobytes())
    return _Layout(probe[:start], plain[end:after], probe[after:weights_at], weights_at + 4 * count)


def _arrays(data: Any, count: int) -> tuple[np.ndarray, Any] | None:
    """A block's id deltas and weights read straight from its pickle, positions untouched
    (most of a block's bytes); None when the block is not laid out as index.codec writes
    it (an index written by stock Whoosh or before), to be read otherwise."""
    layout = _layout(count)
    if not data.startswith(layout.head):
        return None
    start = len(layout.head)
    end = start + 4 * count
    if not data.startswith(layout.between, end):
        return None
    deltas = np.frombuffer(data, dtype=np.uint32, count=count, offset=start)
    at = end + len(layout.between)
    marker = data[at : at + 1]
    if marker == b"N":
        return deltas, None
    if marker == b"G":
        return deltas, _DOUBLE.unpack_from(data, at + 1)[0]
    if data.startswith(layout.weights_head, at):
        offset = at + len(layout.weights_head)
        return deltas, np.frombuffer(data, dtype=np.float32, count=count, offset=offset)
    return None


def _head_size(count: int) -> int:
    """Bytes enough for a block's id deltas and weights, never all its positions: in tuples,
    at most 5 bytes an id and 9 a weight (and 16 of opcodes); packed, 8 bytes a posting
    beside the arrays' pickle opcodes (under 100 bytes in all)."""
    return max(14 * count + 16, 8 * count + 128)


def _tuple_arrays(data: Any, count: int) -> tuple[Any, Any] | None:
    """A short block's id deltas and weights, as index.codec (pickle protocol 3) and stock
    Whoosh (2) write them in tuples, read without unpickling its positions: the ids are read
    from the bytes when each delta after the first is one byte (`_byte_deltas`), else the end
    of their tuple is found in C (`_ID_TUPLE`) and only they are unpickled; the weights,
    9-byte BINFLOAT items, are read as a strided array. None when the block is laid out
    otherwise (tuples of up to three items have no MARK to start from), to be unpickled
    instead."""
    if count <= 3:
        return None
    deltas, at = _byte_deltas(data, count)
    if deltas is None:
        found = _ID_TUPLE.match(data)
        if found is None:
            return None
        at = found.end()
        deltas = pickle.loads(data[:at] + b".")
    tuple_end = at
    memo = data[at : at + 1]  # the tuple's BINPUT (LONG_BINPUT past 255 memo entries)
    at += 2 if memo == b"q" else 5 if memo == b"r" else 0
    if len(deltas) != count or at == tuple_end:
        return None
    marker = data[at : at + 1]
    if marker == b"N":
        return deltas, None
    if marker == b"G":
        return deltas, _DOUBLE.unpack_from(data, at + 1)[0]
    end = at + 1 + 9 * count
    if marker != b"(" or data[at + 1 : end : 9] != b"G" * count or data[end : end + 1] != b"t":
        return None
    return deltas, np.ndarray((count,), dtype=">f8", buffer=data, offset=at + 2, strides=(9,))


def _byte_deltas(data: Any, count: int) -> tuple[np.ndarray | None, int]:
    """A short block's id deltas when each one after the first is a BININT1 item (a byte, as
    in most short lists of frequent words), read as a strided array: nothing unpickled, no
    Python int made. Also where the ids' tuple ends (after its TUPLE opcode, as `_ID_TUPLE`
    finds it). (None, 0) when they are laid out otherwise."""
    width = _FIRST_ID.get(data[3:4]) if data[:3] in _TUPLE_HEADS else None
    if width is None:
        return None, 0
    rest = 4 + width  # the second item's opcode
    end = rest + 2 * (count - 1)  # the TUPLE opcode
    if data[rest:end:2] != b"K" * (count - 1) or data[end : end + 1] != b"t":
        return None, 0
    deltas = np.empty(count, dtype=np.int64)
    deltas[0] = int.from_bytes(data[4:rest], "little", signed=width == 4)
    deltas[1:] = np.ndarray(
        (count - 1,), dtype=np.uint8, buffer=data, offset=rest + 1, strides=(2,)
    )
    return deltas, end + 1


def wanted_values(buf: bytes, wanted: np.ndarray) -> tuple[list[np.ndarray], list[Any]]:
    """The postings of one W3 posting list whose ids are in `wanted` (this segment's ids,
    ascending): their ids (an array per block read) and their values (each posting's
    encoded positions), inflating only the blocks whose id range holds a wanted id (a
    block's info gives its last id). For phrases, which need a few documents' positions."""
    if buf[:4] != MAGIC:
        raise ValueError("unexpected posting-list header: is whoosh-reloaded 2.7.5 installed?")
    ids: list[np.ndarray] = []
    values: list[Any] = []
    pos, first = 4, 0  # `first`: the lowest id the next block can hold
    while True:
        (length,) = _INT.unpack_from(buf, pos)
        end = pos + 4 + (length if length > 0 else -length)
        info = _BLOCK_INFO.match(buf, pos + 4)
        if info is not None:
            last, compression, start = _small_int(info[3]), info[4][0], info.end()
        else:
            stream = io.BytesIO(buf)
            stream.seek(pos + 4)
            _count, last, _maxweight, compression, _mn, _mx = pickle.load(stream)
            start = stream.tell()
        at = int(np.searchsorted(wanted, first))
        if at < len(wanted) and wanted[at] <= last:
            data = buf[start:end]
            deltas, _weights, block_values = pickle.loads(
                zlib.decompress(data) if compression else data
            )
            block_ids = np.asarray(deltas, dtype=np.int64).cumsum()  # first delta: first id
            keep = np.flatnonzero(sorted_member(block_ids, wanted))
            ids.append(block_ids[keep])
            values += [block_values[i] for i in keep]
        if length < 0:
            return ids, values
        first = last + 1
        pos = end


def _small_int(item: bytes) -> int:
    """A pickled BININT1 (K), BININT2 (M) or BININT (J) item's value."""
    if item[:1] == b"K":
        return item[1]
    if item[:1] == b"M":
        return int.from_bytes(item[1:3], "little")
    return int.from_bytes(item[1:5], "little", signed=True)


def sorted_member(values: np.ndarray, sorted_array: np.ndarray) -> np.ndarray:
    """Whether each of `values` is in `sorted_array` (ascending): a binary search each,
    which for a block's ids costs far less than np.isin's sorting and hashing."""
    if not len(sorted_array):
        return np.zeros(len(values), dtype=bool)
    at = np.minimum(np.searchsorted(sorted_array, values), len(sorted_array) - 1)
    return sorted_array[at] == values


def position_keys(ids: np.ndarray, values: list[Any]) -> np.ndarray:
    """doc << 32 | position for every position of every posting (ids and their values,
    whoosh.formats.Positions encoded): ascending, as ids ascend and each posting's do."""
    deltas = [pickle.loads(_stopped(value)[_POSITION_COUNT:]) for value in values]
    counts = np.fromiter(map(len, deltas), dtype=np.int64, count=len(deltas))
    flat = np.fromiter(chain.from_iterable(deltas), dtype=np.int64, count=int(counts.sum()))
    sums = flat.cumsum()
    before = np.concatenate(([0], sums))[np.cumsum(counts) - counts]  # sums before each posting
    positions = sums - np.repeat(before, counts)
    return (np.repeat(ids, counts) << 32) | positions


def _stopped(value: bytes) -> bytes:
    """Whoosh's Positions.decode_positions adds the pickle's STOP opcode when it is missing."""
    return value if value.endswith(b".") else value + b"."
