"""Names an article defines and repeats: bracketed acronyms, lone surnames (definitions.py)."""

from __future__ import annotations

import pytest

from index.entities.definitions import abbreviates, with_definitions
from index.entities.tagger import Mention


def _mention(text: str, kind: str, surface: str, nth: int = 0) -> Mention:
    start = -1
    for _ in range(nth + 1):
        start = text.index(surface, start + 1)
    return Mention(kind, surface, start, start + len(surface))


def _added(text: str, mentions: list[Mention]) -> list[tuple[str, str, str]]:
    found = with_definitions(mentions, text)
    assert [m.start for m in found] == sorted(m.start for m in found)
    return [(m.kind, m.text, text[m.start : m.end]) for m in found if m not in mentions]


@pytest.mark.parametrize(
    ("short", "long", "expected"),
    [
        ("NIAID", "National Institute of Allergy and Infectious Diseases", True),
        ("WHO", "World Health Organization", True),
        ("C-MORE", "Center for Microbial Oceanography: Research and Education", True),
        ("PLoS", "Public Library of Science", True),
        ("DLR", "German Aerospace Center", False),  # a German name's acronym
        ("Reuters", "Reuters Ltd", False),  # a word, not an acronym
        ("BA", "Boeing", False),  # a ticker whose letters are not in the name
        ("R", "Ron Wyden", False),  # party letters
    ],
)
def test_abbreviates(short, long, expected):
    assert abbreviates(short, long) is expected


def test_bracketed_acronym_takes_the_long_forms_kind():
    text = "The Syrian Democratic Forces (SDF) opposed it. Officials of the (SDF) and (UN) met."
    mentions = [_mention(text, "organization", "Syrian Democratic Forces")]
    assert _added(text, mentions) == [("organization", "SDF", "SDF")]


def test_acronym_the_tagger_found_is_not_added_again():
    text = "the Democratic Republic of the Congo (DRC) said"
    mentions = [
        _mention(text, "place", "Democratic Republic of the Congo"),
        _mention(text, "organization", "DRC"),
    ]
    assert with_definitions(mentions, text) == [mentions[0], mentions[1]._replace(kind="place")]


def test_acronym_the_tagger_found_takes_the_long_forms_kind_everywhere():
    # the demo's RIAA was a place in Recent trends: "(RIAA)" and "RIAA's" tagged places
    text = "a notice from the Recording Industry Association of America (RIAA). RIAA's notice"
    long_form = _mention(text, "organization", "Recording Industry Association of America")
    first = text.index("RIAA")
    again = text.index("RIAA", first + 1)
    tagged = [long_form, Mention("place", "RIAA", first, first + 4)]
    tagged.append(Mention("place", "RIAA", again, again + 4))
    assert [m.kind for m in with_definitions(tagged, text)] == ["organization"] * 3
    # a long form read as a person is the misread one ("Agence France-Presse (AFP)")
    text = "Agence France-Presse (AFP) reported"
    tagged = [
        _mention(text, "person", "Agence France-Presse"),
        _mention(text, "organization", "AFP"),
    ]
    assert with_definitions(tagged, text) == tagged


def test_lone_surname_of_a_full_name_is_that_person():
    text = (
        "Donald Trump spoke. Later President Trump said the Trump administration would act, "
        "and Trump's aides agreed."
    )
    mentions = [_mention(text, "person", "Donald Trump")]
    added = _added(text, mentions)
    assert added == [("person", "Trump", "Trump")] * 3


def test_surname_inside_another_name_or_of_another_kind_is_not_taken():
    text = (
        "Donald Trump visited Trump Tower with Ivanka Trump. Fiona Hill read a report "
        "from The Hill. Johnson met Boris Johnson."
    )
    mentions = [
        _mention(text, "person", "Donald Trump"),
        _mention(text, "person", "Fiona Hill"),
        _mention(text, "organization", "Johnson"),
        _mention(text, "person", "Boris Johnson"),
    ]
    assert _added(text, mentions) == []


def test_surname_that_is_a_common_word_or_a_place_is_not_taken():
    text = "Theresa May spoke in May. Mike Georgia met people in Georgia."
    mentions = [_mention(text, "person", "Theresa May"), _mention(text, "person", "Mike Georgia")]
    assert _added(text, mentions) == []


def test_acronym_shows_where_the_long_form_starts():
    text = "Mexico joined the General Agreement on Tariffs and Trade (GATT) on Monday."
    mentions = [
        _mention(text, "place", "Mexico"),
        _mention(text, "place", "General Agreement"),  # the tagger cut the name in two
        _mention(text, "organization", "Tariffs and Trade"),
    ]
    found = with_definitions(mentions, text)
    assert [(m.kind, m.text) for m in found] == [
        ("place", "Mexico"),
        ("organization", "General Agreement on Tariffs and Trade"),
        ("organization", "GATT"),
    ]
    whole = found[1]
    assert text[whole.start : whole.end] == whole.text
    lone = "Talks on Tariffs and Trade (GATT) resumed."  # no capitalised start to grow to
    tagged = [_mention(lone, "organization", "Tariffs and Trade")]
    assert with_definitions(tagged, lone) == tagged
