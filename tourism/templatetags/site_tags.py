"""Template helpers: plain text rendered as safe paragraphs and lists, JSON-LD, canonical URLs."""

import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.template.defaultfilters import date as date_filter
from django.utils import translation
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from tourism.dates import local_format
from tourism.seo import site_base_url

register = template.Library()

# The same escapes Django's json_script uses: nothing in the data can close the script element.
_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


# Languages that write common nouns in small letters inside a sentence ("a lumbar fusion",
# "una fusión lumbar"); German capitalises every noun, Arabic has no capitals.
SMALL_NOUNS = {"en", "es"}


@register.filter(is_safe=False)
def in_sentence(name) -> str:
    """A name (a procedure, a kind of facility) as written inside a sentence in the page's language.

    "Lumbar spinal fusion" → "lumbar spinal fusion" in English and Spanish; German keeps its capital
    ("Wirbelsäulenversteifung"), and an acronym stays one ("MIS lumbar discectomy").
    """
    text = str(name or "")
    language = (translation.get_language() or "").split("-")[0]
    first = text.split(" ", 1)[0]
    if language not in SMALL_NOUNS or not text or (len(first) > 1 and first.isupper()):
        return text
    return text[0].lower() + text[1:]


@register.filter(expects_localtime=True, is_safe=False)
def local_date(value, pattern: str) -> str:
    """A date or time written as the page's language writes it: ``{{ due|local_date:"j F Y" }}``
    gives "9 December 2031", "9 de diciembre de 2031", "9. Dezember 2031" (``tourism.dates``).
    Machine formats ("c", "Y-m-d") stay with Django's ``date``."""
    return date_filter(value, local_format(pattern, translation.get_language()))


@register.filter(is_safe=True)
def prose(text: str | None) -> SafeString:
    """Plain text to HTML: blank lines make paragraphs, lines starting with "- " make a list.

    Every piece of text is escaped; no HTML typed by staff is ever rendered.
    """
    parts: list[str] = []
    for block in (text or "").replace("\r\n", "\n").split("\n\n"):
        lines = [line.strip() for line in block.split("\n") if line.strip()]
        # Within a block, a run of "- " lines is a list and any other run is a paragraph.
        runs: list[tuple[bool, list[str]]] = []
        for line in lines:
            is_item = line.startswith(("- ", "* "))
            if runs and runs[-1][0] == is_item:
                runs[-1][1].append(line)
            else:
                runs.append((is_item, [line]))
        for is_item, run in runs:
            if is_item:
                items = format_html_join("", "<li>{}</li>", ((line[2:].strip(),) for line in run))
                parts.append(format_html("<ul>{}</ul>", items))
            else:
                parts.append(format_html("<p>{}</p>", mark_safe("<br>".join(escape(line) for line in run))))  # noqa: S308
    return mark_safe("\n".join(parts))  # noqa: S308 (every part above is built with escaping)


@register.simple_tag
def json_ld(data: dict) -> SafeString:
    """A schema.org JSON-LD block. A data block, not a script: a strict CSP does not stop it."""
    payload = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_JSON_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(payload))  # noqa: S308


@register.simple_tag(takes_context=True)
def absolute_url(context, path: str) -> str:
    """An absolute URL for canonical links, sitemaps and Open Graph: MEDTOUR_SITE_URL if set."""
    return site_base_url(context.get("request")) + path


@register.filter
def bdi(value) -> SafeString:
    """``value`` isolated from the text around it (``<bdi>``): a reference such as MT-7KQ2 stays whole
    and in order inside a right-to-left sentence."""
    return format_html("<bdi>{}</bdi>", value)
