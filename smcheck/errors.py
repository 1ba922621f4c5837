"""The one exception a user's mistake becomes: a one-line message naming where."""

from __future__ import annotations


class InputError(Exception):
    """Bad input: a file, and where in it, and what is wrong. Never a traceback."""

    def __init__(
        self, file: str, problem: str, *, line: int | None = None, column: str | None = None
    ) -> None:
        self.file = file
        self.problem = problem
        self.line = line
        self.column = column
        super().__init__(str(self))

    def __reduce__(self) -> tuple[object, ...]:
        # Raised in an audit worker, it crosses back to the parent pickled.
        return (_rebuild, (self.file, self.problem, self.line, self.column))

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
        if self.column:
            where += f" (column {self.column})"
        return f"{where}: {self.problem}"


def _rebuild(file: str, problem: str, line: int | None, column: str | None) -> InputError:
    return InputError(file, problem, line=line, column=column)


class SetupError(InputError):
    """A problem of an input the whole run shares (the roster, a reference photo, the
    config): no post can be checked right, so the run stops with this one line (exit 2)
    instead of reporting it on every post."""

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild_setup, (self.file, self.problem, self.line, self.column))


def _rebuild_setup(file: str, problem: str, line: int | None, column: str | None) -> SetupError:
    return SetupError(file, problem, line=line, column=column)
