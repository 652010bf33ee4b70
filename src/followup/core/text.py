"""Characters a calendar may not hold (CALENDAR_RULES.md rule 21).

RFC 5545 allows no control characters in TEXT but tab, line feed and carriage return (the
library escapes those). The strict `ical` parser rejects a whole calendar for one of them.
Text the user types is refused at input (`refuse_control`, exit 2 naming the field); text
pasted into notes, and anything else on its way into a calendar, loses them
(`drop_control`).
"""

from __future__ import annotations

import re

from followup.errors import UsageError

CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Lone surrogates: what Python makes of bytes that are not UTF-8 in a command-line argument.
NOT_UTF8 = re.compile("[\ud800-\udfff]")
# CONTROL as UTF-8 bytes: each of its characters is one byte below 0x80, and UTF-8 writes every
# other character (a lone surrogate too, with "surrogatepass") with bytes from 0x80 up. This
# table maps those bytes to NUL (itself one of them) and leaves every other byte as it is.
_CONTROL_TO_NUL = bytes(0 if CONTROL.match(chr(byte)) else byte for byte in range(256))


def drop_control(text: str) -> str:
    """`text` without the characters of CONTROL.

    Every text of every rendered component comes here, drafts of a few KB included, and
    hardly any holds one: the regex's search costs about 50 instructions a character, so
    it runs only on a text that holds one. A printable text holds none (one call, and most
    single-line texts are); else its UTF-8 bytes tell, mapped through a table, at a fifth
    of the regex's cost."""
    if text.isprintable() or 0 not in text.encode("utf-8", "surrogatepass").translate(
            _CONTROL_TO_NUL):
        return text
    return CONTROL.sub("", text)


def refuse_control(text: str, what: str, field: str | None = None) -> str:
    """`text` unchanged, or a UsageError naming the first control character and its place."""
    if NOT_UTF8.search(text):
        raise UsageError(f"the {what} is not UTF-8 text", field=field)
    found = CONTROL.search(text)
    if found is not None:
        raise UsageError(f"the {what} holds the control character U+{ord(found[0]):04X} at"
                         f" position {found.start() + 1}; remove it", field=field)
    return text
