"""The one error type of the pipeline: bad input, named by file and line."""

from __future__ import annotations

from pathlib import Path


class InputError(Exception):
    """Input the pipeline cannot use; the command line prints it as one line and exits 2."""

    def __init__(self, path: Path | str, line: int | None, message: str, hint: str | None = None):
        super().__init__(message)
        self.path = Path(path)
        self.line = line
        self.message = message
        self.hint = hint

    def __reduce__(self):
        # Rebuilt from its fields when it crosses a process boundary (parallel rendering).
        return (InputError, (self.path, self.line, self.message, self.hint))

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else str(self.path)
        text = f"{where}: {self.message}"
        return f"{text} ({self.hint})" if self.hint else text
