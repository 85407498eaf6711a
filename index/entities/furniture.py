"""Web-page text around the names: markup, titles, platforms, sentence adverbs.

The tagger learnt from 1996 newswire; today's web pages add things it never
saw. These rules run on every article, before mentions are folded:

- markup is removed before tagging (`clean_text`): a scraped title
  `<img src=x onerror=…>Minsk` must give the place Minsk, not a person ">Minsk";
  HTML entities are decoded, and wiki speaker and language labels ("((WN))",
  "((es))Spanish language:") are dropped;
- titles are not names: "Mayor Adamowicz" is Adamowicz, "US President Trump"
  the person Trump, and a span made only of titles ("US Ambassador") is dropped;
- social networks and web platforms are organisations ("Twitter", "YouTube"),
  whatever kind the tagger gave them; countries and first-level regions
  (`places.txt`) are places; a name ending in "Post", "Party", "University" …
  is an organisation, one ending in "Airport", "County", "River" … a place;
- a capitalised sentence adverb ("Additionally", "Reportedly") is not a name,
  nor is a deity ("God").
"""

from __future__ import annotations

import html
import re
from functools import cache
from pathlib import Path

from index.entities.clusters import load_clusters
from index.entities.tagger import Mention


def _word_set(text: str) -> frozenset[str]:
    """Readable word lists in source: whitespace-separated words."""
    return frozenset(text.split())


_TAG = re.compile(r"<(?:[a-zA-Z!/?][^<>]{0,2000})>")
_WIKI_LABEL = re.compile(r"\(\([^()\n]{1,16}\)\)(?:\s*[A-Z][a-z]+ language:\s*\u200d?)?")

# Words that title a person or an office: never part of the name itself.
TITLES = _word_set(
    """
    mr mr. mrs mrs. ms ms. mme mme. dr dr. prof prof. sir dame lord lady rev rev. fr fr.
    president vice prime minister secretary senator sen. representative rep.
    congressman congresswoman assemblyman assemblywoman councillor councilor mayor governor
    gov. chancellor premier speaker whip chairman chairwoman ceo ambassador envoy judge
    commissioner superintendent inspector detective sheriff sergeant sgt. constable captain
    capt. colonel col. lieutenant lt. admiral adm. commander king queen prince princess
    emperor sultan sheikh pope cardinal archbishop bishop emeritus reverend imam rabbi
    ayatollah professor coach spokesman spokeswoman spokesperson deputy former acting the
    """
)
# Office words that end a span naming only an office ("Senate Minority Leader").
_TRAILING = _word_set(
    """
    leader minority majority spokesman spokeswoman spokesperson ambassador secretary
    minister ministers president chairman chairwoman official officials whip chief
    """
)
# Before an office word they name the office, not an organisation ("Defence Secretary").
_OFFICE_ADJECTIVES = _word_set(
    "defence defense foreign interior finance justice home health education transport"
)
# A country written before a title ("US President Trump") goes with the title.
_TITLE_PREFIXES = _word_set("us u.s. uk u.k. un u.n. eu")
_CONNECTORS = _word_set("of the for and de")

# Social networks, messengers and web platforms: organisations, never people or places.
WEB_ORGANIZATIONS = _word_set(
    """
    twitter facebook instagram youtube tiktok reddit linkedin whatsapp telegram snapchat
    wechat weibo vkontakte pinterest tumblr flickr wikipedia wikinews wikimedia wikileaks
    google gmail yahoo skype netflix spotify periscope twitch discord 4chan 8chan parler
    """
)
# Not people a reader filters by, though the tagger often calls them so.
NOT_PEOPLE = _word_set("god allah lord almighty")
# Clock and calendar words written in capitals: "(0700 UTC)" is no organisation.
# Religions and their followers are no organisation or person either.
NOT_NAMES = _word_set(
    """
    utc gmt est edt cst cdt pst pdt cet cest bst ist jst aest a.m. p.m.
    muslim muslims christian christians catholic catholics jew jews jewish hindu hindus
    sikh sikhs buddhist buddhists islam christianity judaism hinduism buddhism
    """
)
# The last word of a name that says what kind of thing it names.
ORGANIZATION_HEADS = _word_set(
    """
    times post news journal herald tribune gazette telegraph guardian magazine review
    party association university college institute council committee commission agency
    ministry department office bureau service services authority foundation society
    union federation league club corporation corp corp. inc inc. ltd ltd. company co. group
    airlines airways bank police army navy court parliament assembly congress senate
    network channel radio tv television press
    """
) - {"bank"}  # "West Bank"
PLACE_HEADS = _word_set(
    """
    airport street avenue road square county province district island islands river lake
    mountains mountain valley bay sea ocean peninsula park bridge station
    """
)
_GAZETTEER = Path(__file__).with_name("places.txt")
# Capitalised at a sentence start only: connectives a name never is.
_ADVERBS = _word_set(
    """
    additionally however meanwhile moreover furthermore nevertheless nonetheless although
    though instead thus hence also currently previously recently reportedly subsequently
    consequently accordingly initially eventually ultimately notably overall otherwise
    """
)
_SENTENCE_START = re.compile(r"(?:^|[.!?][\"'\u201d\u2019)\]]*\s+|\n\s*)[\"'\u201c\u2018(\[]*$")


