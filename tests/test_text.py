"""core/text.py: the characters a calendar may not hold (CALENDAR_RULES.md rule 21) are
dropped from every text, whatever else the text holds; drop_control substitutes only when
its cheap check finds one, and that check must never miss one."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from followup.core.text import CONTROL, drop_control

# Any code point: control characters, lone surrogates, other scripts, emoji.
ANY = st.text(st.characters(exclude_categories=()), max_size=60)


def test_exact_values() -> None:
    assert drop_control("Acme\x01 Robotics\x7f") == "Acme Robotics"
    assert drop_control("line one\nline\ttwo\r\n") == "line one\nline\ttwo\r\n"  # allowed
    assert drop_control("\x00\x08\x0b\x0c\x0e\x1f") == ""
    assert drop_control("Müller\u00a0\u202f😀\ud800\x1b[31m") == "Müller\u00a0\u202f😀\ud800[31m"
    assert drop_control("") == ""


def test_every_character_of_the_basic_plane_is_judged_as_the_regex_judges_it() -> None:
    # Each character alone and beside a line feed (so that `isprintable` does not decide):
    # the check before the substitution would let a control character through otherwise.
    for code in range(0x10000):
        for text in (chr(code), f"a\n{chr(code)}é"):
            assert drop_control(text) == CONTROL.sub("", text), hex(code)


@given(ANY)
@settings(max_examples=300)
def test_drop_control_is_the_regex_substitution(text: str) -> None:
    assert drop_control(text) == CONTROL.sub("", text)
