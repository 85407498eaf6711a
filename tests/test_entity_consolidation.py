"""Entities on web pages: markup and page furniture, and archive-level consolidation."""

from __future__ import annotations

import json

from index.consolidation import consolidate_index
from index.entities import enrich, extract_entities, merge_entities
from index.entities.consolidate import Consolidation, join_article
from index.entities.furniture import clean_mentions
from index.entities.tagger import Mention
from index.readers import read_path
from index.records import article_from_dict
from index.writer import ingest
from search.export import iter_records
from search.storage import open_index
from web.cli import main


def _values(entities: dict[str, list[str]]) -> list[str]:
    return [v for values in entities.values() for v in values]


def test_markup_is_stripped_before_extraction():
    entities = extract_entities(
        "<img src=x onerror=alert(1)>Minsk payload",
        "Talks were held in <b>Minsk</b> on Friday, &quot;officials&quot; said.",
    )
    assert "Minsk" in entities["place"]
    assert not any(c in v for v in _values(entities) for c in "<>=&")


def test_web_furniture_titles_and_sentence_adverbs():
    entities = extract_entities(
        "",
        "Additionally, the mayor posted a video on Twitter and YouTube. "
        "US President Trump met Senate Minority Leader Chuck Schumer at 1400 UTC. "
        "Reportedly, Schumer said God would decide. The Washington Post reported it.",
    )
    values = _values(entities)
    for junk in ("Additionally", "Reportedly", "UTC", "God", "US President Trump"):
        assert junk not in values, junk
    assert {"YouTube", "Washington Post"} <= set(entities["organization"])
    assert "Twitter" not in entities["person"] + entities["place"]
    assert {"Trump", "Chuck Schumer"} <= set(entities["person"])
    text = "Twitter said so. Additionally, it grew."
    tagged = [Mention("person", "Twitter", 0, 7), Mention("place", "Additionally", 17, 29)]
    assert clean_mentions(tagged, text) == [Mention("organization", "Twitter", 0, 7)]
    # the seed page: "Albeit the CSTO members often talk about ...", a conjunction
    text = "Minsk agreed. Albeit the CSTO members talk, Whereas stays a name mid-sentence."
    tagged = [Mention("organization", "Albeit", 14, 20), Mention("person", "Whereas", 44, 51)]
    assert clean_mentions(tagged, text) == [tagged[1]]
    text = "It rained. Whereas Pierce stayed home."  # a connective run into the name after it
    found = clean_mentions([Mention("person", "Whereas Pierce", 11, 25)], text)
    assert found == [Mention("person", "Pierce", 19, 25)]


def test_laws_treaties_awards_and_diseases_are_no_entities():
    # CoNLL's MISC: the tagger sometimes calls them organisations (web cross-validation)
    text = (
        "The Paris Climate Accord, the National Emergencies Act and the Davis Cup came up. "
        "UCLA School of Law and the Epic Games studio stayed."
    )
    names = ("Paris Climate Accord", "National Emergencies Act", "Davis Cup", "UCLA School of Law")
    tagged = [Mention("organization", n, text.index(n), text.index(n) + len(n)) for n in names]
    assert clean_mentions(tagged, text) == [tagged[3]]  # a head after "of" names a body
    entities = extract_entities("", text)
    assert "National Emergencies Act" not in _values(entities)
    assert "UCLA School of Law" in entities["organization"]


def test_a_place_named_after_its_kind_is_a_place():
    """ "County Cork", "Mount Everest": the first word says it, whatever the tagger did; a
    body's head still wins ("Lake County Council")."""
    text = "Rain hit County Cork and Mount Everest; the Lake County Council met."
    names = [("person", "County Cork"), ("organization", "Mount Everest")]
    names.append(("organization", "Lake County Council"))
    tagged = [Mention(k, n, text.index(n), text.index(n) + len(n)) for k, n in names]
    found = clean_mentions(tagged, text)
    assert [m.kind for m in found] == ["place", "place", "organization"]


def test_a_region_is_a_place_whatever_the_tagger_read():
    """The first archive's regions, in the spellings Belarusian and Russian sources give:
    the tagger read "Hrodna Region" as an organisation and "Homiel Voblast" as a person."""
    text = (
        "The Minsk Region police detained 40 people. Hrodna Region authorities closed the "
        "border. Residents of Homiel Voblast protested."
    )
    entities = extract_entities("", text)
    assert {"Minsk Region", "Hrodna Region", "Homiel Voblast"} <= set(entities["place"])
    assert not {"Hrodna Region", "Homiel Voblast"} & set(
        entities["person"] + entities["organization"]
    )


