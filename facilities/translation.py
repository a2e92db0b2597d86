"""Which content staff write is translated, with django-modeltranslation.

Each field registered here gets a column per language beside it (``overview_es``, ``overview_de``,
``overview_ar``; ``overview_en`` holds the English). Reading ``procedure.overview`` gives the
active language's text, or the English where that is empty; the original column (``overview``)
always holds the English too (``keep_original_in_english``), so what reads it directly (full-text
search, unique names, the English pages) never sees another language.

Why columns and not a table of translations (django-parler): a page reads the same rows with the
same queries in every language, the existing querysets and indexes keep working, and a missing
translation is a NULL the ``translation_report`` command and the page's "not yet translated" note
can see. The cost is a migration per new language, which adding a language needs anyway.
"""

import dataclasses
from dataclasses import dataclass

from django.conf import settings
from django.db.models import F, TextField, Value
from django.db.models.functions import Coalesce, NullIf
from django.db.models.signals import pre_save
from django.utils import translation
from modeltranslation.translator import TranslationOptions, register

from facilities.models import (
    AccreditationBody,
    Facility,
    FacilityPhoto,
    FacilityProcedure,
    Language,
    Procedure,
    ProcedureCategory,
)

# The sections of a procedure guide, in page order (also the fields "not yet translated" checks).
GUIDE_FIELDS = (
    "summary",
    "overview",
    "indications",
    "contraindications",
    "techniques",
    "benefits",
    "risks",
    "recovery",
    "aftercare",
    "questions",
)


@register(ProcedureCategory)
class ProcedureCategoryTranslation(TranslationOptions):
    fields = ("name", "description")
    # Names are unique in each language: an empty one is NULL, not a second "".
    empty_values = {"name": None}


@register(Procedure)
class ProcedureTranslation(TranslationOptions):
    fields = ("name", "also_known_as", *GUIDE_FIELDS, "translation_reviewer", "translation_reviewed_on")
    empty_values = {"name": None}


@register(Facility)
class FacilityTranslation(TranslationOptions):
    fields = ("description",)


@register(FacilityPhoto)
class FacilityPhotoTranslation(TranslationOptions):
    fields = ("alt_text", "caption")


@register(FacilityProcedure)
class FacilityProcedureTranslation(TranslationOptions):
    fields = ("includes", "notes")


@register(AccreditationBody)
class AccreditationBodyTranslation(TranslationOptions):
    fields = ("assesses",)


@register(Language)
class LanguageTranslation(TranslationOptions):
    fields = ("name",)
    empty_values = {"name": None}


# Fields whose English is the text itself rather than a fallback: a review is of one translation.
NOT_FALLEN_BACK = {"translation_reviewer", "translation_reviewed_on"}

TRANSLATED: dict = {
    ProcedureCategory: ProcedureCategoryTranslation.fields,
    Procedure: ProcedureTranslation.fields,
    Facility: FacilityTranslation.fields,
    FacilityPhoto: FacilityPhotoTranslation.fields,
    FacilityProcedure: FacilityProcedureTranslation.fields,
    AccreditationBody: AccreditationBodyTranslation.fields,
    Language: LanguageTranslation.fields,
}


def localized(field: str, language: str) -> str:
    """The column of ``field`` in ``language``: ``overview_es``."""
    return f"{field}_{language.replace('-', '_')}"


def in_language(path: str, language: str | None = None):
    """A translated field (or a path to one, ``"language__name"``) as SQL: its text in ``language``
    (default: the active one), or the English where that is empty, as reading the field gives.

    For annotations and subqueries, which modeltranslation's rewriting does not reach.
    """
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    english = F(localized(path, settings.LANGUAGE_CODE))
    if language == settings.LANGUAGE_CODE:
        return english
    text = TextField()
    return Coalesce(NullIf(F(localized(path, language)), Value(""), output_field=text), english, output_field=text)


def keep_original_in_english(sender, instance, **kwargs) -> None:
    """Before a save: an empty English column takes the original's value, as when code creates a
    row while another language is active (modeltranslation then fills only that language's
    column). What the original column saves is the English (``_saves_the_english``).
    """
    english = settings.LANGUAGE_CODE
    for field in TRANSLATED[sender]:
        if field in NOT_FALLEN_BACK:
            continue
        column = localized(field, english)
        if getattr(instance, column) in (None, ""):
            setattr(instance, column, instance.__dict__.get(field))


def _saves_the_english(field):
    """The original column's value on save: its English column. (Django saves what the field's
    ``pre_save`` returns, which would otherwise read the active language through modeltranslation's
    descriptor.)"""
    english = localized(field.name, settings.LANGUAGE_CODE)

    def pre_save(model_instance, add):
        value = getattr(model_instance, english)
        return "" if value is None and not field.null else value

    return pre_save


for _model, _fields in TRANSLATED.items():
    pre_save.connect(keep_original_in_english, sender=_model, dispatch_uid=f"translation-english-{_model.__name__}")
    for _name in _fields:
        if _name not in NOT_FALLEN_BACK:
            _field = _model._meta.get_field(_name)
            _field.pre_save = _saves_the_english(_field)


def untranslated_fields(instance, fields, language: str | None = None) -> list[str]:
    """Of ``fields``, those that have English text but none in ``language`` (default: the active
    one), so that the page shows the English: for the "not yet translated" note and ``lang="en"``."""
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    if language == settings.LANGUAGE_CODE:
        return []
    return [
        name
        for name in fields
        if getattr(instance, localized(name, settings.LANGUAGE_CODE)) not in (None, "")
        and getattr(instance, localized(name, language)) in (None, "")
    ]


def translation_review(procedure, language: str | None = None) -> tuple[str, object] | None:
    """Who reviewed the ``language`` translation of a procedure guide, and when; None if nobody."""
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    if language == settings.LANGUAGE_CODE:
        return None
    reviewer = getattr(procedure, localized("translation_reviewer", language))
    if not reviewer:
        return None
    return reviewer, getattr(procedure, localized("translation_reviewed_on", language))


@dataclass
class TranslationReport:
    language: str
    missing: list[tuple[str, list[str]]] = dataclasses.field(default_factory=list)  # (what, [field, ...])
    unreviewed: list[str] = dataclasses.field(default_factory=list)


def missing_translations(language: str) -> TranslationReport:
    """What a visitor in ``language`` would read in English: the content the public site shows."""
    report = TranslationReport(language)
    groups = [
        ("procedure", Procedure.objects.published().order_by("slug"), lambda p: p.slug),
        ("category", ProcedureCategory.objects.order_by("slug"), lambda c: c.slug),
        ("facility", Facility.objects.listed().order_by("slug"), lambda f: f.slug),
        (
            "offer",
            FacilityProcedure.objects.filter(facility__in=Facility.objects.listed())
            .select_related("facility", "procedure")
            .order_by("facility__slug", "procedure__slug"),
            lambda o: f"{o.facility.slug} / {o.procedure.slug}",
        ),
        ("accreditation body", AccreditationBody.objects.order_by("slug"), lambda b: b.slug),
        ("language", Language.objects.order_by("code"), lambda language: language.code),
    ]
    for kind, queryset, name in groups:
        fields = [f for f in TRANSLATED[queryset.model] if f not in NOT_FALLEN_BACK]
        for instance in queryset.iterator(chunk_size=500):
            missing = untranslated_fields(instance, fields, language)
            if missing:
                report.missing.append((f"{kind} {name(instance)}", missing))
            if kind == "procedure" and not translation_review(instance, language):
                report.unreviewed.append(f"{kind} {name(instance)}")
    return report
