"""The quote form: every field's checks, the consents, and how errors are shown."""

import datetime
import re

import pytest
from django.utils import timezone

from quotes import consents
from quotes.models import QuoteRequest
from quotes.services.submission import quote_request_submit
from tests.factories import form_data
from tests.quotes.helpers import PDF, bound_form, element_text, error_codes, one, tags, upload

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def iso(date: datetime.date) -> str:
    return date.isoformat()


@pytest.fixture
def post_invalid(catalogue):
    """Validate the form with these overrides; it must refuse them. Returns the error codes by field."""

    def _post(**overrides) -> dict[str, list[str]]:
        form = bound_form(form_data(**overrides))
        assert not form.is_valid()
        return {field: [error.code for error in errors] for field, errors in form.errors.as_data().items()}

    return _post


@pytest.fixture
def post_valid(catalogue):
    """Validate the form with these overrides and save it as the view does; returns the saved request."""

    def _post(**overrides) -> QuoteRequest:
        form = bound_form(form_data(**overrides))
        assert form.is_valid(), form.errors.as_data()
        submission = quote_request_submit(submission_key=form.submission_key, **form.submission_fields())
        assert submission.created
        return QuoteRequest.objects.get()

    return _post


# Field checks ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        # Name.
        ({"name": ""}, "name", "required"),
        ({"name": "   "}, "name", "required"),
        ({"name": "A"}, "name", "name_too_short"),
        ({"name": " A  "}, "name", "name_too_short"),
        ({"name": "x" * 201}, "name", "max_length"),
        # E-mail.
        ({"email": ""}, "email", "required"),
        ({"email": "not-an-email"}, "email", "invalid"),
        ({"email": "ana@"}, "email", "invalid"),
        ({"email": "ana patient@example.org"}, "email", "invalid"),
        ({"email": "a" * 250 + "@example.org"}, "email", "max_length"),
        # Phone.
        ({"phone": ""}, "phone", "required"),
        ({"phone": "+44 123"}, "phone", "phone"),  # Seven digits.
        ({"phone": "+44 1234 567"}, "phone", "phone"),  # No such UK number.
        ({"phone": "+1 (555) 010-0199"}, "phone", "phone"),  # 555 is no North American area code.
        ({"phone": "+1234 5678 9012 3456"}, "phone", "phone"),  # Sixteen digits.
        ({"phone": "+44 20 CALL NOW"}, "phone", "phone"),
        ({"phone": "+44 20 7946 0000 ext 12"}, "phone", "phone"),
        ({"phone": "+" + "1" * 40}, "phone", "max_length"),
        # Country and language.
        ({"country_of_residence": ""}, "country_of_residence", "required"),
        ({"country_of_residence": "XX"}, "country_of_residence", "invalid_choice"),
        ({"country_of_residence": "GBR"}, "country_of_residence", "invalid_choice"),
        ({"preferred_language": ""}, "preferred_language", "required"),
        ({"preferred_language": "zz"}, "preferred_language", "invalid_choice"),
        # Procedure.
        ({"procedure": "no-such-procedure"}, "procedure", "invalid_choice"),
        ({"procedure": "draft-procedure"}, "procedure", "invalid_choice"),
        # Hospitals and countries.
        ({"facilities": ["paris-unpublished"]}, "facilities", "invalid_choice"),
        ({"facilities": ["madrid-lapsed"]}, "facilities", "invalid_choice"),
        ({"facilities": ["no-such-hospital"]}, "facilities", "invalid_choice"),
        (
            {"facilities": ["anadolu-spine", "berlin-heart", "chennai-eye", "bangkok-joint"]},
            "facilities",
            "too_many_facilities",
        ),
        ({"countries": ["TR", "DE", "IN", "TH"]}, "countries", "too_many_countries"),
        ({"countries": ["FR"]}, "countries", "invalid_choice"),  # Only an unpublished hospital there.
        ({"countries": ["ES"]}, "countries", "invalid_choice"),  # Only a lapsed accreditation there.
        ({"countries": ["US"]}, "countries", "invalid_choice"),
        ({"suggest_facilities": None}, "suggest_facilities", "no_destination"),
        # Travel dates.
        ({"travel_from": iso(TODAY - DAY)}, "travel_from", "past_date"),
        ({"travel_to": iso(TODAY - DAY)}, "travel_to", "past_date"),
        ({"travel_from": iso(TODAY + 3 * 365 * DAY + DAY)}, "travel_from", "far_date"),
        ({"travel_to": iso(TODAY + 4 * 365 * DAY)}, "travel_to", "far_date"),
        ({"travel_from": iso(TODAY + 20 * DAY), "travel_to": iso(TODAY + 10 * DAY)}, "travel_to", "order"),
        ({"travel_from": "31/12/2030"}, "travel_from", "invalid"),
        ({"travel_to": "next summer"}, "travel_to", "invalid"),
        ({"travel_from": "2030-02-30"}, "travel_from", "invalid"),
        # Budget.
        ({"budget_amount": "-1"}, "budget_amount", "min_value"),
        ({"budget_amount": "lots"}, "budget_amount", "invalid"),
        ({"budget_amount": "NaN"}, "budget_amount", "invalid"),
        ({"budget_amount": "Infinity"}, "budget_amount", "invalid"),
        ({"budget_amount": "100.125"}, "budget_amount", "max_decimal_places"),
        ({"budget_amount": "100000001"}, "budget_amount", "max_value"),
        ({"budget_amount": "5000", "budget_currency": ""}, "budget_currency", "currency"),
        # Medical summary.
        ({"condition": ""}, "condition", "required"),
        ({"condition": " \n\t "}, "condition", "required"),
        ({"condition": "x" * 5001}, "condition", "max_length"),
        ({"diagnosis": "x" * 2001}, "diagnosis", "max_length"),
        ({"previous_treatment": "x" * 2001}, "previous_treatment", "max_length"),
        ({"medication": "x" * 2001}, "medication", "max_length"),
        ({"allergies": "x" * 2001}, "allergies", "max_length"),
        # The hidden stamp.
        ({"stamp": None}, "stamp", "required"),
    ],
    ids=lambda value: None if isinstance(value, dict) else str(value),
)
def test_invalid_values_are_refused_beside_their_field(post_invalid, overrides, field, code):
    assert post_invalid(**overrides) == {field: [code]}


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"name": "Al"}, {"name": "Al"}),
        ({"name": "  Ana \t  María\n Patient "}, {"name": "Ana María Patient"}),
        ({"name": "x" * 200}, {"name": "x" * 200}),
        ({"email": "Ana.Patient+quotes@example.org"}, {"email": "Ana.Patient+quotes@example.org"}),
        # Phone numbers are stored as E.164 (more in test_phone.py).
        ({"phone": " +44 20 7946 0321 "}, {"phone": "+442079460321"}),
        ({"phone": "+1 (202) 555-0199"}, {"phone": "+12025550199"}),
        ({"phone": "0044 20-7946-0000"}, {"phone": "+442079460000"}),
        ({"preferred_language": "de"}, {"preferred_language__code": "de"}),
        ({"procedure": ""}, {"procedure": None}),  # "Not sure yet".
        ({"procedure": "knee-replacement"}, {"procedure__slug": "knee-replacement"}),
        ({"condition": "x" * 5000}, {"condition": "x" * 5000}),
        ({"diagnosis": "d" * 2000, "allergies": "Penicillin"}, {"diagnosis": "d" * 2000, "allergies": "Penicillin"}),
        ({"budget_amount": "0", "budget_currency": "EUR"}, {"budget_amount": 0, "budget_currency": "EUR"}),
        (
            {"budget_amount": "12500.50", "budget_currency": "GBP"},
            {"budget_amount": 12500.50, "budget_currency": "GBP"},
        ),
        ({"budget_amount": "", "budget_currency": "USD"}, {"budget_amount": None, "budget_currency": ""}),
        (
            {"travel_from": iso(TODAY), "travel_to": iso(TODAY + 3 * 365 * DAY)},
            {"travel_from": TODAY, "travel_to": TODAY + 3 * 365 * DAY},
        ),
        ({"travel_from": iso(TODAY + 30 * DAY), "travel_to": iso(TODAY + 30 * DAY)}, {"travel_to": TODAY + 30 * DAY}),
        ({"travel_to": iso(TODAY + 60 * DAY)}, {"travel_from": None, "travel_to": TODAY + 60 * DAY}),
    ],
    ids=lambda value: None,
)
def test_valid_values_are_accepted_and_stored(post_valid, overrides, expected):
    quote_request = post_valid(**overrides)
    stored = QuoteRequest.objects.filter(pk=quote_request.pk).values(*expected).get()
    assert stored == expected


