"""E-mails in the reader's language: a patient's in the language they chose on the form (or browsed
in, when the site does not have theirs), a facility's in its office's language, the coordinators'
in the site's; coordinators see which language the patient gets."""

import datetime

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from quotes.models import QuoteRequest
from quotes.services.case_moves import office_mail
from quotes.services.outbox import notification_new, notifications_queue, notifications_send
from tests.factories import form_data, make_case, make_facility, make_facility_user, make_language, make_quote_request
from tests.quotes.helpers import open_status

pytestmark = pytest.mark.django_db


def dear(language: str, name: str) -> str:
    with translation.override(language):
        return gettext("Dear %(name)s,") % {"name": name}


def quote_form(language: str) -> str:
    with translation.override(language):
        return reverse("quotes:request")


@pytest.mark.parametrize(
    ("browsing", "asked", "expected"),
    [
        ("en", "de", "de"),  # Asked for German on the English page: German.
        ("es", "tr", "es"),  # Asked for Turkish, which the site has not: the Spanish they browsed in.
        ("ar", "ar", "ar"),
        ("ar", "en", "en"),  # Asked for English on the Arabic page: English.
    ],
)
def test_the_patients_mail_is_in_the_language_they_chose_or_browsed_in(
    client, django_capture_on_commit_callbacks, mailoutbox, catalogue, browsing, asked, expected
):
    if asked not in ("en", "de"):
        make_language(code=asked, name=asked.upper())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(quote_form(browsing), form_data(preferred_language=asked))
    assert response.status_code == 302, response.content.decode()[:500]
    notifications_send()
    quote_request = QuoteRequest.objects.get()
    assert quote_request.language == expected
    assert quote_request.consent_language == browsing  # The page whose consent wording they agreed to.
    [patient_mail] = [mail for mail in mailoutbox if mail.to == [quote_request.email]]
    assert patient_mail.body.startswith(dear(expected, quote_request.name))
    assert dear(expected, quote_request.name) in patient_mail.alternatives[0][0]
    # Its link opens the status page in that language.
    prefix = "" if expected == "en" else f"/{expected}"
    assert f"{prefix}/quote/status/" in patient_mail.body
    if expected != "en":
        assert dear("en", quote_request.name) not in patient_mail.body
    # The coordinators' mail about it stays in the site's language.
    [coordinators] = [mail for mail in mailoutbox if mail.to != [quote_request.email]]
    assert "/es/" not in coordinators.body and "/ar/" not in coordinators.body


def test_a_later_mail_to_the_patient_keeps_their_language(mailoutbox):
    quote_request = make_quote_request(language="es")
    context = {"name": quote_request.name, "reference": quote_request.reference}
    notifications_queue([notification_new(quote_request, quote_request.email, "patient_new_message", context)])
    notifications_send()
    [mail] = mailoutbox
    with translation.override("es"):
        assert mail.body.startswith(gettext("Hello %(name)s,") % {"name": quote_request.name})
        subject = gettext("A new message about your request %(reference)s") % {"reference": quote_request.reference}
    assert mail.subject == subject


def test_a_facilitys_mail_is_in_its_offices_language(mailoutbox):
    facility = make_facility(office_language="de")
    office = make_facility_user(facility=facility)
    case = make_case(quote_request=make_quote_request(), facility=facility)
    notifications_queue(office_mail(case, "facility_case_message"))
    notifications_send()
    [mail] = mailoutbox
    assert mail.to == [office.email]
    with translation.override("de"):
        portal = reverse("partners:case", kwargs={"reference": case.reference})
    assert portal.startswith("/de/")
    assert portal in mail.body
    english = make_facility()
    make_facility_user(facility=english)
    mailoutbox.clear()
    notifications_queue(
        office_mail(make_case(quote_request=make_quote_request(), facility=english), "facility_case_message")
    )
    notifications_send()
    [english_mail] = mailoutbox
    assert english_mail.subject != mail.subject


def test_coordinators_see_the_language_the_patient_gets(admin_client):
    quote_request = make_quote_request(language="ar", consent_language="es")
    page = admin_client.get(reverse("admin:quotes_quoterequest_change", args=[quote_request.pk])).content.decode()
    assert "our e-mails and their page in العربية" in page
    assert "Consents read in" in page and "Español" in page


@pytest.mark.parametrize(
    ("language", "written"),
    [
        ("en", "Tuesday 9 December 2031, 14:00 (Europe/Madrid)"),
        ("es", "martes 9 de diciembre de 2031, 14:00 (Europe/Madrid)"),
        ("de", "Dienstag, 9. Dezember 2031, 14:00 (Europe/Madrid)"),
    ],
)
def test_dates_in_a_patients_mail_are_written_as_their_language_writes_them(mailoutbox, language, written):
    quote_request = make_quote_request(language=language, time_zone="Europe/Madrid")
    due = datetime.datetime(2031, 12, 9, 13, 0, tzinfo=datetime.UTC)
    context = {"reference": quote_request.reference, "first_reply_due_at": due.isoformat(), "procedure": ""}
    context["name"] = quote_request.name
    notifications_queue([notification_new(quote_request, quote_request.email, "patient_submitted", context)])
    notifications_send()
    [mail] = mailoutbox
    assert written in mail.body
    assert written in mail.alternatives[0][0]


def test_pages_write_dates_in_the_pages_language(client):
    quote_request = make_quote_request(language="de")
    open_status(client, quote_request)
    with translation.override("de"):
        page = client.get(reverse("quotes:status_page")).content.decode()
    created = quote_request.created_at.astimezone(datetime.UTC)
    with translation.override("de"):
        month = gettext(created.strftime("%B"))
    assert f"{created.day}. {month}" in page or f"{created.day}. {month[:3]}" in page