def clean_text(text: str) -> str:
    """Text without markup: tags removed, entities decoded, wiki labels dropped.

    Removed spans become spaces, so sentences and paragraphs stay where they were.
    """
    if "<" in text:
        text = _TAG.sub(" ", text)
    if "&" in text:
        text = html.unescape(text)
    if "((" in text:
        text = _WIKI_LABEL.sub(" ", text)
    return text


def _is_title(word: str) -> bool:
    return word.lower() in TITLES


def _strip_titles(words: list[str]) -> tuple[list[str], bool]:
    """Leading titles removed ("US President Trump" -> "Trump"); True if any were.

    "Secretary of State" keeps its words: what follows a title is a name, not "of".
    """
    i = 0
    while i < len(words) and (
        _is_title(words[i])
        or (words[i].lower() in _TITLE_PREFIXES and i + 1 < len(words) and _is_title(words[i + 1]))
    ):
        i += 1
    if i < len(words) and words[i].lower() in _CONNECTORS:
        return words, False
    return words[i:], i > 0


def _strip_offices(words: list[str]) -> list[str]:
    """Trailing office words removed ("Senate Minority Leader" -> "Senate")."""
    if any(w.lower() in _CONNECTORS for w in words):
        return words
    n = len(words)
    while n and words[n - 1].lower() in _TRAILING:
        n -= 1
    while n < len(words) and n and words[n - 1].lower() in _OFFICE_ADJECTIVES:
        n -= 1  # "CSTO Defence Ministers" -> "CSTO"; "Defence Secretary" -> nothing
    return words[:n]


@cache
def places() -> frozenset[str]:
    """Countries, US states and other first-level regions: always places when alone."""
    lines = _GAZETTEER.read_text(encoding="utf-8").splitlines()
    return frozenset(
        " ".join(line.casefold().split()) for line in lines if line.strip() and line[0] != "#"
    )


def _head_kind(words: list[str]) -> str | None:
    """The kind a multi-word name's last word gives it ("Washington Post" -> organization)."""
    if len(words) < 2:
        return None
    last = words[-1].lower()
    if last in ORGANIZATION_HEADS:
        return "organization"
    if last in PLACE_HEADS:
        return "place"
    return None


def _sentence_initial(text: str, start: int) -> bool:
    return bool(_SENTENCE_START.search(text[max(0, start - 12) : start]))


def _is_adverb(word: str) -> bool:
    low = word.lower()
    if low in _ADVERBS:
        return True
    if len(low) > 5 and low.endswith("ly") and word[1:].islower():
        bucket = load_clusters().get(low, ("", "", "?"))[2]
        return bucket != "0"  # "Italy", "Kelly": always capitalised in running text
    return False


def clean_mentions(mentions: list[Mention], text: str) -> list[Mention]:
    """Mentions with titles trimmed, platforms made organisations, non-names dropped."""
    out: list[Mention] = []
    for m in mentions:
        words = m.text.split()
        kind = m.kind
        if kind in ("person", "organization"):
            kept, trimmed = _strip_titles(words)
            kept = _strip_offices(kept)
            if not kept:
                continue
            if trimmed and kind == "organization" and len(kept) <= 3:
                kind = "person"  # "US President Trump" tagged as one organisation
            if kept != words:
                start = m.start + m.text.index(kept[0])
                surface = " ".join(kept)
                m = Mention(kind, surface, start, start + len(surface))
                words = kept
        low = m.text.lower()
        if low in NOT_NAMES:
            continue
        if low in WEB_ORGANIZATIONS:
            m = m._replace(kind="organization")
        elif " ".join(low.split()) in places():
            m = m._replace(kind="place")
        elif _head_kind(words):
            m = m._replace(kind=_head_kind(words))
        elif len(words) == 1 and (
            (m.kind == "person" and low in NOT_PEOPLE)
            or (_sentence_initial(text, m.start) and _is_adverb(m.text))
        ):
            continue
        out.append(m)
    return out