def test_listed_hospitals_are_accepted(post_valid, catalogue):
    chosen = ["anadolu-spine", "berlin-heart", "chennai-eye"]
    quote_request = post_valid(facilities=chosen, suggest_facilities=None)
    assert sorted(quote_request.preferred_facilities.values_list("slug", flat=True)) == sorted(chosen)
    assert quote_request.suggest_facilities is False


def test_destination_countries_are_accepted(post_valid):
    quote_request = post_valid(countries=["TR", "IN", "TH"], suggest_facilities=None)
    assert sorted(country.code for country in quote_request.preferred_countries) == ["IN", "TH", "TR"]


def test_countries_offered_are_the_destinations_with_listed_hospitals(client, quote_url, catalogue):
    html = client.get(quote_url).content.decode()
    select = re.search(r'<select name="countries".*?</select>', html, re.S).group(0)
    offered = sorted(re.findall(r'<option value="([A-Z]{2})"', select))
    assert offered == ["DE", "IN", "TH", "TR"]


def test_suggestions_alone_are_a_destination(post_valid):
    quote_request = post_valid(suggest_facilities="on")
    assert quote_request.suggest_facilities is True
    assert not quote_request.preferred_facilities.exists()
    assert list(quote_request.preferred_countries) == []


def test_too_many_hospitals_does_not_also_ask_for_a_destination(post_invalid):
    errors = post_invalid(
        facilities=["anadolu-spine", "berlin-heart", "chennai-eye", "bangkok-joint"], suggest_facilities=None
    )
    assert errors == {"facilities": ["too_many_facilities"]}


