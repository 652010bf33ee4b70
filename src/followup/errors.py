"""One error hierarchy; the CLI boundary turns it into `Error: …` and an exit code.

Below `cli/`, a message describes the problem in the user's terms ("the deadline is before
the interview") and names the value it is about in `field` ("deadline"); the CLI adds the
option that carries it ("--deadline"), the importer the file and the entry.
"""

from __future__ import annotations


class FollowupError(Exception):
    """Something the user can fix; the message is one line saying what and how."""

    exit_code = 1

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class UsageError(FollowupError):
    """Bad input on the command line, in the config or in an imported file."""

    exit_code = 2
