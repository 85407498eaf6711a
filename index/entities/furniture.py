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
  whatever kind the tagger gave them; countries, world regions and first-level
  regions (`places.txt`, `place_names.py`) are places; a name ending in "Post",
  "Party", "University" … is an organisation, one ending in "Airport", "County",
  "River" … or starting with "County", "Lake", "Mount" … a place;
- a capitalised sentence adverb or conjunction ("Additionally", "Reportedly",
  "Albeit") is not a name, nor part of the one after it ("Whereas Pierce"),
  nor is a deity ("God"), a religion, a disease, a time zone, a generic body
  alone ("the Commission") or a common word before a number ("Category 5");
- an article's own publisher (its `source`, or its URL's site name) is not
  one of its entities: "Wikinews attended" is page furniture (`enrich`);
- bylines and picture credits ("Image: Paul Budd", "Wikinews reporter X")
  name the page's staff, not the story's people;
- a capitalised "The" in mid-sentence or before a reporting verb makes a
  name a title, not a person: "Newsweek, Politico, The Hill" name the
  organisation "The Hill"; a publication cited as a source ("told The Hill",
  "a report from The Hill", "The Hill reported") is attribution, like a
  byline, and is dropped. The same for a one-word name the tagger called an
  organisation ("from The Hill") when a person in the article has it as surname:
  folding would otherwise make it "Fiona Hill"'s surname.
