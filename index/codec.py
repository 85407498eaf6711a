"""Writing Whoosh 2.7 W3 segment files directly, in bulk, readable by stock Whoosh.

Stock Whoosh writes a segment one posting at a time through a sorting pool and
re-reads the field-length column it has just written for every posting. Here a
segment's postings are kept in memory per field and term, already in document
order (documents are added in order), and each term's posting list is written
in one go: the same file layout, term-info records and block format as
`whoosh.codec.whoosh3.W3PostingsWriter`, with three differences a stock reader
does not notice:

- pickles holding bytes use protocol 3 (stock: 2, which stores bytes as a call
  to `_codecs.encode` on latin-1 text: 30-odd bytes of overhead per value, and
  already compressed bytes grow by about half);
- short posting lists (`INLINE_LIMIT` postings or fewer) are inlined in the term
  info, which the W3 format supports but the stock writer never does (its call
  to `set_inline` misses the method `set_inlined`);
- blocks are compressed with zlib level `COMPRESSION`;
- a full block (`PACKED_MIN` postings) pickles its doc-id deltas and weights as
  `array("I")` and `array("f")` (stock: tuples of ints and floats), which stock Whoosh
  reads as the sequences they are, and which `search.codec` reads straight out of the
  bytes without unpickling the block (its positions, the bulk of it, are never touched
  when only scores are needed).

It is also where a new segment is finished, cancelled, and committed with
others in one TOC write (`finish_segment`, `cancel_segment`, `commit_segments`):
this module is the write side's one seam to Whoosh's private internals
(tests/test_architecture.py checks that no other module of `index/` touches
them). `require_whoosh` refuses another Whoosh release at import, and
tests/test_writer_internals.py checks that an index written this way reads the
same as one written by stock Whoosh, so an upgrade that breaks it fails loudly.
"""

from __future__ import annotations

import pickle
import struct
import zlib
from array import array
from functools import lru_cache
from typing import Any

from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3TermInfo
from whoosh.system import pack_ushort
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import SegmentWriter

from search.whoosh_version import require_whoosh

require_whoosh()

BLOCK_LIMIT = 128  # postings per block, as stock
INLINE_LIMIT = 4  # posting lists this short live in the term info
PACKED_MIN = BLOCK_LIMIT  # full blocks hold packed arrays (a short one's pickle grows)
COMPRESSION = 3  # zlib level for posting blocks
STORED_COMPRESSION = 0  # zlib level for the stored-fields column: records are compressed
PROTOCOL = 3  # native bytes (unlike 2), no framing overhead (unlike 4 and 5)

_dumps = pickle.dumps
_INFO = W3TermInfo._struct
_LENGTHS = struct.Struct("!ii")  # whoosh.filedb.filetables: key and value lengths
_compress = zlib.compress

# A posting as kept in memory: (docnum, weight, encoded value, quantized field length).
Posting = tuple[int, float, bytes, int]


def quantized_length(length: int) -> int:
    """The field length stock Whoosh hands the postings writer (read back from the column)."""
    code = length_to_byte(length)
    return byte_to_length(code) if code else 0


def write_field(fieldwriter: Any, fieldname: str, fieldobj: Any, terms: dict[Any, list]) -> None:
    """Write one field's terms (text -> postings in document order) to a W3FieldWriter.

    Call it for the fields in name order. The term records go straight to the
    terms file as `OrderedHashWriter.add` would write them, one write each.
    """
    fmap = fieldwriter._fieldmap
    fieldid = fmap.setdefault(fieldname, len(fmap))
    prefix = pack_ushort(fieldid)
    postfile = fieldwriter._postfile
    fixedsize = fieldobj.format.fixed_value_size()
    tindex = fieldwriter._tindex  # whoosh.filedb.filetables.OrderedHashWriter
    raw = tindex.dbfile.file
    pos = raw.tell()
    write = raw.write
    index_append = tindex.index.append
    buckets = tindex.buckets
    hashfn = tindex.hashfn
    key = tindex.lastkey
    for term in sorted(terms):  # str keys: code point order is UTF-8 byte order
        btext = term.encode("utf-8") if isinstance(term, str) else term
        if key >= prefix + btext:
            raise ValueError(f"terms out of order: {key!r} .. {prefix + btext!r}")
        key = prefix + btext
        postings = terms[term]
        if len(postings) == 1:
            value = _single_info(*postings[0])
        else:
            value = _info_bytes(_term_info(postfile, postings, fixedsize))
        record = _LENGTHS.pack(len(key), len(value)) + key + value
        index_append(pos)
        write(record)
        hashed = hashfn(key)
        buckets[hashed & 255].append((hashed, pos))
        pos += len(record)
    tindex.lastkey = key


def _single_info(docnum: int, weight: float, vbytes: bytes, length: int) -> bytes:
    """The term info of a term with one posting, inlined (see `_info_bytes`)."""
    lbyte = _length_byte(length)
    head = _INFO.pack(True, weight, 1, lbyte, lbyte, weight, docnum, docnum)
    return head + _dumps(((docnum,), (weight,), (vbytes,)), PROTOCOL)


@lru_cache(maxsize=4096)
def _length_byte(length: int) -> int:
    return length_to_byte(length) if length else 0


def _info_bytes(info: W3TermInfo) -> bytes:
    """W3TermInfo.to_bytes, with inlined postings pickled with protocol 3."""
    if not info.is_inlined():
        return info.to_bytes()
    head = W3TermInfo._struct.pack(
        True,
        info._weight,
        info._df,
        0 if info._minlength is None else length_to_byte(info._minlength),
        length_to_byte(info._maxlength),
        info._maxweight,
        info._minid,
        info._maxid,
    )
    return head + _dumps(info._inlined, PROTOCOL)


