"""The one error type the CLI reports: a message for the user and a hint."""


class DbscaffoldError(Exception):
    """A failure the user can fix; shown as one line plus a hint, never a traceback."""

    #: 2 for bad input (as argument parsers do), 1 for a conflict with the tree.
    exit_code = 2

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class ConflictError(DbscaffoldError):
    """A file to write exists with other content."""

    exit_code = 1
