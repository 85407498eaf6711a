"""Long official names the tagger cuts in two (`index.entities.long_names`).

The demo's and Reuters-21578's courts came out as "Court of Appeals" beside "Third
Circuit", "U.S. District Court" beside "Northern District of California"; web news's bodies
as a place beside a body ("Beijing" beside "Gender Health Education Institute").
"""

from __future__ import annotations

from index.entities import extract_entities
from index.entities.long_names import join_long_names
from index.entities.tagger import Mention

# Wikinews, "US Supreme Court overturns convictions in 'Bridgegate' scandal" (shortened)
COURT = (
    "The unanimous court decided their actions did not qualify, reversing the convictions "
    "and remanding the case back to the Court of Appeals for the Third Circuit."
)
# Reuters-21578, article 3967 (shortened, its line breaks kept)
APPEAL = (
    "Thomas and Betts Corp said the\nU.S. Court of Appeals for the Federal Circuit affirmed an"
    "\nearlier judgment by the U.S. District Court for the District of\nDelaware directing a "
    "unit of Litton Industries <LIT> to pay it\n5,781,711 dlrs in damages."
)
# Reuters-21578, article 1289 (its line breaks kept)
BANKRUPTCY = (
    "American Adventure Inc said its\nreorganization plan was approved by the United States\n"
    "Bankruptcy Court for the Western District of the State of\nWashington."
)


def _mention(text: str, kind: str, name: str) -> Mention:
    start = text.index(name)
    return Mention(kind, name, start, start + len(name))


def test_a_body_and_its_for_tail_are_one_organisation():
    court = _mention(COURT, "organization", "Court of Appeals")
    circuit = _mention(COURT, "place", "Third Circuit")
    assert join_long_names([court, circuit], COURT) == [
        Mention("organization", "Court of Appeals for the Third Circuit", court.start, circuit.end)
    ]
    # across wrapped lines, the surface with single spaces
    first = _mention(BANKRUPTCY, "organization", "United States\nBankruptcy Court")
    tail = _mention(BANKRUPTCY, "place", "Western District of the State of\nWashington")
    [joined] = join_long_names([first, tail], BANKRUPTCY)
    assert joined.text == (
        "United States Bankruptcy Court for the Western District of the State of Washington"
    )


def test_other_neighbours_stay_apart():
    text = "The Democratic Committee for Ann Lee met. Acme Inc for Ohio. Court\n\nfor Texas."
    committee = _mention(text, "organization", "Democratic Committee")
    person = _mention(text, "person", "Ann Lee")
    firm = _mention(text, "organization", "Acme Inc")
    ohio = _mention(text, "place", "Ohio")
    court = _mention(text, "organization", "Court")
    texas = _mention(text, "place", "Texas")
    mentions = [committee, person, firm, ohio, court, texas]
    assert join_long_names(mentions, text) == mentions  # a person; a firm; a blank line
    said = "The Court said for the record that Texas won."
    apart = [_mention(said, "organization", "Court"), _mention(said, "place", "Texas")]
    assert join_long_names(apart, said) == apart


def test_extraction_keeps_the_courts_whole():
    entities = extract_entities("", APPEAL)
    assert {
        "U.S. Court of Appeals for the Federal Circuit",
        "U.S. District Court for the District of Delaware",
    } <= set(entities["organization"])
    values = entities["organization"] + entities["place"]
    assert not {"Federal Circuit", "District of Delaware", "U.S. District Court"} & set(values)


# Reuters-21578, article 5169 (its line breaks kept)
CONGRESS = (
    "The ministers were also due to discuss proposals in the\nU.S. Congress for a range of "
    "protecionist legislation such as a\nbill that would curb EC textile exports."
)


def test_a_place_and_the_body_after_it_are_one_organisation():
    text = "Activists of the Beijing Gender Health Education Institute said."
    place = _mention(text, "place", "Beijing")
    body = _mention(text, "organization", "Gender Health Education Institute")
    assert join_long_names([place, body], text) == [
        Mention("organization", "Beijing Gender Health Education Institute", place.start, body.end)
    ]
    # not a firm after a place, nor a body across more than a space
    other = "A plant in Bridgend Sony built. Russia, NATO Council said."
    mentions = [
        _mention(other, "place", "Bridgend"),
        _mention(other, "organization", "Sony"),
        _mention(other, "place", "Russia"),
        _mention(other, "organization", "NATO Council"),
    ]
    assert join_long_names(mentions, other) == mentions
    entities = extract_entities("", CONGRESS)  # the tagger reads "U.S." and "Congress"
    assert "U.S. Congress" in entities["organization"]
    assert "U.S." not in entities["place"]