"""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

from index.entities.clusters import load_clusters
from index.entities.place_names import places
from index.entities.tagger import Mention
from index.entities.tokenize import word_set

_TAG = re.compile(r"<(?:[a-zA-Z!/?][^<>]{0,2000})>")
_ADDRESS = re.compile(r"\b(?:https?://|www\.)\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_REPLY = re.compile(r"^(?:(?:re|fwd?|aw)\s*:\s*)+", re.IGNORECASE)
_WIKI_LABEL = re.compile(r"\(\([^()\n]{1,16}\)\)(?:\s*[A-Z][a-z]+ language:\s*\u200d?)?")

# Words that title a person or an office: never part of the name itself.
TITLES = word_set(
    """
    mr mr. mrs mrs. ms ms. mme mme. dr dr. prof prof. sir dame lord lady rev rev. fr fr.
    president vice prime minister secretary senator sen. representative rep.
    congressman congresswoman assemblyman assemblywoman councillor councilor mayor governor
    gov. chancellor premier speaker whip chairman chairwoman ceo ambassador envoy judge
    commissioner superintendent inspector detective sheriff sergeant sgt. constable captain
    capt. colonel col. lieutenant lt. admiral adm. commander king queen prince princess
    emperor sultan sheikh pope cardinal archbishop bishop emeritus reverend imam rabbi
    ayatollah exchequer professor coach spokesman spokeswoman spokesperson deputy former
    acting the hello hi hey dear merry happy
    """
)
# Office words that end a span naming only an office ("Senate Minority Leader").
_TRAILING = word_set(
    """
    leader minority majority spokesman spokeswoman spokesperson ambassador secretary
    minister ministers president chairman chairwoman official officials whip chief
    """
)
# Before an office word they name the office, not an organisation ("Defence Secretary").
_OFFICE_ADJECTIVES = word_set(
    "defence defense foreign interior finance justice home health education transport"
)
# A country written before a title ("US President Trump") goes with the title.
_TITLE_PREFIXES = word_set("us u.s. uk u.k. un u.n. eu")
_CONNECTORS = word_set("of the for and de")
# Lowercase words that do belong in people's names.
_PARTICLES = word_set("de da di do dos das du del della van von der den ter bin ibn al el la y")

# Social networks, messengers and web platforms: organisations, never people or places.
WEB_ORGANIZATIONS = word_set(
    """
    twitter facebook instagram youtube tiktok reddit linkedin whatsapp telegram snapchat
    wechat weibo vkontakte pinterest tumblr flickr wikipedia wikinews wikimedia wikileaks
    google gmail yahoo skype netflix spotify periscope twitch discord 4chan 8chan parler
    """
)
# Not people a reader filters by, though the tagger often calls them so.
NOT_PEOPLE = word_set("god allah lord almighty")
# Clock and calendar words written in capitals: "(0700 UTC)" is no organisation.
# Religions and their followers, diseases, molecules, founding documents: no names either.
NOT_NAMES = word_set(
    """
    utc gmt est edt cst cdt pst pdt cet cest bst ist jst aest a.m. p.m.
    muslim muslims christian christians catholic catholics jew jews jewish hindu hindus
    sikh sikhs buddhist buddhists islam christianity judaism hinduism buddhism
    covid covid-19 coronavirus sars sars-cov-2 mers ebola hiv aids dna rna gdp gnp lgbt lgbtq
    constitution bible quran koran christmas easter ramadan thanksgiving halloween hanukkah
    jan jan. feb feb. mar mar. apr apr. jun jun. jul jul. aug aug. sep sep. sept sept.
    oct oct. nov nov. dec dec.
    hello hi hey dear hmm hmmm uh um er oops yeah yep nope sorry thanks re re: fwd
    imho imo btw faq fyi afaik iirc lol
    co co. ltd ltd. inc inc. corp corp. plc llc sa s.a. ag nv n.v. gmbh
    """
)
# Units and table words of financial news: a value holding one is no name ("H.K. Dlrs").
_UNITS = word_set("dlrs dlr pct mln bln cts qtr oper shr shrs avg revs vs")
# A word for a kind of body, alone, names none ("the Commission said").
GENERIC_BODIES = word_set(
    """
    commission committee council ministry department agency office bureau authority bank
    service services foundation society union federation league club company group
    corporation network channel institute association
    """
)
# The last word of a name that says what kind of thing it names.
ORGANIZATION_HEADS = word_set(
    """
    times post news journal herald tribune gazette telegraph guardian magazine review
    party association university college institute council committee commission agency
    ministry department office bureau service services authority foundation society
    union federation league club corporation corp corp. inc inc. ltd ltd. company co co. group
    brothers bros bros.
    airlines airways bank police army navy force forces court parliament assembly congress senate
    network channel radio tv television press
    """
) - {"bank"}  # "West Bank"
PLACE_HEADS = word_set(
    """
    airport street avenue road square county province district island islands river lake
    mountains mountain valley bay sea ocean peninsula park bridge station
    region oblast voblast prefecture governorate municipality
    """
)
# The first word of a place's name that says it is one ("County Cork", "Mount Everest").
_PLACE_FIRSTS = word_set("county lake mount mt. fort cape")
# The last word of a name CoNLL calls MISC: laws, treaties, awards, contests, diseases, devices.
MISC_HEADS = word_set(
    """
    act accord accords agreement treaty award awards prize prizes trophy medal cup
    championship championships olympics festival syndrome disease pandemic epidemic
    telescope directive amendment summit
    """
)
# Capitalised at a sentence start only: connectives a name never is.
_ADVERBS = word_set(
    """
    additionally however meanwhile moreover furthermore nevertheless nonetheless although
    though instead thus hence also currently previously recently reportedly subsequently
    consequently accordingly initially eventually ultimately notably overall otherwise
    therefore likewise similarly besides regardless anyway
    albeit whereas whilst while unless whether because since despite amid amidst
    notwithstanding
    ah oh yes no well okay ok wow hey please thanks
    """
)
# Bylines and picture credits name the page's staff, not the story's people.
_CREDIT_BEFORE = re.compile(
    r"(?:\b(?:image|photo|photograph|picture|credit)s?\s*:\s*"
    r"|\b(?:wikinews|our|staff)\s+(?:\w+\s+)?(?:reporter|correspondent|contributor)\s+)$",
    re.IGNORECASE,
)
_REPORTS = re.compile(
    r",?\s+(?:reported|reports|said|says|wrote|writes|noted|added|quoted|described|stated)\b"
)
# A storm's name is no person's: "Hurricane Dorian", then "Dorian" alone in the same article.
_STORM = re.compile(r"\b(?:Hurricane|Typhoon|Cyclone|Tropical Storm|Storm)\s+([A-Z][a-z]+)")
_CITED_BEFORE = re.compile(r"\b(?:told|to|from|by|in|according to|via|cited)\s+$", re.IGNORECASE)
_NUMBER_AFTER = re.compile(r"\s\d")
_NUMBER_BEFORE = re.compile(r"\d\s$")
_SENTENCE_START = re.compile(r"(?:^|[.!?][\"'\u201d\u2019)\]]*\s+|\n\s*)[\"'\u201c\u2018(\[]*$")


def clean_text(text: str) -> str:
    """Text without markup: tags, e-mail and web addresses removed, entities decoded,
    wiki labels dropped.

    Removed spans become spaces, so sentences and paragraphs stay where they were.
    """
    text = _REPLY.sub("", text)  # "Re: about the bible quiz": an e-mail subject
    if "<" in text:
        text = _TAG.sub(" ", text)
    if "&" in text:
        text = html.unescape(text)
    if "((" in text:
        text = _WIKI_LABEL.sub(" ", text)
    if "@" in text or "www." in text or "://" in text:
        text = _ADDRESS.sub(" ", text)
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


def _head_kind(words: list[str]) -> str | None:
    """The kind a multi-word name's last word gives it ("Washington Post" -> organization),
    or its first, for a place named after its kind ("County Cork", "Lake Geneva")."""
    if len(words) < 2:
        return None
    last = words[-1].lower()
    if last in ORGANIZATION_HEADS:
        return "organization"
    if last in PLACE_HEADS or words[0].lower() in _PLACE_FIRSTS:
        return "place"
    return None


def _sentence_initial(text: str, start: int) -> bool:
    return bool(_SENTENCE_START.search(text[max(0, start - 12) : start]))


def common_word(low: str) -> bool:
    """Written in lowercase at least sometimes mid-sentence (the clusters' case bucket)."""
    return load_clusters().get(low, ("", "", "?"))[2] in ("1", "2", "3")


def _is_adverb(word: str) -> bool:
    low = word.lower()
    if low in _ADVERBS:
        return True
    if len(low) > 5 and low.endswith("ly") and word[1:].islower():
        bucket = load_clusters().get(low, ("", "", "?"))[2]
        return bucket != "0"  # "Italy", "Kelly": always capitalised in running text
    return False


def clean_mentions(mentions: list[Mention], text: str) -> list[Mention]:
    """Mentions with titles trimmed, kinds corrected, furniture and non-names dropped."""
    out: list[Mention] = []
    surnames = {m.text.split()[-1] for m in mentions if m.kind == "person" and " " in m.text}
    storms = {name for name in _STORM.findall(text) if not common_word(name.lower())}
    for m in mentions:
        if storms and m.text.split()[-1] in storms:
            continue
        m = _complete_place(m, text)
        words = m.text.split()
        if len(words) > 1 and _sentence_initial(text, m.start) and _is_adverb(words[0]):
            offset = m.text.index(words[1], len(words[0]))  # "Whereas Pierce"
            m = Mention(m.kind, m.text[offset:], m.start + offset, m.end)
            words = words[1:]
        kind = tagged = m.kind
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
        # "from The Hill" beside "Fiona Hill": folding would make the paper her surname
        if tagged == "place" and len(words) == 2 and words[0] == "The" and words[1] in surnames:
            tagged = "organization"  # a paper, not a place, whose "The" the tagger took in
            m = Mention(tagged, words[1], m.start + 4, m.end)
            words = words[1:]
        one_word_title = tagged == "organization" and len(words) == 1 and words[0] in surnames
        if tagged == m.kind and (tagged == "person" or one_word_title) and _titled(m, text):
            if _cited(m, text):
                continue
            m = Mention("organization", f"The {m.text}", m.start - 4, m.end)
            words = m.text.split()
        if _is_furniture(m, words, text):
            continue
        if m.kind == "person" and any(w.islower() and w not in _PARTICLES for w in words):
            continue  # "Khodorkovsky quits Yukos": a headline, not a name
        low = " ".join(m.text.lower().split())
        team = m.kind == "organization" and _in_score_table(m, text)
        if low in WEB_ORGANIZATIONS:
            m = m._replace(kind="organization")
        elif low in places() and not team:
            m = m._replace(kind="place")
        elif _head_kind(words) and not team:
            m = m._replace(kind=_head_kind(words))
        out.append(m)
    return out


def _titled(m: Mention, text: str) -> bool:
    """A capitalised "The" before a name that is no sentence's first word, or before a
    reporting verb, makes it a title (a newspaper, a band), never a person's name."""
    if text[max(0, m.start - 4) : m.start] != "The ":
        return False
    return not _sentence_initial(text, m.start - 4) or bool(_REPORTS.match(text, m.end))


def _cited(m: Mention, text: str) -> bool:
    """ "told The Hill", "a report from The Hill", "The Hill reported": a source's name."""
    before = text[max(0, m.start - 24) : m.start - 4]
    return bool(_CITED_BEFORE.search(before) or _REPORTS.match(text, m.end))


def _in_score_table(m: Mention, text: str) -> bool:
    """A name beside a score ("Florida 5 Colorado 4", "Ross County 2"): a team."""
    return bool(_NUMBER_AFTER.match(text, m.end) or _NUMBER_BEFORE.search(text, 0, m.start))


def _complete_place(m: Mention, text: str) -> Mention:
    """ "New" left out of a sentence-initial "New Hampshire" is put back."""
    before = text[max(0, m.start - 20) : m.start]
    word = before.split()[-1] if before.strip() and before[-1:] == " " else ""
    if word[:1].isupper() and f"{word} {m.text}".lower() in places():
        start = m.start - len(word) - 1
        return Mention("place", f"{word} {m.text}", start, m.end)
    return m


def _is_furniture(m: Mention, words: list[str], text: str) -> bool:
    """Bylines, credits and words that are no names whatever the tagger said."""
    low = m.text.lower()
    if low in NOT_NAMES or any(w.lower() in _UNITS for w in words):
        return True
    if m.kind == "person" and _CREDIT_BEFORE.search(text[max(0, m.start - 60) : m.start]):
        return True
    if text.startswith("$", m.end) and len(words) == 1 and m.text.isupper():
        return True  # "US$30,000", "A$5": a currency's sign, not the place's mention
    if len(words) != 1:
        lowered = [w.lower() for w in words]
        return lowered[-1] in MISC_HEADS and "of" not in lowered  # "School of Law" stays
    if m.kind == "person" and low in NOT_PEOPLE:
        return True
    if m.kind == "organization" and low in GENERIC_BODIES:
        return True
    if m.kind != "place" and _NUMBER_AFTER.match(text, m.end) and common_word(low):
        return True  # "Category 5": a class, not a name (but "Ajax 2 Feyenoord 1" stays)
    return _sentence_initial(text, m.start) and _is_adverb(m.text)


_HOST_NOISE = word_set("www en m mobile news com org net co uk gov edu info")


def publisher_names(source: str | None, url: str | None) -> set[str]:
    """The names a site goes by in its own pages: its `source`, its URL's site label."""
    names = set(re.findall(r"[^\W\d_]{3,}", source.casefold())) if source else set()
    if url:
        host = urlsplit(url).hostname or ""
        names.update(
            label for label in host.split(".") if len(label) > 2 and label not in _HOST_NOISE
        )
    return names


def without_publisher(entities: dict[str, list[str]], names: set[str]) -> dict[str, list[str]]:
    """An article's values without its own publisher ("Wikinews attended", "told Wikinews")."""
    if not names:
        return entities

    def own(value: str) -> bool:
        folded = value.casefold()
        return folded in names or folded + "s" in names  # "Reuter" signs "reuters-21578"

    return {kind: [v for v in values if not own(v)] for kind, values in entities.items()}
