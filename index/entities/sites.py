"""Websites named by their address: "News.com.au", "USATODAY.com", "tut.by".

Articles cite web outlets by their address as often as by name, and a website is an
organisation (`eval/ANNOTATION.md`): the training annotations tag 155 of the 156 addresses
they hold so. The tagger reads an address as words and dots and often tags part of it
("News.com" of "News.com.au") or none; the shape says what it is, so a rule does.

An address counts where it is a registered domain written bare in running text: a name and
a top-level domain ("Znak.com", "oe24.at"), or a name under a registry's second level
("amazon.co.uk", "news.com.au"). Web and e-mail addresses are gone already
(`furniture.clean_text`); a host inside a domain is a server, not an outlet
("ftp.uu.net", "export.lcs.mit.edu"); where the top-level domain is also an English word
or a file extension ("end.it", "README.md"), the name must be capitalised but not all
capitals, or hold a digit ("Onet.pl", "oe24.at"); a one-letter name is an initial unless
the domain is generic ("A.de Silva"; "X.com"). An organisation's name that starts with the
address keeps its mention ("Amazon.com Inc").
"""

from __future__ import annotations

import re

from index.entities.tagger import Mention
from index.entities.tokenize import word_set

# Labels joined by dots, not inside a longer address, path, e-mail or UUCP route.
_ADDRESS = re.compile(
    r"(?<![\w@/.:!-])((?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.){1,2}[a-z]{2,4})"
    r"(?![\w@/!-]|\.\w)"
)
_DOT_DOMAIN = re.compile(r"\.[a-z]{2}")  # where an address may be: most texts have none
_GENERIC = frozenset({"com", "org", "net", "info", "biz", "io", "tv", "news", "gov"})
_SECOND_LEVEL = frozenset({"co", "com", "org", "net", "gov", "ac", "edu"})
# Two-letter domains that are also English words or file extensions ("end.it", "setup.py",
# "README.md"): a site's name there is capitalised, not all capitals ("Onet.pl"), or has a digit.
_AMBIGUOUS = word_set(
    """
    am an as at be do go he if in is it me my no of on or so to up us we
    ai cc cs md mk ml pl pm ps py rs sh ts
    """
)
_WORDS = frozenset({"dot.com"})  # the dot-com boom, no site


def sites(text: str) -> list[tuple[int, int]]:
    """(start, end) of each website address in the text."""
    out: list[tuple[int, int]] = []
    if not _DOT_DOMAIN.search(text):
        return out
    for match in _ADDRESS.finditer(text):
        address = match.group(1)
        *names, top = address.split(".")
        if len(top) > 2 and top not in _GENERIC:
            continue
        if len(names) == 2 and names[1].lower() not in _SECOND_LEVEL:
            continue  # a host: "ftp.uu.net"
        name = names[0]
        marked = name[:1].isupper() and not name.isupper() or any(c.isdigit() for c in name)
        if top in _AMBIGUOUS and not marked and len(names) == 1:
            continue
        if address.lower() in _WORDS or not any(c.isalpha() for c in name):
            continue
        if len(name) == 1 and top not in _GENERIC:
            continue  # an initial run on: "A.de Silva"; "X.com" is a site
        out.append(match.span(1))
    return out


def with_sites(mentions: list[Mention], text: str) -> tuple[list[Mention], set[str]]:
    """The mentions with each website address one organisation, in place of any mention
    that overlaps it, unless an organisation's name starts with it ("Amazon.com Inc"); and
    the names of those organisations, which the second look at values leaves as they are."""
    found = sites(text)
    if not found:
        return mentions, set()
    out = list(mentions)
    names: set[str] = set()
    for start, end in found:
        held = [m for m in out if m.kind == "organization" and m.start == start and end <= m.end]
        if held:
            names.add(held[0].text)
            continue
        out = [m for m in out if m.end <= start or end <= m.start]
        out.append(Mention("organization", text[start:end], start, end))
        names.add(text[start:end])
    return sorted(out, key=lambda m: m.start), names
