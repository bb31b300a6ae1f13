"""Errors probkg raises for bad input, failed checks and unavailable services.

Each error renders as one line that names where the problem is (file and line, query
parameter, endpoint), so the command line can print ``str(error)`` and nothing else.
The exit code the command line uses is carried by the class.
"""

from __future__ import annotations

__all__ = [
    "EndpointError",
    "InputError",
    "ProbkgError",
    "QueryError",
    "StoreError",
    "ValidationFailed",
]


class ProbkgError(Exception):
    """Base class. ``exit_code`` is what ``probkg`` exits with when this error stops a command."""

    exit_code = 2

    def __init__(
        self, message: str, *, path: str | None = None, line: int | None = None, column: int | None = None
    ) -> None:
        self.message = message
        self.path = path
        self.line = line
        self.column = column
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = ""
        if self.path:
            where = self.path
            if self.line is not None:
                where += f":{self.line}"
                if self.column is not None:
                    where += f":{self.column}"
            where += ": "
        return f"{where}{self.message}"


class InputError(ProbkgError):
    """A file, option or parameter the user gave cannot be used (malformed, missing, unknown)."""

    exit_code = 2


class QueryError(InputError):
    """A named query is unknown, a parameter is missing or malformed, or SPARQL does not parse."""


class ValidationFailed(ProbkgError):
    """Data broke a SHACL constraint; nothing was written. ``report`` holds the results."""

    exit_code = 1

    def __init__(self, message: str, *, report: object | None = None, path: str | None = None) -> None:
        self.report = report
        super().__init__(message, path=path)


class StoreError(ProbkgError):
    """The store cannot be opened or written (locked, corrupt, wrong version)."""

    exit_code = 3


class EndpointError(StoreError):
    """A remote SPARQL endpoint is unreachable, timed out or answered with an error status."""
