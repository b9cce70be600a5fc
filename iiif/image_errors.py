"""The one error type of the Image API: a status, the parameter at fault and a short reason."""

from __future__ import annotations

from typing import Any


class IIIFError(Exception):
    """An Image API refusal, shown to the client as plain text with its HTTP status, or as
    `document` (JSON) when it has one: a refused info.json carries the auth services."""

    def __init__(self, status: int, parameter: str, text: str,
                 document: dict[str, Any] | None = None) -> None:
        super().__init__(f"{status} {parameter}: {text}")
        self.status = status
        self.parameter = parameter
        self.text = text
        self.document = document

    def body(self) -> str:
        """The plain-text response body (one line, no stack trace)."""
        return f"{self.parameter}: {self.text}\n" if self.parameter else f"{self.text}\n"


def bad(parameter: str, text: str) -> IIIFError:
    """A 400 Bad Request for one parameter."""
    return IIIFError(400, parameter, text)
