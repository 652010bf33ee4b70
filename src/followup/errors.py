"""One error hierarchy; the CLI boundary turns it into `Error: …` and an exit code."""


class FollowupError(Exception):
    """Something the user can fix; the message is one line saying what and how."""

    exit_code = 1


class UsageError(FollowupError):
    """Bad input on the command line or in an imported file."""

    exit_code = 2
