"""The bulk segment writer (index/segments.py, index/codec.py) against stock Whoosh.

The bulk writer relies on private internals of whoosh-reloaded 2.7.5: an index
it writes must read exactly like one written by stock `add_document`, through
stock Whoosh (postings, term statistics, field lengths, stored fields, columns,
queries) and through search/postings.py's block decoder.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage
from whoosh.qparser import QueryParser
from whoosh.writing import SegmentWriter

from index import codec, segments
from index.documents import article_fields
from index.records import article_from_dict, clean_text
from index.segments import SegmentBuilder
from index.storage import open_or_create_index
from index.writer import ingest
from search import blocks
from search import codec as search_codec
from search.codec import decode_info
from search.schema import ArticleSchema

ROOT = Path(__file__).resolve().parents[1]

SAMPLE = [
    {"id": "a1", "title": "Minsk and the CSTO", "date": "2017-06-19T12:17:00",
     "body": "Lukashenka said Minsk will host the CSTO summit. Minsk, Minsk, Minsk.",
     "tags": ["politics", "Belarus"], "entities": {"person": ["Lukashenka"],
     "organization": ["CSTO"], "place": ["Minsk", "Belarus"]}, "url": "https://x.org/1"},
    {"id": "a2", "title": "Cocoa",
     "body": "Cocoa cocoa prices rose in Bahia, Brazil, traders in London said.",
     "teaser": True, "category": "Markets", "source": "test", "language": "en"},
    {"id": "a3", "title": "Ūnicode Łukašenka naïve café", "date": "1999-01-01T00:00:00",
     "body": "Word " * 300 + "end", "tags": ["x"]},
    {"id": "a4", "title": "x", "body": ""},
]  # fmt: skip


def _documents(records):
    return [article_fields(article_from_dict(r)) for r in records]


def _stock_index(folder, docs):
    folder.mkdir(parents=True)
    ix = whoosh_index.create_in(str(folder), ArticleSchema())
    writer = SegmentWriter(ix)
    for doc in docs:
        writer.add_document(**doc)
    writer.commit()
    return ix


def _bulk_index(folder, docs):
    ix = open_or_create_index(folder)
    builder = SegmentBuilder(str(folder))
    for doc in docs:
        builder.add(doc)
    segment = builder.finish()
    writer = SegmentWriter(ix)
    writer._close_segment()
    writer._commit_toc([segment])
    writer._finish()
    return whoosh_index.open_dir(str(folder))


def _snapshot(ix):
    """Everything a reader can see, through stock Whoosh and search/postings.py."""
    out = {}
    with ix.reader() as reader:
        out["count"] = reader.doc_count_all()
        terms = {}
        for fieldname, btext in reader.all_terms():
            info = reader.term_info(fieldname, btext)
            fmt = reader.schema[fieldname].format
            matcher = reader.postings(fieldname, btext)
            postings = []
            while matcher.is_active():
                value = matcher.value()
                decoded = fmt.decode_positions(value) if fmt.supports("positions") else None
                postings.append((matcher.id(), matcher.weight(), decoded))
                matcher.next()
            ids, weights = decode_info(reader, reader._terms.term_info(fieldname, btext))
            assert [p[0] for p in postings] == ids.tolist()
            assert [p[1] for p in postings] == pytest.approx(weights.tolist())
            terms[(fieldname, btext)] = (
                info.doc_frequency(),
                info.weight(),
                info.min_length(),
                info.max_length(),
                info.max_weight(),
                postings,
            )
        out["terms"] = terms
        names = reader.schema.scorable_names()
        out["lengths"] = [
            [reader.doc_field_length(d, name) for name in names] for d in range(out["count"])
        ]
        out["field_length"] = {name: reader.field_length(name) for name in names}
        out["stored"] = [reader.stored_fields(d) for d in range(out["count"])]
        out["dates"] = list(reader.column_reader("date", translate=False))
    return out


@pytest.fixture
def as_given(monkeypatch):
    """Index every value as given (no day-precision date terms), as stock Whoosh does."""
    monkeypatch.setattr(segments, "INDEXED_AS", {})


def test_bulk_segment_reads_like_stock_whoosh(tmp_path, as_given):
    compare_bulk_with_stock(tmp_path, _documents(SAMPLE))


def test_bulk_segment_reads_like_stock_whoosh_on_reuters(tmp_path, as_given, corpus_rows):
    """Long posting lists: several blocks per term."""
    compare_bulk_with_stock(tmp_path, _documents(SAMPLE + corpus_rows("reuters21578", 400)))


def _decode_unpickling(reader, keys, monkeypatch) -> tuple[dict, list]:
    """Each term's decoded postings (checked against stock Whoosh's before the decoder is
    watched), and what search.codec unpickled while decoding them all again."""
    expected = {key: decode_info(reader, reader._terms.term_info(*key)) for key in keys}
    for key, (ids, _) in expected.items():
        matcher = reader.postings(*key)
        assert ids.tolist() == list(matcher.all_ids()), key
    unpickled = []
    real_loads = search_codec.pickle.loads

    def loads(data, *args, **kwargs):
        value = real_loads(data, *args, **kwargs)
        unpickled.append(value)
        return value

    monkeypatch.setattr(search_codec.pickle, "loads", loads)
    for key, (ids, weights) in expected.items():
        got_ids, got_weights = decode_info(reader, reader._terms.term_info(*key))
        assert got_ids.tolist() == ids.tolist() and got_weights.tolist() == weights.tolist()
    return expected, unpickled


def _whole(unpickled: list) -> int:
    """How many of the unpickled values were whole blocks (ids, weights, positions)."""
    return sum(1 for v in unpickled if len(v) == 3 and not isinstance(v[0], int))


def test_full_blocks_are_read_without_unpickling(tmp_path, as_given, corpus_rows, monkeypatch):
    """Full blocks as index.codec writes them are read straight from their bytes
    (search.codec): the same postings stock Whoosh reads (compare_bulk_with_stock), their
    positions untouched. A list's last, partial block has its ids read from the bytes too
    when each delta after the first is one byte, else only its ids unpickled, unless it
    holds three postings or fewer (a tuple that short is unpickled whole)."""
    docs = _documents(SAMPLE + corpus_rows("reuters21578", 400))
    ix = _bulk_index(tmp_path / "bulk", docs)
    with ix.reader() as reader:
        keys = [k for k in reader.all_terms() if reader.doc_frequency(*k) > codec.INLINE_LIMIT]
        expected, unpickled = _decode_unpickling(reader, keys, monkeypatch)
    lasts = [len(ids) % codec.BLOCK_LIMIT for ids, _ in expected.values()]
    full = sum(len(ids) // codec.BLOCK_LIMIT for ids, _ in expected.values())
    partial = sum(1 for n in lasts if n >= 4)
    assert full > 20 and partial > 100
    assert _whole(unpickled) == sum(1 for n in lasts if 0 < n <= 3)
    ids_only = len(unpickled) - _whole(unpickled)
    assert 0 < ids_only < partial / 2, (ids_only, partial)  # most read from the bytes


def test_stock_blocks_are_read_without_their_positions(
    tmp_path, as_given, corpus_rows, monkeypatch
):
    """Blocks stock Whoosh wrote (pickle protocol 2, tuples, each position list a call to
    `_codecs.encode`) are read as index.codec's short blocks are: ids unpickled, weights
    read from the bytes, positions never unpickled."""
    ix = _stock_index(tmp_path / "stock", _documents(SAMPLE + corpus_rows("reuters21578", 400)))
    with ix.reader() as reader:
        keys = [k for k in reader.all_terms() if reader.doc_frequency(*k) > 1]
        expected, unpickled = _decode_unpickling(reader, keys, monkeypatch)
    blocks = [
        min(codec.BLOCK_LIMIT, len(ids) - start)
        for ids, _ in expected.values()
        for start in range(0, len(ids), codec.BLOCK_LIMIT)
    ]
    assert sum(1 for n in blocks if n > 3) > 1000
    assert _whole(unpickled) == sum(1 for n in blocks if n <= 3)


def compare_bulk_with_stock(tmp_path, docs) -> None:
    stock = _snapshot(_stock_index(tmp_path / "stock", docs))
    bulk = _snapshot(_bulk_index(tmp_path / "bulk", docs))
    assert bulk["count"] == stock["count"] == len(docs)
    assert bulk["terms"].keys() == stock["terms"].keys()
    for key, value in stock["terms"].items():
        assert bulk["terms"][key] == value, key
    for name in ("lengths", "field_length", "stored", "dates"):
        assert bulk[name] == stock[name], name


def test_queries_match_stock(tmp_path, as_given):
    docs = _documents(SAMPLE)
    ixs = [_stock_index(tmp_path / "stock", docs), _bulk_index(tmp_path / "bulk", docs)]
    queries = ['"minsk will host"', "cocoa", "minsk", 'title:"naive cafe"', "place:belarus",
               "tag:politics", "id:a3", "word AND end", '"word end"']  # fmt: skip
    for text in queries:
        hits = []
        for ix in ixs:
            with ix.searcher() as searcher:
                query = QueryParser("body", ix.schema).parse(text)
                results = searcher.search(query, limit=None)
                hits.append([(h["id"], round(h.score, 6)) for h in results])
        assert hits[0] == hits[1], text
        assert hits[0], text


def test_blocks_and_inlining_boundaries(tmp_path, monkeypatch, as_given):
    monkeypatch.setattr(codec, "BLOCK_LIMIT", 3)
    records = [{"id": f"d{i}", "title": "same title", "body": "alpha " * (i % 4 + 1)}
               for i in range(10)]  # fmt: skip
    docs = _documents(records)
    stock = _snapshot(_stock_index(tmp_path / "stock", docs))
    bulk = _snapshot(_bulk_index(tmp_path / "bulk", docs))
    assert bulk == stock


def test_day_precision_date_terms_answer_whole_day_ranges(tmp_path):
    records = [
        {"id": f"d{i}", "title": "t", "date": f"2017-06-{10 + i % 5:02d}T{i % 24:02d}:{i:02d}:07"}
        for i in range(40)
    ] + [{"id": "undated", "title": "t"}]
    docs = _documents(records)
    ixs = [_stock_index(tmp_path / "stock", docs), _bulk_index(tmp_path / "bulk", docs)]
    queries = ["date:[20170611 TO 20170612]", "date:[20170612 TO]", "date:[TO 20170610]",
               "date:201706", "date:2017", "date:[20170614 TO 20170620]"]  # fmt: skip
    for text in queries:
        found = []
        for ix in ixs:
            with ix.searcher() as searcher:
                query = QueryParser("body", ix.schema).parse(text)
                found.append(sorted(h["id"] for h in searcher.search(query, limit=None)))
        assert found[0] == found[1] and found[0], text
    with ixs[1].reader() as reader:  # the column keeps full precision for sorting
        assert list(reader.column_reader("date", translate=False))[:41] == list(
            ixs[0].reader().column_reader("date", translate=False)
        )
        assert len(list(reader.lexicon("date"))) < len(list(ixs[0].reader().lexicon("date")))


def test_clean_text_matches_the_definition():
    import unicodedata

    def reference(value):
        kept = "".join(c for c in value if c in "\n\t" or unicodedata.category(c) != "Cc")
        return unicodedata.normalize("NFC", kept).strip()

    samples = ["plain", " a\x00b\x1fc\x7fd\x85e\x9f ", "e\u0301", "\t\nx\r\n", "\u2028z\u00a0",
               "".join(chr(i) for i in range(0x2a0)), "\ufeffbom", "😀\x0b\x0c"]  # fmt: skip
    for sample in samples:
        assert clean_text(sample) == reference(sample)


@pytest.mark.slow
def test_killed_ingest_leaves_a_readable_index_and_a_rerun_completes(
    tmp_path, corpora, corpus_rows
):
    """SIGKILL at several moments: the index opens at a committed generation, a rerun finishes."""
    records = corpus_rows("reuters21578", 3000)
    reuters = corpora / "reuters21578.jsonl.gz"
    index_dir = tmp_path / "ix"
    script = textwrap.dedent(
        f"""
        import sys
        from itertools import islice
        sys.path.insert(0, {str(ROOT)!r})
        from index.readers import read_path
        from index.writer import ingest
        items = islice(read_path({str(reuters)!r}), 3000)
        ingest({str(index_dir)!r}, items, extract=False, batch_size=700, workers=2)
        """
    )
    for delay in (0.8, 1.7, 2.9):
        proc = subprocess.Popen([sys.executable, "-c", script])
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        time.sleep(0.3)  # orphaned workers see EOF and exit
        if whoosh_index.exists_in(str(index_dir)):
            ix = whoosh_index.open_dir(str(index_dir))
            with ix.searcher() as searcher:
                assert searcher.doc_count() % 700 == 0 or searcher.doc_count() == 3000
    from index.readers import Parsed

    items = [Parsed(f"r:{i}", article_from_dict(r)) for i, r in enumerate(records)]
    report = ingest(index_dir, items, extract=False, workers=2)
    assert not report.failed
    again = ingest(index_dir, items, extract=False, workers=2)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 3000)
    ix = whoosh_index.open_dir(str(index_dir))
    with ix.searcher() as searcher:
        assert searcher.doc_count() == 3000
        assert sorted(searcher.lexicon("id")) == sorted(r["id"].encode() for r in records)
    leftovers = [p.name for p in index_dir.iterdir() if p.suffix == ".seg"]
    assert len(leftovers) == len(ix._segments())  # orphan segment files were removed


def test_record_and_hash_as_the_rest_of_the_project_reads_them():
    from index.documents import input_hash
    from index.writer import prepare_many, settings_fingerprint
    from search.schema import unpack_record

    article = article_from_dict(SAMPLE[0])
    plain, extracting = settings_fingerprint(False), settings_fingerprint(True)
    assert plain != extracting
    (fields,) = prepare_many([("", article, None, False, plain)])
    assert article.language is None  # so the record holds the detected one
    assert unpack_record(fields["record"]) == {**article.to_dict(), "language": "en"}
    assert fields["content_hash"] == input_hash(article, plain)
    (enriched,) = prepare_many([("", article, None, True, extracting)])
    assert enriched["content_hash"] == input_hash(article, extracting)  # taken before extraction
    assert unpack_record(enriched["record"])["entities"]["place"]  # extraction still applied


def test_a_chunk_is_prepared_together_and_a_bad_article_fails_alone(monkeypatch):
    """Workers extract a chunk's entities in one go; an article whose extraction raises
    becomes its own Problem and the rest of the chunk is prepared as one at a time."""
    from index.entities.tagger import Tagger
    from index.readers import Problem
    from index.writer import prepare_many, settings_fingerprint

    settings = settings_fingerprint(True)
    articles = [article_from_dict(r) for r in SAMPLE]
    payloads = [(f"sample:{i}", a, None, True, settings) for i, a in enumerate(articles)]
    alone = [prepare_many([payload])[0] for payload in payloads]
    # extraction found names in the article that gives none ("Bahia", "Brazil", "London")
    assert "entities" not in SAMPLE[1] and any(unpack(alone[1])["entities"].values())
    assert prepare_many(payloads) == alone

    bad = article_from_dict({**SAMPLE[0], "id": "bad", "body": "BOOM in Minsk."})
    real = Tagger.readings

    def failing(self, texts):
        if any("BOOM" in text for text in texts):
            raise RuntimeError("tagger exploded")
        return real(self, texts)

    monkeypatch.setattr(Tagger, "readings", failing)
    out = prepare_many([payloads[0], ("bad.jsonl:7", bad, None, True, settings), *payloads[1:]])
    assert isinstance(out[1], Problem) and out[1].where == "bad.jsonl:7"
    assert "tagger exploded" in out[1].reason
    assert [out[0], *out[2:]] == alone


def unpack(fields: dict) -> dict:
    from search.schema import unpack_record

    return unpack_record(fields["record"])


def _parsed(records):
    from index.readers import Parsed

    return [Parsed(f"test:{i}", article_from_dict(r)) for i, r in enumerate(records)]


def test_worker_batches_retract_superseded_documents(tmp_path):
    """Large enough for worker processes: same-batch updates and teasers resolve as in-process."""
    from search.export import iter_records
    from search.storage import open_index

    records = [{"id": f"n{i}", "title": f"Story {i}", "body": f"text {i}"} for i in range(260)]
    records += [{"id": "n5", "title": "Story 5", "body": "newer text"}]  # same id, later wins
    records += [{"id": "t1", "title": "Pair", "date": "2018-01-02T03:04", "body": "Teaser.",
                 "teaser": True},
                {"id": "f1", "title": "Pair", "date": "2018-01-02T03:04:30", "body": "Full."},
                {"id": "t2", "title": "Pair", "date": "2018-01-02T03:04", "body": "Late teaser.",
                 "teaser": True}]  # fmt: skip
    report = ingest(tmp_path, _parsed(records), extract=False, workers=2, batch_size=1000)
    assert (report.added, report.updated, report.teasers_skipped) == (262, 1, 1)
    stored = {r["id"]: r for r in iter_records(open_index(tmp_path))}
    assert len(stored) == 261 and "t1" not in stored and "t2" not in stored
    assert stored["n5"]["body"] == "newer text" and stored["f1"]["body"] == "Full."
    with open_index(tmp_path).searcher() as searcher:
        assert searcher.doc_count() == 261
        assert len(list(searcher.document_numbers(id="n5"))) == 1
    again = ingest(tmp_path, _parsed(records), extract=False, workers=2)
    assert again.added == 0 and again.unchanged == 260  # n5 appears in two versions
    assert {r["id"]: r for r in iter_records(open_index(tmp_path))} == stored


def test_many_small_ingests_keep_the_segment_count_bounded(tmp_path):
    from index.batch import MAX_SEGMENTS

    for i in range(14):
        ingest(tmp_path, _parsed([{"id": f"s{i}", "title": f"Small {i}"}]), extract=False)
    ix = whoosh_index.open_dir(str(tmp_path))
    assert len(ix._segments()) <= MAX_SEGMENTS
    with ix.searcher() as searcher:
        assert searcher.doc_count() == 14


def test_changing_the_aliases_changes_every_content_hash(tmp_path, monkeypatch):
    from index.writer import settings_fingerprint
    from search.settings import ALIASES

    aliases = tmp_path / "aliases.toml"
    aliases.write_text("", encoding="utf-8")
    monkeypatch.setenv(ALIASES.env, str(aliases))
    before = settings_fingerprint(True)
    aliases.write_text('[person]\n"Alexander Lukashenko" = ["Lukashenka"]\n', encoding="utf-8")
    assert settings_fingerprint(True) != before
    assert settings_fingerprint(False) == settings_fingerprint(False)


def test_the_same_model_in_another_folder_keeps_every_content_hash(tmp_path, monkeypatch):
    """A reinstall elsewhere must not make the next ingest rewrite every article."""
    import shutil

    from index.entities.tagger import MODEL_PATH
    from index.writer import settings_fingerprint
    from search.settings import ENTITY_MODEL

    before = settings_fingerprint(True)
    copy = tmp_path / "elsewhere" / "renamed.crfsuite"
    copy.parent.mkdir()
    shutil.copyfile(MODEL_PATH, copy)
    monkeypatch.setenv(ENTITY_MODEL.env, str(copy))
    assert settings_fingerprint(True) == before
    with open(copy, "ab") as handle:
        handle.write(b"\0")  # another model: every hash changes
    assert settings_fingerprint(True) != before


def test_a_batch_larger_than_limitmb_is_split_and_merged(tmp_path, monkeypatch):
    from index.batch import MAX_SEGMENTS

    monkeypatch.setattr(segments, "BYTES_PER_POSTING", 1500)  # ~700 postings a segment
    from search.export import iter_records
    from search.storage import open_index

    records = [{"id": f"m{i}", "title": f"Story {i}", "body": "word " * 400 + str(i)}
               for i in range(600)]  # fmt: skip
    records.append({"id": "m7", "title": "Story 7", "body": "replaced"})
    report = ingest(tmp_path / "split", _parsed(records), extract=False, workers=2, limitmb=1)
    assert (report.added, report.updated) == (600, 1)
    ingest(tmp_path / "whole", _parsed(records), extract=False, workers=1)
    split = {r["id"]: r for r in iter_records(open_index(tmp_path / "split"))}
    assert split == {r["id"]: r for r in iter_records(open_index(tmp_path / "whole"))}
    assert split["m7"]["body"] == "replaced"
    ix = whoosh_index.open_dir(str(tmp_path / "split"))
    assert len(ix._segments()) <= MAX_SEGMENTS + 1  # about 20 were written, then merged
    with ix.searcher() as searcher:
        assert searcher.doc_count() == 600


@pytest.mark.parametrize("writer", ["bulk", "stock"])
@pytest.mark.parametrize("mapped", [True, False])
def test_lexicon_finds_what_term_info_finds(tmp_path, as_given, corpus_rows, writer, mapped):
    """search.codec.Lexicon probes the terms file in place (a segment mapped in memory, as
    Archive opens it) or asks stock Whoosh (a file read through calls): either way the
    postings and document frequencies of every term, and of absent terms and fields, are
    what `term_info` gives."""
    docs = _documents(SAMPLE + corpus_rows("reuters21578", 100))
    make = _bulk_index if writer == "bulk" else _stock_index
    make(tmp_path / writer, docs)
    ix = FileStorage(str(tmp_path / writer), supports_mmap=mapped).open_index()
    with ix.reader() as reader:
        (leaf, _), *_ = reader.leaf_readers()
        lexicon = search_codec.Lexicon(leaf)
        assert lexicon._stock is not mapped
        keys = list(reader.all_terms())
        absent = [("body", b"zzyzx"), ("title", b"lukashenkaa"), ("other_script", b"minsk")]
        assert len(keys) > 3000
        for fieldname, btext in keys + absent:
            if (fieldname, btext) in absent:
                expected = (blocks.EMPTY_IDS, blocks.EMPTY_WEIGHTS)
            else:
                expected = decode_info(leaf, leaf._terms.term_info(fieldname, btext))
            found = blocks.PostingBlocks()  # terms may be binary (numeric fields): bytes in
            lexicon.add_postings(found, fieldname, btext, 0)
            ids, weights = found.arrays()
            assert ids.tolist() == expected[0].tolist() and ids.dtype == expected[0].dtype
            assert weights.tolist() == expected[1].tolist()
            assert lexicon.doc_frequency(fieldname, btext) == len(expected[0])
            assert len(ids) == reader.doc_frequency(fieldname, btext)
