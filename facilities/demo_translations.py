"""The demo content in Spanish, German and Arabic, for ``manage.py load_demo``.

``facilities/demo_content/<language>.json`` holds, for every demo procedure, category, accreditation
body, language and facility, the translation of each English text in ``demo_data`` and
``demo_procedures``, keyed like ``"procedure:lumbar-spinal-fusion"``; ``"offer_texts"`` maps each
English text of a price (what it includes, notes) to its translation, and ``"photo_views"`` each
photo's alt text and caption. Written for Medtour by our own translators, for patients; like the
English, it is demo content that no clinician has reviewed (``TRANSLATION_REVIEWER`` says so).

``tests/facilities/test_demo_translations.py`` checks that every English text has its translation
in every language, with the same paragraphs and list items.
"""

import datetime
import functools
import json
from pathlib import Path

from django.conf import settings

from facilities.translation import localized

CONTENT_DIR = Path(__file__).resolve().parent / "demo_content"
TRANSLATION_REVIEWER = "Medtour translation team (demo content, not reviewed by a clinician)"
TRANSLATION_REVIEWED_ON = datetime.date(2026, 12, 3)


def languages() -> list[str]:
    """The site's languages other than English: each has a file in ``demo_content``."""
    return [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


@functools.cache
def content(language: str) -> dict:
    with (CONTENT_DIR / f"{language}.json").open(encoding="utf-8") as file:
        return json.load(file)


def translated(key: str, values: dict[str, str]) -> dict[str, str]:
    """The columns of ``values``' fields in every other language: ``{"name_es": ..., "name_de": ...}``.

    ``values`` are the English texts; a field the English leaves empty stays empty everywhere.
    """
    columns = {}
    for language in languages():
        texts = content(language).get(key, {})
        for field, english in values.items():
            columns[localized(field, language)] = texts.get(field, "") if english else ""
    return columns


def translated_offer(includes: str, notes: str) -> dict[str, str]:
    """The translated columns of a price's texts (looked up by their English)."""
    columns = {}
    for language in languages():
        texts = content(language)["offer_texts"]
        columns[localized("includes", language)] = texts.get(includes, "") if includes else ""
        columns[localized("notes", language)] = texts.get(notes, "") if notes else ""
    return columns


def translated_photo(alt_text: str, caption: str, name: str) -> dict[str, str]:
    """A demo photo's alt text (with the facility's ``name``) and caption in every other language."""
    columns = {}
    for language in languages():
        views = content(language)["photo_views"]
        columns[localized("alt_text", language)] = views[alt_text].format(name=name)
        columns[localized("caption", language)] = views[caption]
    return columns


def review() -> dict:
    """The "translation reviewed by / on" of every demo guide, in every other language."""
    columns = {}
    for language in languages():
        columns[localized("translation_reviewer", language)] = TRANSLATION_REVIEWER
        columns[localized("translation_reviewed_on", language)] = TRANSLATION_REVIEWED_ON
    return columns


def english_texts() -> dict:
    """Every English text the demo content has, keyed as in the ``demo_content`` files: what a
    translator translates (and what the test compares each language with)."""
    from facilities import demo, demo_data, demo_procedures

    texts: dict = {}
    for category in demo_data.CATEGORIES:
        texts[f"category:{category.slug}"] = {"name": category.name, "description": category.description}
    for procedure in demo_data.PROCEDURES:
        texts[f"procedure:{procedure.slug}"] = {
            "name": procedure.name,
            "summary": procedure.summary,
            **demo_procedures.PAGES[procedure.slug].texts(),
        }
    for body in demo_data.BODIES:
        texts[f"body:{body.slug}"] = {"assesses": body.assesses}
    for code, name in demo_data.LANGUAGES:
        texts[f"language:{code}"] = {"name": name}
    for facility in demo_data.FACILITIES:
        texts[f"facility:{facility.slug}"] = {"description": facility.description}
    offers = [offer for data in demo_data.FACILITIES for offer in data.offers]
    offer_texts = {text for offer in offers for text in (offer.includes, offer.notes)}
    texts["offer_texts"] = {text: text for text in sorted(offer_texts) if text}
    texts["photo_views"] = {text: text for view in demo.PHOTO_VIEWS for text in view}
    return texts
