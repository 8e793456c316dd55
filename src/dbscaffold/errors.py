"""The one error type the CLI reports: a message for the user and a hint."""


class DbscaffoldError(Exception):
    """A failure the user can fix; shown as one line plus a hint, never a traceback."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
