"""The one error model of the OAI-PMH side: OAIError(code, message)."""

from __future__ import annotations

ERROR_CODES: frozenset[str] = frozenset({
    "badArgument", "badResumptionToken", "badVerb", "cannotDisseminateFormat",
    "idDoesNotExist", "noRecordsMatch", "noMetadataFormats", "noSetHierarchy",
})


class OAIError(Exception):
    """An OAI-PMH error condition; becomes an HTTP 200 response with <error code=…>."""

    def __init__(self, code: str, message: str, *also: OAIError) -> None:
        if code not in ERROR_CODES:
            raise ValueError(f"unknown OAI-PMH error code {code!r}")
        super().__init__(message)
        self.code = code
        self.message = message
        self.also = also  # further errors of the same request, reported together

    @property
    def echoes_arguments(self) -> bool:
        """The request element repeats the arguments unless the request itself was bad."""
        return self.code not in ("badVerb", "badArgument")
