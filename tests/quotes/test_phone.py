"""Phone numbers on the quote form: read as the patient dials them, stored as E.164, shown back."""

import pytest

from quotes.forms import phone_international, phone_parse
from quotes.models import QuoteRequest
from tests.factories import form_data
from tests.quotes.helpers import bound_form, error_codes, one

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("typed", "country", "stored"),
    [
        ("0034 612 345 678", "GB", "+34612345678"),  # 00 as the international prefix.
        ("0034 612 345 678", "US", "+34612345678"),  # Even where one dials 011.
        ("612 345 678", "ES", "+34612345678"),  # A Spanish number as dialled in Spain.
        ("612-345-678", "ES", "+34612345678"),
        ("(020) 7946.0000", "GB", "+442079460000"),  # Brackets and dots.
        ("020 7946 0000", "GB", "+442079460000"),
        ("+44 (0)20 7946 0000", "DE", "+442079460000"),
        ("+1 202-555-0199", "GB", "+12025550199"),
        ("0011 44 20 7946 0000", "AU", "+442079460000"),  # Australia's own international prefix.
    ],
)
def test_numbers_are_read_as_dialled_from_the_country_of_residence(typed, country, stored):
    form = bound_form(form_data(phone=typed, country_of_residence=country))
    assert form.is_valid(), form.errors.as_data()
    assert form.cleaned_data["phone"] == stored


@pytest.mark.parametrize(
    ("typed", "country"),
    [
        ("612 345", "ES"),  # Too short.
        ("612 345 678 901 234", "ES"),  # Too long.
        ("112", "GB"),  # Not a number anyone can be called back on.
        ("+99 1234 5678", "GB"),  # No such country code.
        ("020 7946 0000", "ES"),  # A UK number without its country code, from Spain.
        ("+44 20 CALL NOW", "GB"),  # Letters are not read as a keypad's.
        ("+44 20 7946 0000 ext 12", "GB"),  # E.164 has no extensions.
    ],
)
def test_impossible_numbers_are_refused(typed, country):
    form = bound_form(form_data(phone=typed, country_of_residence=country))
    assert not form.is_valid()
    assert [error.code for error in form.errors.as_data()["phone"]] == ["phone"]


def test_the_refusal_names_what_to_type():
    form = bound_form(form_data(phone="612 345", country_of_residence="ES"))
    assert not form.is_valid()
    message = form.errors["phone"][0]
    assert "as you would dial it in Spain" in message
    assert "+34 612 34 56 78" in message  # An example number of the patient's own country.


def test_without_a_country_the_number_needs_its_country_code():
    form = bound_form(form_data(phone="612 345 678", country_of_residence=""))
    assert not form.is_valid()
    assert "with its country code, for example +44 20 7946 0000" in form.errors["phone"][0]
    assert bound_form(form_data(phone="+34 612 345 678", country_of_residence="")).errors.get("phone") is None


def test_the_number_is_stored_as_e164(submit, catalogue):
    response = submit(form_data(phone="0034 612-345-678", country_of_residence="GB"))
    assert response.status_code == 302
    assert QuoteRequest.objects.get().phone == "+34612345678"


def test_a_form_shown_again_shows_the_number_as_it_was_read(submit, catalogue):
    response = submit(form_data(phone="0034 612 345 678", email="nope"))
    assert error_codes(response) == {"email": ["invalid"]}
    assert one(response.content.decode(), "input", name="phone")["value"] == "+34 612 34 56 78"


def test_a_refused_number_is_shown_again_as_typed(submit, catalogue):
    response = submit(form_data(phone="612 345"))
    assert one(response.content.decode(), "input", name="phone")["value"] == "612 345"


def test_stored_numbers_are_written_internationally():
    assert phone_international("+34612345678") == "+34 612 34 56 78"
    assert phone_international("+442079460000") == "+44 20 7946 0000"
    # Numbers stored before E.164 (or erased) are shown as they are.
    assert phone_international("+44 20 7946 0000") == "+44 20 7946 0000"
    assert phone_international("") == ""


def test_parse_returns_none_for_rubbish():
    assert phone_parse("not a number", region="GB") is None
    assert phone_parse("", region="GB") is None
