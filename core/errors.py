"""The one error type the CLI shows to a user as a single line (and a non-zero exit)."""


class AuriaError(Exception):
    """A problem the user can fix: bad input, a missing file, a malformed config.

    The message is one line that names the thing at fault and the problem.
    """