@pytest.mark.parametrize(
    "field",
    [
        "name",
        "email",
        "phone",
        "condition",
        "diagnosis",
        "previous_treatment",
        "medication",
        "allergies",
        "country_of_residence",
        "preferred_language",
        "procedure",
        "facilities",
        "countries",
        "travel_from",
        "travel_to",
        "budget_amount",
        "budget_currency",
        "stamp",
    ],
)
def test_nul_characters_give_a_form_error_not_a_server_error(post_invalid, field):
    value = {
        "email": "ana\x00@example.org",
        "phone": "+44 20 7946\x00 0000",
        "facilities": ["anadolu-spine\x00"],
        "countries": ["TR\x00"],
        "travel_from": "2030-01-01\x00",
        "travel_to": "2030-01-01\x00",
        "budget_amount": "100\x00",
    }.get(field, "Some\x00text")
    errors = post_invalid(**{field: value, "budget_amount": "100"} if field == "budget_currency" else {field: value})
    assert field in errors


def test_nul_characters_in_every_field_at_once_give_a_form_page(client, quote_url, catalogue):
    data = form_data(
        name="Ana\x00",
        email="ana\x00@example.org",
        phone="+44\x00 20 7946 0000",
        country_of_residence="G\x00B",
        preferred_language="e\x00n",
        procedure="knee\x00replacement",
        facilities=["anadolu-spine\x00"],
        countries=["T\x00R"],
        travel_from="\x00",
        budget_amount="1\x00",
        condition="Pain\x00",
        diagnosis="\x00",
        stamp="\x00",
    )
    response = client.post(quote_url, data)
    assert response.status_code == 200
    assert {"name", "email", "phone", "condition", "procedure", "facilities", "stamp"} <= set(error_codes(response))
    assert not QuoteRequest.objects.exists()


def test_an_unknown_currency_is_refused(post_invalid):
    assert "invalid_choice" in post_invalid(budget_amount="5000", budget_currency="XYZ")["budget_currency"]


