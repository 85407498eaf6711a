"""Websites named by their address are organisations: "News.com.au", "USATODAY.com", "tut.by"."""

from __future__ import annotations

import pytest

from index.entities import extract_entities
from index.entities.sites import sites, with_sites
from index.entities.tagger import Mention


def _found(text: str) -> list[str]:
    return [text[start:end] for start, end in sites(text)]


def test_bare_domains_are_sites_and_hosts_files_and_run_on_words_are_not():
    text = (
        "According to News.com.au and Znak.com, as amazon.co.uk and oe24.at said; tut.by and "
        "Onet.pl agreed. Get it by ftp from export.lcs.mit.edu or ftp.uu.net, see README.md "
        "and setup.py, the end.it was near. The dot.com boom. Mail via uunet!bu.edu!news, "
        "version 2.5 of it, the U.S. and e.g. this, by A.de Silva on X.com."
    )
    assert _found(text) == [
        "News.com.au",
        "Znak.com",
        "amazon.co.uk",
        "oe24.at",
        "tut.by",
        "Onet.pl",
        "X.com",
    ]


def test_an_address_the_tagger_cut_short_or_ran_on_becomes_one_organisation():
    text = "Reports by News.com.au and by ORF.at and oe24.at agree."
    au = text.index("News.com.au")
    oe = text.index("oe24.at")
    tagged = [
        Mention("organization", "News.com", au, au + 8),  # the tagger stopped at ".au"
        Mention("organization", "ORF.at and oe24.at", oe - 15, oe + 7),
    ]
    mentions, addresses = with_sites(tagged, text)
    assert mentions == [
        Mention("organization", "News.com.au", au, au + 11),
        Mention("organization", "oe24.at", oe, oe + 7),
    ]
    assert addresses == {"News.com.au", "oe24.at"}
    firm = "Shares of Amazon.com Inc rose."
    held = [Mention("organization", "Amazon.com Inc", 10, 24)]
    assert with_sites(held, firm) == (held, {"Amazon.com Inc"})  # a firm's name starting with it


@pytest.mark.parametrize(("corpus", "citing"), [("ag-news-test", 124), ("bbc", 49)])
def test_every_address_in_web_news_is_an_organisation(corpus_rows, corpus, citing):
    found = [(r, _found(f"{r['title']}\n\n{r['body']}")) for r in corpus_rows(corpus)]
    citing_rows = [(row, addresses) for row, addresses in found if addresses]
    assert len(citing_rows) == citing  # the items and articles that cite a site by its address
    for row, addresses in citing_rows:
        entities = extract_entities(row["title"], row["body"])
        organizations = [v.lower() for v in entities["organization"]]
        others = {v.lower() for v in entities["person"] + entities["place"]}
        for address in map(str.lower, addresses):
            # one value per site, however the article capitalises it
            assert any(v.startswith(address) for v in organizations), (row["id"], address)
            assert address not in others