def test_a_storm_is_no_person():
    text = "Hurricane Dorian hit Abaco. Dorian weakened, the National Hurricane Center said."
    names = [("person", "Hurricane Dorian"), ("person", "Dorian")]
    names.append(("organization", "National Hurricane Center"))
    tagged = [Mention(k, n, text.index(n), text.index(n) + len(n)) for k, n in names]
    assert clean_mentions(tagged, text) == [tagged[2]]  # "Center" is a common word


def test_a_currency_sign_is_no_place():
    text = "Bail was 100,000 lari (about US$30,000); the US said A$5 was paid in Sydney."
    names = [("place", "US", text.index("US$")), ("place", "US", text.index("US said"))]
    names += [("place", "A", text.index("A$")), ("place", "Sydney", text.index("Sydney"))]
    tagged = [Mention(k, n, at, at + len(n)) for k, n, at in names]
    assert clean_mentions(tagged, text) == [tagged[1], tagged[3]]


def test_a_publication_cited_as_a_source_is_no_person():
    # the demo's three "Hill" articles: The Hill (a newspaper) was tagged a person
    entities = extract_entities(
        "",
        "Thereafter, Matt Drudge posted a report from The Hill about the tweet. "
        "Fiona Hill testified on Thursday in Washington. The court sits in The Hague.",
    )
    assert entities["person"] == ["Matt Drudge", "Fiona Hill"]
    assert entities["place"][0] == "Washington"  # "The Hague" or "Hague" (no leading "the")
    assert entities["place"][1] in ("The Hague", "Hague")
    # whichever kind the tagger gives the paper, a source it is cited as is dropped
    text = "Senator Hill told The Hill on Monday that Fiona Hill would vote no."
    senator, paper, fiona = (text.index(w) for w in ("Hill told", "Hill on", "Fiona Hill"))
    for kind in ("person", "organization"):
        tagged = [
            Mention("person", "Hill", senator, senator + 4),
            Mention(kind, "Hill", paper, paper + 4),
            Mention("person", "Fiona Hill", fiona, fiona + 10),
        ]
        assert clean_mentions(tagged, text) == [tagged[0], tagged[2]], kind
    # ... also a place whose "The" the tagger took in, beside a person of that surname
    tagged[1] = Mention("place", "The Hill", paper - 4, paper + 4)
    assert clean_mentions(tagged, text) == [tagged[0], tagged[2]]
    hague = "Fiona Hill flew to The Hague."
    at = hague.index("The Hague")
    place = Mention("place", "The Hague", at, at + 9)
    assert clean_mentions([Mention("person", "Fiona Hill", 0, 10), place], hague)[1] == place
    text = "Newsweek, Politico, The Hill and TMZ covered it."
    listed = clean_mentions([Mention("person", "Hill", 24, 28)], text)
    assert listed == [Mention("organization", "The Hill", 20, 28)]


def test_former_countries_are_places_and_forces_organisations():
    text = "Novichok was made in the Soviet Union; the Royal Saudi Air Force struck."
    union = text.index("Soviet Union")
    force = text.index("Royal Saudi Air Force")
    tagged = [
        Mention("organization", "Soviet Union", union, union + 12),  # "Union" ends it
        Mention("place", "Royal Saudi Air Force", force, force + 21),
    ]
    assert [m.kind for m in clean_mentions(tagged, text)] == ["place", "organization"]


def test_one_label_per_name_in_an_article():
    entities = extract_entities(
        "", "Polish President Andrzej Duda spoke on Monday. Later, Duda left for Warsaw."
    )
    assert {"Andrzej Duda", "Duda"} <= set(entities["person"])
    assert "Duda" not in entities["organization"] + entities["place"]


def test_joins_within_an_article():
    joined, _ = join_article(
        {
            "person": ["Bernie Sanders", "Bernie", "Sanders"],
            "organization": ["House of Representatives", "House", "Senate"],
            "place": ["Washington", "Washington, D.C."],
        }
    )
    assert joined == {
        "person": ["Bernie Sanders"],
        "organization": ["House of Representatives", "Senate"],
        "place": ["Washington, D.C."],
    }
    # "House" stays where the article does not name the House of Representatives
    assert join_article({"organization": ["House"]})[0]["organization"] == ["House"]