def test_several_errors_are_reported_together(post_invalid):
    errors = post_invalid(name="", email="nope", phone="12345", condition="")
    assert set(errors) == {"name", "email", "phone", "condition"}


# Consents -------------------------------------------------------------------------------------


def test_health_data_consent_is_required(client, quote_url, catalogue):
    response = client.post(quote_url, form_data(consent_health_data=None))
    assert error_codes(response) == {"consent_health_data": ["required"]}
    assert element_text(response.content.decode(), "id_consent_health_data_error") == (
        "We can only prepare a quote if you agree that we may process your health information."
    )
    assert not QuoteRequest.objects.exists()


def test_sharing_consent_is_required(client, quote_url, catalogue):
    response = client.post(quote_url, form_data(consent_sharing=None))
    assert error_codes(response) == {"consent_sharing": ["required"]}
    assert element_text(response.content.decode(), "id_consent_sharing_error") == (
        "We need to share your request with hospitals to get you a quote."
    )
    assert not QuoteRequest.objects.exists()


@pytest.mark.parametrize("value", ["false", "False", ""])
def test_a_consent_sent_as_false_is_not_consent(post_invalid, value):
    assert post_invalid(consent_health_data=value, consent_sharing=value) == {
        "consent_health_data": ["required"],
        "consent_sharing": ["required"],
    }


def test_marketing_consent_is_optional_and_unset_when_unticked(post_valid):
    quote_request = post_valid(consent_marketing=None)
    assert quote_request.consent_marketing_at is None


def test_consents_are_recorded_with_their_version_and_times(post_valid):
    before = timezone.now()
    quote_request = post_valid(consent_marketing="on")
    after = timezone.now()
    assert quote_request.consent_version == consents.CONSENT_VERSION
    for moment in (
        quote_request.consent_health_data_at,
        quote_request.consent_sharing_at,
        quote_request.consent_marketing_at,
    ):
        assert before <= moment <= after


def test_consent_boxes_start_unticked_with_their_wording_and_the_privacy_link(client, quote_url, catalogue):
    html = client.get(quote_url).content.decode()
    for name in ("consent_health_data", "consent_sharing", "consent_marketing"):
        box = one(html, "input", name=name)
        assert box["type"] == "checkbox"
        assert "checked" not in box
    consent_block = re.search(r'<fieldset class="consents">.*?</fieldset>', html, re.S).group(0)
    assert 'href="/privacy/"' in consent_block
    for wording in (consents.HEALTH_DATA, consents.SHARING, consents.MARKETING):
        assert wording in consent_block


# How errors are shown -------------------------------------------------------------------------


def test_errors_keep_what_was_typed_and_point_at_the_field(client, quote_url, catalogue):
    response = client.post(quote_url, form_data(name="Ana Patient", email="not-an-email", condition="Knee pain"))
    html = response.content.decode()
    assert response.status_code == 200

    assert one(html, "input", name="name")["value"] == "Ana Patient"
    assert "aria-invalid" not in one(html, "input", name="name")
    email = one(html, "input", name="email")
    assert email["value"] == "not-an-email"
    assert email["aria-invalid"] == "true"
    assert "id_email_error" in email["aria-describedby"].split()
    assert element_text(html, "id_email_error") == "Enter a valid email address."
    assert "Knee pain" in html  # The textarea keeps its text.

    summary = one(html, "div", id="error-summary")
    assert summary["role"] == "alert"
    assert 'href="#id_email"' in re.search(r'<div class="error-summary".*?</div>', html, re.S).group(0)


