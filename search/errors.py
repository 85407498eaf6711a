"""The read side's one exception: a request the reader can fix (the web layer answers 400)."""

from __future__ import annotations


class SearchError(ValueError):
    """An invalid search parameter; `parameter` names it (e.g. "page", "from")."""

    status = 400

    def __init__(self, message: str, parameter: str | None = None):
        super().__init__(message)
        self.message = message
        self.parameter = parameter

    def to_dict(self) -> dict:
        """The body of the JSON error DESIGN.md describes."""
        error: dict = {"status": self.status, "message": self.message}
        if self.parameter:
            error["parameter"] = self.parameter
        return {"error": error}