def test_ingest_joins_short_forms_but_leaves_acronyms_to_the_archive():
    article = article_from_dict(
        {
            "id": "x1",
            "title": "Trump visits Minsk",
            "body": "US President Donald Trump met officials of the Securities and Exchange "
            "Commission (SEC) in Minsk on Monday. Trump said the SEC had invited him. "
            "The House of Representatives was not told, the House said.",
        }
    )
    stored = enrich(article).entities
    extracted = extract_entities(article.title, article.body)
    assert {"Trump", "House"} <= set(extracted["person"] + extracted["organization"])
    # Stored once, joined as consolidation would join them...
    assert stored["person"] == ["Donald Trump"]
    assert "House" not in stored["organization"]
    # ...but the long form stays beside its acronym: the archive-level table counts the pair.
    assert {"Securities and Exchange Commission", "SEC"} <= set(stored["organization"])
    assert join_article(stored) == join_article(merge_entities({}, extracted))  # aliases applied


def test_archive_level_joins_need_one_such_person():
    articles = [
        {"person": ["Bernie Sanders", "Joe Biden"]},
        {"person": ["Bernie"], "organization": ["Twitter"]},
        {"person": ["Biden", "Twitter"]},
        {"person": ["Hunter Biden"], "organization": ["Twitter"]},
        {"organization": ["Twitter"]},
        {"person": ["Ivanka Trump"]},
        {"person": ["Donald Trump"]},
        {"person": ["Trump"]},
    ]
    table = Consolidation.build(articles)
    assert table.apply(articles[1]) == {
        "person": ["Bernie Sanders"],
        "organization": ["Twitter"],
        "place": [],
    }
    # two Bidens, two Trumps: the surname alone stays as written
    assert table.apply(articles[2])["person"] == ["Biden"]
    assert table.apply(articles[7])["person"] == ["Trump"]
    # a person in one article, an organisation in three: an organisation
    assert table.apply(articles[2])["organization"] == ["Twitter"]
    # a first name alone that starts several people's names names none of them;
    # a one-word name that starts one company's name is that company
    more = [
        {"person": ["John Major"]},
        {"person": ["John Smith"]},
        {"person": ["John Kerry"], "organization": ["Pittston Co"]},
        {"person": ["John", "Pittston"]},
    ]
    assert Consolidation.build(more).apply(more[3]) == {
        "person": [],
        "organization": ["Pittston Co"],
        "place": [],
    }
    # ... even where one full name ends with it ("Elton John"), if it starts five times as
    # many; a name that ends nearly as many as it starts may be a surname ("Ron Paul")
    names = ["John Major", "John Smith", "John Kerry", "John Lennon", "John Wayne", "Elton John"]
    names += ["Paul Simon", "Paul Newman", "Paul Allen", "Ron Paul", "Les Paul"]
    lone = {"person": ["John", "Paul"]}
    table_of_names = Consolidation.build([{"person": [n]} for n in names] + [lone])
    assert table_of_names.apply(lone)["person"] == ["Paul"]
    without_one = Consolidation.build(
        [{"person": [n]} for n in names if n != "John Wayne"] + [lone]
    )
    assert without_one.apply(lone)["person"] == ["John", "Paul"]  # 4 starts, 1 end: kept
    # ... unless the name stands alone in over twice as many articles as the company
    clintons = [{"person": ["Clinton"]}] * 3 + [{"organization": ["Clinton and Co."]}]
    assert Consolidation.build(clintons).apply(clintons[0])["person"] == ["Clinton"]
    assert Consolidation.build(clintons[2:]).apply(clintons[2])["organization"] == [
        "Clinton and Co."
    ]
    # a surname alone that ends three people's names, none of whom most articles name,
    # names nobody; one that one of them dominates is that person
    browns = ["Gordon Brown", "James Brown", "Ron Brown"] + ["Donald Trump"] * 20
    browns += ["Ivanka Trump", "Eric Trump"]
    alone = {"person": ["Brown", "Trump"]}
    surnames = Consolidation.build([{"person": [n]} for n in browns] + [alone])
    assert surnames.apply(alone)["person"] == ["Donald Trump"]
    two = Consolidation.build([{"person": [n]} for n in browns[1:]] + [alone])
    assert two.apply(alone)["person"] == ["Brown", "Donald Trump"]  # two Browns: kept
    for article in articles:  # idempotent: applying twice changes nothing more
        once = table.apply(article)
        assert Consolidation.build([table.apply(a) for a in articles]).apply(once) == once