@pytest.mark.parametrize(
    ("overrides", "field", "tag"),
    [
        ({"name": ""}, "name", "input"),
        ({"phone": "12345"}, "phone", "input"),
        ({"country_of_residence": "XX"}, "country_of_residence", "select"),
        ({"preferred_language": "zz"}, "preferred_language", "select"),
        ({"procedure": "draft-procedure"}, "procedure", "select"),
        ({"countries": ["US"]}, "countries", "select"),
        ({"suggest_facilities": None}, "suggest_facilities", "input"),
        ({"travel_from": "2001-01-01"}, "travel_from", "input"),
        ({"travel_from": iso(TODAY + 9 * DAY), "travel_to": iso(TODAY + 2 * DAY)}, "travel_to", "input"),
        ({"budget_amount": "-5"}, "budget_amount", "input"),
        ({"budget_amount": "5", "budget_currency": ""}, "budget_currency", "select"),
        ({"condition": ""}, "condition", "textarea"),
        ({"allergies": "x" * 2001}, "allergies", "textarea"),
        ({"consent_health_data": None}, "consent_health_data", "input"),
        ({"consent_sharing": None}, "consent_sharing", "input"),
    ],
    ids=lambda value: value if isinstance(value, str) and value not in {"input", "select", "textarea"} else None,
)
def test_each_error_is_beside_its_field_and_announced(client, quote_url, catalogue, overrides, field, tag):
    response = client.post(quote_url, form_data(**overrides))
    html = response.content.decode()
    assert list(error_codes(response)) == [field]
    error_id = f"id_{field}_error"
    assert element_text(html, error_id)
    widget = one(html, tag, name=field)
    assert widget["aria-invalid"] == "true"
    assert error_id in widget["aria-describedby"].split()
    summary = re.search(r'<div class="error-summary" role="alert".*?</div>', html, re.S).group(0)
    assert f'href="#id_{field}"' in summary
    assert "Please check 1 thing below" in summary


def test_too_many_hospitals_error_is_beside_the_checkboxes(client, quote_url, catalogue):
    chosen = ["anadolu-spine", "berlin-heart", "chennai-eye", "bangkok-joint"]
    response = client.post(quote_url, form_data(facilities=chosen))
    html = response.content.decode()
    assert element_text(html, "id_facilities_error") == "Choose at most three hospitals."
    boxes = tags(html, "input", name="facilities")
    assert sorted(box["value"] for box in boxes) == sorted(chosen)
    assert all("checked" in box and box["aria-invalid"] == "true" for box in boxes)


def test_files_are_kept_after_an_error(client, quote_url, catalogue):
    response = client.post(quote_url, form_data(email="nope", files=[upload("scan.pdf", PDF)]))
    html = response.content.decode()
    summary = re.search(r'<div class="error-summary".*?</div>', html, re.S).group(0)
    assert "you need not choose them again" in summary
    assert "scan.pdf" in element_text(html, "kept-files")
    assert not QuoteRequest.objects.exists()


def test_no_files_message_when_no_files_were_chosen(client, quote_url, catalogue):
    response = client.post(quote_url, form_data(email="nope"))
    assert error_codes(response) == {"email": ["invalid"]}
    assert "please choose your medical files again" not in response.content.decode()


def test_the_corrected_form_can_then_be_sent(client, submit, quote_url, catalogue):
    data = form_data(email="nope")
    response = client.post(quote_url, data)
    html = response.content.decode()
    assert one(html, "input", name="stamp")["value"] == data["stamp"]  # The same form, the same key.
    response = submit({**data, "email": "ana@example.org"})
    assert response.status_code == 302
    assert QuoteRequest.objects.get().email == "ana@example.org"


def test_html_typed_into_the_form_is_shown_escaped(client, quote_url, catalogue):
    response = client.post(
        quote_url,
        form_data(name="<b>Ana</b>", email="nope", condition="<script>alert('x')</script>"),
    )
    html = response.content.decode()
    assert "<script>alert(" not in html
    assert "<b>Ana</b>" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert one(html, "input", name="name")["value"] == "<b>Ana</b>"  # Escaped in the markup, intact when read.


def test_help_texts_are_linked_to_their_fields(client, quote_url, catalogue):
    html = client.get(quote_url).content.decode()
    phone = one(html, "input", name="phone")
    assert phone["aria-describedby"] == "id_phone_helptext"
    assert "+44 20 7946 0000" in element_text(html, "id_phone_helptext")
    files = one(html, "input", name="files")
    assert "multiple" in files
    assert "Up to 10 files, 20 MB each, 50 MB in all." in element_text(html, "id_files_helptext")
