"""Marking content shown in English because its translation is missing (facilities/translation.py).

``{% fallback_lang procedure "risks" %}`` writes ``lang="en" dir="ltr"`` into the element holding a
text shown in English on a page in another language (so screen readers read it as English and an
Arabic page keeps it left to right); ``procedure|untranslated:"overview,risks"`` is true when any
of those fields is shown in English, for the "not yet translated" note.
"""

from django import template
from django.conf import settings
from django.utils.html import format_html

from facilities.translation import translation_review, untranslated_fields

register = template.Library()


@register.simple_tag
def fallback_lang(instance, field: str) -> str:
    if instance is None or not untranslated_fields(instance, [field]):
        return ""
    return format_html(' lang="{}" dir="ltr"', settings.LANGUAGE_CODE)


@register.filter
def untranslated(instance, fields: str) -> bool:
    return instance is not None and bool(untranslated_fields(instance, [name.strip() for name in fields.split(",")]))


@register.simple_tag
def review_of_translation(procedure):
    """``(reviewer, date)`` of the page's translation into the active language, or None."""
    return translation_review(procedure)


@register.inclusion_tag("includes/translated_text.html")
def translated(instance, field: str, style: str = "inline") -> dict:
    """A translated text as the page shows it: in the active language, or the English marked as
    English with a "not yet translated" note. ``style`` is "inline" (a span), "prose" (paragraphs
    and lists, through the ``prose`` filter) or "lines" (line breaks kept, ``linebreaks``)."""
    return {
        "text": getattr(instance, field) if instance is not None else "",
        "fallback": instance is not None and bool(untranslated_fields(instance, [field])),
        "style": style,
        "english": settings.LANGUAGE_CODE,
    }
