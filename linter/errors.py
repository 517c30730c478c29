"""Errors a user can cause (bad files, bad flags). The CLI turns them into one line and exit code 2."""

from __future__ import annotations


class InputError(Exception):
    """A problem with what the user gave us: a file, a flag, a build context.

    Carries the file and (1-based) line so the message can point at it. Never used for bugs in venvlint.
    """

    def __init__(self, message: str, file: str | None = None, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line

    def __str__(self) -> str:
        where = ""
        if self.file is not None:
            where = self.file if self.line is None else f"{self.file}:{self.line}"
            where += ": "
        return f"{where}{self.message}"
