"""The content staff write, in every language: modeltranslation's columns, the demo content in
Spanish, German and Arabic, the "not yet translated" fallback, translation_report and search."""

import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from facilities import demo_translations
from facilities.models import Facility, FacilityProcedure, Procedure, ProcedureCategory
from facilities.search import facility_search, fold
from facilities.translation import missing_translations, untranslated_fields

LANGUAGES = demo_translations.languages()


def shape(text: str) -> tuple[int, int]:
    """How many blocks (paragraphs or lists) and list items a stored text has."""
    return len(text.split("\n\n")), sum(1 for line in text.splitlines() if line.startswith("- "))


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_demo_text_has_a_translation_of_the_same_shape(language):
    english = demo_translations.english_texts()
    content = demo_translations.content(language)
    problems = []
    for key, fields in english.items():
        translated = content.get(key, {})
        for field, text in fields.items():
            other = translated.get(field, "")
            if not other.strip():
                problems.append(f"{key} {field[:40]}: missing")
            elif key not in ("offer_texts", "photo_views") and shape(other) != shape(text):
                problems.append(f"{key} {field}: {shape(other)} blocks/items, English {shape(text)}")
            elif key == "photo_views" and ("{name}" in text) != ("{name}" in other):
                problems.append(f"{key} {field}: keep {{name}}")
    assert problems == []
    # And nothing is left over from texts the English no longer has.
    assert set(content) == set(english)


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_are_not_the_english(language):
    english = demo_translations.english_texts()
    content = demo_translations.content(language)
    guides = [key for key in english if key.startswith("procedure:")]
    same = [key for key in guides if content[key]["overview"] == english[key]["overview"]]
    assert same == []


@pytest.fixture
def demo(db):
    call_command("load_demo", no_photos=True, no_requests=True, stdout=io.StringIO())


@pytest.mark.parametrize(
    ("language", "query"),
    [("es", "fusión lumbar"), ("es", "fusion lumbar"), ("de", "Wirbelsäulenversteifung"), ("ar", "تثبيت الفقرات")],
)
def test_search_in_each_language_finds_the_procedure_and_its_facilities(client, demo, language, query):
    fusion = Procedure.objects.get(slug="lumbar-spinal-fusion")
    offering = set(
        FacilityProcedure.objects.filter(procedure=fusion, facility__in=Facility.objects.listed()).values_list(
            "facility__slug", flat=True
        )
    )
    assert offering
    with translation.override(language):
        found = set(facility_search(Facility.objects.listed(), query).values_list("slug", flat=True))
        assert offering <= found
        procedures_page = client.get(reverse("procedures:list"), {"q": query}, HTTP_ACCEPT_LANGUAGE=language)
        directory = client.get(reverse("facilities:list"), {"q": query})
    assert procedures_page.status_code == 200
    assert fusion.get_absolute_url().split("/")[-2] in procedures_page.content.decode()
    assert directory.status_code == 200
    page = directory.content.decode()
    with translation.override(language):
        spanish_name = Procedure.objects.get(pk=fusion.pk).name
    assert sum(1 for slug in offering if f"/{slug}/" in page) >= min(len(offering), 10)
    assert spanish_name  # the page is in that language's names
    assert f'<html lang="{language}"' in page


def test_a_procedure_page_reads_in_the_visitors_language(client, demo):
    fusion = Procedure.objects.get(slug="lumbar-spinal-fusion")
    spanish = demo_translations.content("es")["procedure:lumbar-spinal-fusion"]
    with translation.override("es"):
        url = fusion.get_absolute_url()
    assert url.startswith("/es/")
    page = client.get(url).content.decode()
    first_paragraph = spanish["overview"].split("\n\n")[0]
    assert first_paragraph.split(" ")[0] in page
    assert spanish["name"] in page
    assert "not yet translated" not in page
    assert demo_translations.TRANSLATION_REVIEWER in page


def test_a_missing_translation_shows_the_english_marked_and_with_a_note(client, demo):
    fusion = Procedure.objects.get(slug="lumbar-spinal-fusion")
    Procedure.objects.filter(pk=fusion.pk).update(risks_de=None)
    with translation.override("de"):
        url = fusion.get_absolute_url()
        note = translation.gettext("Not yet translated: shown in English.")
    page = client.get(url).content.decode()
    english_risks = fusion.risks_en.split("\n\n")[0][:40]
    assert english_risks in page
    assert note in page
    # The English text is marked as English, for screen readers and translation tools.
    section = page[page.index(note) - 2000 : page.index(note) + 4000]
    assert re.search(r'lang="en"', section)
    assert untranslated_fields(Procedure.objects.get(pk=fusion.pk), ["risks", "overview"], "de") == ["risks"]


def test_translation_report_lists_what_is_missing_per_language(demo):
    out = io.StringIO()
    call_command("translation_report", stdout=out)
    assert "0 field(s) not translated" in out.getvalue()
    ProcedureCategory.objects.filter(slug="spine-surgery").update(description_ar="")
    Procedure.objects.filter(slug="kyphoplasty").update(translation_reviewer_es="")
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 field"):
        call_command("translation_report", stdout=out)
    report = out.getvalue()
    assert "category spine-surgery: description" in report
    assert "procedure kyphoplasty: translation not reviewed" in report
    assert missing_translations("de").missing == []


def test_the_original_column_keeps_the_english_when_saved_in_another_language(demo):
    with translation.override("es"):
        procedure = Procedure.objects.get(slug="laminectomy")
        procedure.summary = "Un resumen nuevo."
        procedure.save()
    procedure.refresh_from_db()
    row = Procedure.objects.rewrite(False).filter(pk=procedure.pk).values("summary", "summary_en", "summary_es").get()
    assert row["summary_es"] == "Un resumen nuevo."
    assert row["summary"] == row["summary_en"] != "Un resumen nuevo."


@override_settings(LANGUAGE_CODE="en")
def test_arabic_search_ignores_optional_vowel_signs():
    assert fold("تَثْبِيت") == fold("تثبيت")
    assert fold("إسبانيا") == fold("اسبانيا")
