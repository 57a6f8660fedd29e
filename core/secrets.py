"""Secrets: read from the environment or systemd's $CREDENTIALS_DIRECTORY, never from TOML.

A secret named ``x_api_key`` is the environment variable ``AURIA_X_API_KEY`` or, failing
that, the file ``$CREDENTIALS_DIRECTORY/x_api_key`` (what systemd's ``LoadCredential=``
provides). ``SecretFilter`` keeps every known value out of the logs.
"""
from __future__ import annotations

import logging
import os
import re
from pathlib import Path

from core.errors import AuriaError

# The secrets core itself knows; each platform declares its own (publishers/platforms/),
# and reading the declarations adds them here (declare_secrets) ahead of these.
CORE_SECRETS = (
    "gallery_token",  # the bearer token for the gallery's POST /api/generate
)
# Every secret the project knows, this very list growing as platforms are declared: the
# log filter redacts exactly these.
SECRET_NAMES: list[str] = list(CORE_SECRETS)

REDACTED = "***"
MIN_LENGTH = 8  # a shorter credential is no real one, and redacting it would mask ordinary words
NOT_CREDENTIALS: set[str] = set()  # names, public on the platform (a username): any length; declared


def declare_secrets(names, public=()) -> None:
    """Make secret names known (a platform's, from its declaration); `public` are no credential."""
    for name in names:
        if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
            raise ValueError(f"secret names are lower-case identifiers, got {name!r}")
        if name not in SECRET_NAMES:
            SECRET_NAMES.insert(len(SECRET_NAMES) - len(CORE_SECRETS), name)
    NOT_CREDENTIALS.update(public)


def get_secret(name: str) -> str | None:
    """The secret's value, or None when it is not set (an empty value counts as not set)."""
    name = name.lower()
    if name not in SECRET_NAMES:
        raise ValueError(f"unknown secret {name!r}: declare it in its platform's Platform(secrets=...) "
                         "or add it to core.secrets.SECRET_NAMES")
    variable = f"AURIA_{name.upper()}"
    value = os.environ.get(variable, "").strip()
    if value:
        return _checked(name, value, variable)
    folder = os.environ.get("CREDENTIALS_DIRECTORY")
    if not folder:
        return None
    path = Path(folder) / name
    try:
        value = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as e:
        reason = e.strerror if isinstance(e, OSError) else "not UTF-8 text"
        raise AuriaError(f"{path}: cannot read the credential: {reason}") from None
    return _checked(name, value, str(path)) if value else None


def _checked(name: str, value: str, where: str) -> str:
    """The value, or a one-line error that names the secret and where it came from (never
    the value)."""
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        # sent as it is, a line break splits the header, and requests' error shows it whole
        raise AuriaError(f"{where}: the {name} secret has a line break or another control character in it; "
                         "set it again as one line")
    if name not in NOT_CREDENTIALS and len(value) < MIN_LENGTH:
        raise AuriaError(f"{where}: the {name} secret is {len(value)} characters, shorter than {MIN_LENGTH}: "
                         "not a real credential")
    return value


def known_secret_values() -> list[str]:
    """The values of all secrets that are set, longest first (so no value is half-redacted)."""
    values = set()
    for name in SECRET_NAMES:
        try:
            value = get_secret(name)
        except AuriaError:
            continue  # unreadable here, so it cannot be in this process's memory either
        if value and len(value) >= MIN_LENGTH:  # a short username would mask words, and is public
            values.add(value)
    return sorted(values, key=len, reverse=True)


def redact(text: str, values: list[str] | None = None) -> str:
    """``text`` with every secret value masked, also where it appears escaped as Python's
    repr() writes it (an error message quoting a header or a dict of them)."""
    for value in known_secret_values() if values is None else values:
        for form in dict.fromkeys((value, repr(value)[1:-1], value.encode("unicode_escape").decode("ascii"))):
            text = text.replace(form, REDACTED)
    return text


class SecretFilter(logging.Filter):
    """Replaces secret values in a record's message and traceback with ``***``.

    Install it on a handler (not a logger): handler filters see records from every logger.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        values = known_secret_values()
        if not values:
            return True
        record.msg = redact(record.getMessage(), values)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text, values)
        if record.stack_info:
            record.stack_info = redact(record.stack_info, values)
        return True


def write_private(path: Path, text: str) -> None:
    """Write a file only its owner can read (a platform session holds credentials), atomically:
    a crash leaves the old file or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)  # a leftover temporary file would keep its old mode through O_CREAT
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