def _term_info(postfile: Any, postings: list[Posting], fixedsize: int | None) -> W3TermInfo:
    info = W3TermInfo()
    if len(postings) == 1:  # most terms of a segment
        docnum, weight, vbytes, length = postings[0]
        info._weight = float(weight)
        info._df = 1
        info._minlength = length or None
        info._maxlength = length
        info._maxweight = weight
        info._minid = info._maxid = docnum
        info._inlined = ((docnum,), (weight,), (vbytes,))
        return info
    ids, weights, values, qlengths = zip(*postings, strict=True)  # a column each, in C
    lengths = [n for n in qlengths if n]
    info._weight = float(sum(weights))
    info._df = len(ids)
    info._minlength = min(lengths) if lengths else None
    info._maxlength = max(lengths) if lengths else 0
    info._maxweight = max(weights)
    info._minid = ids[0]
    info._maxid = ids[-1]
    if len(ids) <= INLINE_LIMIT:
        # Every inlined posting carries a value (b"" when the format has none),
        # so ListMatcher.all_items() pairs ids with values.
        info._inlined = (ids, weights, values)
        return info
    start = postfile.tell()
    postfile.write(WHOOSH3_HEADER_MAGIC)
    count = len(ids)
    for begin in range(0, count, BLOCK_LIMIT):
        end = min(begin + BLOCK_LIMIT, count)
        block = slice(begin, end)
        columns = ids[block], weights[block], values[block], qlengths[block]
        _write_block(postfile, *columns, fixedsize, last=end == count)
    info._offset = start
    info._length = postfile.tell() - start
    return info


def _write_block(
    postfile: Any,
    ids: tuple[int, ...],
    weights: tuple[float, ...],
    values: tuple[bytes, ...],
    qlengths: tuple[int, ...],
    fixedsize: int | None,
    last: bool,
) -> None:
    """One block of a posting list, its columns (docnums, weights, values, lengths) apart."""
    deltas = [ids[0]] + [b - a for a, b in zip(ids, ids[1:], strict=False)]
    first = weights[0]
    packed = len(ids) >= PACKED_MIN
    if all(w == first for w in weights):
        mini_weights: Any = None if first == 1.0 else first
    else:
        mini_weights = array("f", weights) if packed else weights
    values = tuple(v for v in values if v)
    if fixedsize is None or fixedsize < 0:
        mini_values: Any = values
    elif fixedsize == 0:
        mini_values = None
    else:
        mini_values = b"".join(values)
    ids_part = array("I", deltas) if packed else tuple(deltas)
    data = _dumps((ids_part, mini_weights, mini_values), PROTOCOL)
    comp = COMPRESSION if len(data) >= 64 else 0
    if comp:
        data = _compress(data, comp)
    lengths = [n for n in qlengths if n]
    info = _dumps(
        (
            len(ids),
            ids[-1],
            max(weights),
            comp,
            length_to_byte(min(lengths) if lengths else None),
            length_to_byte(max(lengths) if lengths else 0),
        ),
        PROTOCOL,
    )
    size = len(info) + len(data)
    postfile.write_int(-size if last else size)
    postfile.write(info)
    postfile.write(data)


class StoredWriter:
    """Adds a document's stored fields to the W3 `_stored` column, pickled with protocol 5."""

    def __init__(self, perdocwriter: Any):
        column = perdocwriter._colwriters["_stored"]  # PickleColumn.Writer
        self._child = column._child  # CompressedBytesColumn.Writer
        self._child._level = STORED_COMPRESSION

    def add(self, docnum: int, stored: dict[str, Any]) -> None:
        if stored:
            self._child.add(docnum, _dumps(stored, PROTOCOL))


# ---- segments: opened, finished, cancelled, committed ----


def open_segment_writer(index_dir: str) -> SegmentWriter:
    """A writer for one new segment that takes no lock (the ingest's main process holds it)."""
    return SegmentWriter(whoosh_index.open_dir(index_dir), _lk=False, compound=True)


def finish_segment(
    writer: SegmentWriter, docnum: int, postings: dict[str, dict[Any, list]]
) -> Any | None:
    """Write the segment's files (`postings`: field -> term -> postings in docnum order);
    the Whoosh segment, or None if it holds no document. Empties `postings`."""
    writer.docnum = docnum  # the segment's document count
    writer.perdocwriter.close()
    fieldwriter = writer.fieldwriter
    for name in sorted(postings):
        write_field(fieldwriter, name, writer.schema[name], postings[name])
    postings.clear()
    fieldwriter.close()
    writer.pool.cleanup()
    if not docnum:
        writer.is_closed = True
        return None
    writer._assemble_segment()
    writer.is_closed = True  # the shared temp folder is left to the committing writer
    return writer.get_segment()


def cancel_segment(writer: SegmentWriter) -> None:
    """Abandon a segment being built (its files are removed at the next commit)."""
    if not writer.is_closed:
        writer._close_segment()
        writer.is_closed = True


def commit_segments(writer: SegmentWriter, segments: list[Any]) -> None:
    """Commit `segments` (the index's own, kept or merged, plus new ones) in one TOC write,
    with whatever `writer` added or deleted itself; the writer is cancelled on failure."""
    try:
        if writer._added:
            segments = segments + [writer._finalize_segment()]
        else:
            writer._close_segment()
        writer._commit_toc(segments)
    except BaseException:
        writer.cancel()
        raise
    writer._finish()


def segment_ids(ix: Any) -> set[str]:
    """The ids of the segments in the index's latest committed generation (its TOC)."""
    return {segment.segment_id() for segment in ix._read_toc().segments}
