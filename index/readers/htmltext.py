"""HTML fragments (feed content, summaries) to plain text with paragraph breaks.

Feed content is the whole article, so trafilatura's boilerplate heuristics would
wrongly drop parts of it; a walk over lxml's tree keeps all text and turns block
elements into blank-line paragraph breaks, the body format of every reader.
"""

from __future__ import annotations

from lxml import etree, html

# fmt: off
_BLOCKS = frozenset((
    "address", "article", "aside", "blockquote", "dd", "div", "dl", "dt", "figcaption", "figure",
    "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p",
    "pre", "section", "table", "tbody", "thead", "tfoot", "tr", "td", "th", "ul",
))
# fmt: on
_DROPPED = ("script", "style", "noscript", "template", "head")
_BREAK = "\x00"  # a paragraph boundary; NUL cannot occur in text lxml hands back


def html_to_text(fragment: str) -> str:
    """Text of an HTML fragment: paragraphs joined by a blank line, whitespace collapsed."""
    if not fragment.strip():
        return ""
    try:
        root = html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return " ".join(fragment.split())
    for bad in root.xpath("|".join(f"//{tag}" for tag in _DROPPED)):
        bad.drop_tree()
    parts: list[str] = []
    for event, element in etree.iterwalk(root, events=("start", "end", "comment", "pi")):
        if event in ("comment", "pi"):
            parts.append(element.tail or "")
            continue
        tag = element.tag.lower() if isinstance(element.tag, str) else ""
        if event == "start":
            parts.append(_BREAK if tag in _BLOCKS or tag == "br" else "")
            parts.append(element.text or "")
            continue
        if tag in _BLOCKS:
            parts.append(_BREAK)
        if element is not root:
            parts.append(element.tail or "")
    paragraphs = (" ".join(p.split()) for p in "".join(parts).split(_BREAK))
    return "\n\n".join(p for p in paragraphs if p)
