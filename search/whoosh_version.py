"""The one whoosh-reloaded release the two Whoosh seams are written against.

`search/codec.py` (reading) and `index/codec.py` (writing) use Whoosh's private
internals and the W3 codec's byte layout; both call `require_whoosh()` at import, so
another release fails at start-up with a message saying what to install, not later
with wrong results.
"""

from __future__ import annotations

from importlib import metadata

WHOOSH_DISTRIBUTION = "whoosh-reloaded"
WHOOSH_VERSION = "2.7.5"


class WhooshVersionError(ImportError):
    """The installed Whoosh is not the release the codec seams were written for."""


def require_whoosh(installed: str | None = None) -> None:
    """Raise WhooshVersionError unless whoosh-reloaded WHOOSH_VERSION is installed."""
    if installed is None:
        try:
            installed = metadata.version(WHOOSH_DISTRIBUTION)
        except metadata.PackageNotFoundError:
            installed = "not installed"
    if installed != WHOOSH_VERSION:
        raise WhooshVersionError(
            f"archive-search reads and writes Whoosh's W3 codec directly and needs "
            f"{WHOOSH_DISTRIBUTION}=={WHOOSH_VERSION} (found: {installed}); "
            f"install it with `pip install {WHOOSH_DISTRIBUTION}=={WHOOSH_VERSION}`"
        )
