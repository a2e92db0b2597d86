"""Text a person can see: a field holding nothing but invisible characters holds nothing.

``str.strip()`` removes spaces and line breaks, but not the characters that show nothing and are
not "whitespace" to Python: the zero-width space and joiners, the word joiner, the byte-order mark,
direction marks, the soft hyphen (all Unicode's "format" characters, Cf), and the letters some
scripts use as blank fillers. A reply of a single zero-width space used to count as the patient's
answer. Forms use ``VisibleCharField`` and services ``visible_text`` wherever text is required.

Inside text nothing is removed: a zero-width non-joiner between Persian letters, or a joiner in
an emoji, is part of what was written.
"""

import unicodedata

from django import forms

# Letters that draw as nothing: the Hangul fillers and the blank Braille pattern.
BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp"})


def invisible(character: str) -> bool:
    if character == "\x00":
        return False  # Left for the fields' own check, which says it cannot be stored.
    return character.isspace() or character in BLANK_LETTERS or unicodedata.category(character) in INVISIBLE_CATEGORIES


def visible_text(value: str | None) -> str:
    """``value`` without the invisible characters at either end: '' when nothing in it shows."""
    value = value or ""
    start, end = 0, len(value)
    while start < end and invisible(value[start]):
        start += 1
    while end > start and invisible(value[end - 1]):
        end -= 1
    return value[start:end]


class VisibleCharField(forms.CharField):
    """A ``CharField`` whose text of nothing but invisible characters is empty (so "required" holds)."""

    def to_python(self, value):
        value = super().to_python(value)
        if isinstance(value, str) and value not in self.empty_values and self.strip:
            return visible_text(value) or self.empty_value
        return value
