"""Errors a user can act on. The CLI prints them as one line and exits non-zero."""


class ConflictLensError(Exception):
    """Base class: the message is shown to the user as is."""


class InputError(ConflictLensError):
    """The input cannot be read as a news report (empty, binary, too big, no article)."""