def _write(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_ingest_consolidates_stored_values_and_reingest_changes_nothing(tmp_path):
    source = _write(
        tmp_path / "a.jsonl",
        [
            {
                "id": "a1",
                "title": "Sanders endorses Biden",
                "body": "Senator Bernie Sanders endorsed former Vice President Joe Biden on "
                "Monday in Burlington, Vermont.",
            },
            {
                "id": "a2",
                "title": "Primary results",
                "body": "Bernie came second in Nevada, the results showed on Sunday.",
            },
        ],
    )
    index = tmp_path / "ix"
    report = ingest(index, read_path(str(source)))
    assert report.added == 2 and report.ok
    records = {r["id"]: r for r in iter_records(open_index(index))}
    assert "Bernie Sanders" in records["a1"]["entities"]["person"]
    assert records["a2"]["entities"]["person"] == ["Bernie Sanders"]
    again = ingest(index, read_path(str(source)))
    assert (again.added, again.updated, again.unchanged) == (0, 0, 2)


def test_reindex_entities_consolidates_curated_values(tmp_path, capsys):
    source = _write(
        tmp_path / "c.jsonl",
        [
            {"id": "c1", "title": "One", "entities": {"person": ["Bernie Sanders"]}},
            {"id": "c2", "title": "Two", "entities": {"person": ["Sanders"]}},
        ],
    )
    index = str(tmp_path / "ix")
    assert main(["ingest", "--index", index, "--no-extract", str(source)]) == 0
    records = {r["id"]: r for r in iter_records(open_index(index))}
    assert records["c2"]["entities"]["person"] == ["Sanders"]  # curated: kept as given
    assert main(["reindex-entities", "--index", index]) == 0
    assert "1 of 2 articles rewritten" in capsys.readouterr().out
    records = {r["id"]: r for r in iter_records(open_index(index))}
    assert records["c2"]["entities"]["person"] == ["Bernie Sanders"]


def test_long_form_does_not_join_an_acronym_of_another_kind():
    # a Reuters table row "U.K  47." tagged an organisation once must not take every
    # "United Kingdom" of the archive with it
    table_row = {"person": [], "organization": ["U.K"], "place": ["United Kingdom"]}
    plain = {"person": [], "organization": [], "place": ["United Kingdom"]}
    joined, pairs = join_article(table_row)
    assert pairs == {} and joined["place"] == ["United Kingdom"]
    table = Consolidation.build([table_row] + [plain] * 3)
    assert table.apply(plain) == plain
    same_kind = {"person": [], "organization": ["CSTO", "Collective Security Treaty Organization"]}
    assert join_article(same_kind)[0]["organization"] == ["CSTO"]


def test_a_place_acronym_joins_the_place_name_not_the_reverse():
    """Readers look places up by name: "N.Y." beside "New York" becomes "New York" (a Reuters
    top-50 place facet once showed only "N.Y."), in the article and across the archive."""
    both = {"person": [], "organization": [], "place": ["N.Y.", "New York", "Buffalo"]}
    joined, pairs = join_article(both)
    assert joined["place"] == ["New York", "Buffalo"] and pairs == {"n.y.": "new york"}
    kept, _ = join_article(both, join_acronyms=False)  # ingest: the archive decides
    assert kept["place"] == ["N.Y.", "New York", "Buffalo"]
    alone = {"person": [], "organization": [], "place": ["Rochester", "N.Y."]}
    named = {"person": [], "organization": [], "place": ["New York"]}
    table = Consolidation.build([kept, alone, named])
    assert table.apply(alone)["place"] == ["Rochester", "New York"]
    assert table.apply(named)["place"] == ["New York"]
    # an acronym two place names spell out stays itself
    other = {"person": [], "organization": [], "place": ["N.Y.", "North Yorkshire"]}
    assert Consolidation.build([kept, other, alone]).apply(alone)["place"] == ["Rochester", "N.Y."]
    # a code joins its name only where the article spells it out: "WA" is also Washington
    perth = {"person": [], "organization": [], "place": ["WA", "Western Australia"]}
    seattle = {"person": [], "organization": [], "place": ["Seattle", "WA"]}
    assert join_article(perth)[0]["place"] == ["Western Australia"]
    assert Consolidation.build([perth, seattle]).apply(seattle) == seattle


def test_long_form_with_a_corporate_suffix_joins_its_acronym():
    both = {"person": [], "organization": ["IBM", "International Business Machines Corp"]}
    assert join_article(both)[0]["organization"] == ["IBM"]
    other = {"person": [], "organization": ["IBM", "Intel Business Corp"]}  # "IBC", not IBM
    assert join_article(other)[0]["organization"] == ["IBM", "Intel Business Corp"]
    misread = {"person": ["Agence France-Presse"], "organization": ["AFP"], "place": []}
    assert join_article(misread)[0] == {"person": [], "organization": ["AFP"], "place": []}


def test_a_person_named_alone_far_more_often_keeps_out_of_an_acronym_of_another_kind():
    """20 Newsgroups: posts signed "JC" (tagged an organisation) beside "Jesus Christ" must not
    take the person of hundreds of other posts into "JC"; a misread long form ("Agence
    France-Presse" as a person) named mostly beside its acronym still joins it."""
    signed = {"person": ["Jesus Christ"], "organization": ["JC"], "place": []}
    prayed = {"person": ["Jesus Christ"], "organization": [], "place": []}
    table = Consolidation.build([signed] * 2 + [prayed] * 6)
    assert table.apply(prayed) == prayed
    assert table.apply(signed)["organization"] == ["JC"]  # in the article: its acronym
    misread = {"person": ["Agence France-Presse"], "organization": ["AFP"], "place": []}
    alone = {"person": ["Agence France-Presse"], "organization": [], "place": []}
    table = Consolidation.build([misread] * 2 + [alone] * 5)
    assert table.apply(alone) == {"person": [], "organization": ["AFP"], "place": []}


def test_consolidation_rewrites_articles_across_segments_as_the_table_says(tmp_path, corpus_rows):
    """Reuters articles in three segments (one holding a replaced article): consolidation
    rewrites them in place of the originals (deleted by document number), each value as the
    table built from all stored values maps it, and leaves every other article alone."""
    rows = corpus_rows("reuters21578", 360)
    index = tmp_path / "ix"
    for start in range(0, 360, 120):
        part = _write(tmp_path / f"r{start}.jsonl", rows[start : start + 120])
        assert ingest(index, read_path(str(part)), consolidate=False).added == 120

    def to_rewrite() -> tuple[dict[str, dict], dict[str, dict], set[str]]:
        stored = {r["id"]: r for r in iter_records(open_index(index))}
        table = Consolidation.build(r["entities"] for r in stored.values())
        expected = {i: table.apply(r["entities"]) for i, r in stored.items()}
        changed = {i for i, r in stored.items() if expected[i] != _all_kinds(r["entities"])}
        return stored, expected, changed

    # replace (edit the title of) an article of the first segment that consolidation rewrites
    first = next(row for row in rows[:120] if row["id"] in to_rewrite()[2])
    edited = _write(tmp_path / "edit.jsonl", [{**first, "title": "Bahia cocoa review"}])
    assert ingest(index, read_path(str(edited)), consolidate=False).updated == 1
    assert len(open_index(index)._segments()) == 4
    before, expected, changed = to_rewrite()
    assert len(changed) > 20 and first["id"] in changed

    report = consolidate_index(index)
    assert (report.articles, report.rewritten) == (360, len(changed))
    after = list(iter_records(open_index(index)))
    assert sorted(r["id"] for r in after) == sorted(before)
    for record in after:
        assert _all_kinds(record["entities"]) == expected[record["id"]], record["id"]
        unchanged = {k: v for k, v in record.items() if k != "entities"}
        assert unchanged == {k: v for k, v in before[record["id"]].items() if k != "entities"}


def _all_kinds(entities: dict[str, list[str]]) -> dict[str, list[str]]:
    return {kind: list(entities.get(kind) or []) for kind in ("person", "organization", "place")}
