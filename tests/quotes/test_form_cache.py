"""The blank quote form is cached with slots for the CSRF token and the form stamp.

Every visitor still gets a token and a stamp of their own, the cache never holds either, and a
directory change shows in the form's lists.
"""

import re

import pytest
from django.core.cache import cache
from django.test import Client

from quotes.models import QuoteRequest
from tests.factories import form_data, make_facility

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
STAMP = re.compile(r'name="stamp" value="([^"]+)"')


def values(html: str) -> tuple[str, str]:
    tokens, stamps = TOKEN.findall(html), STAMP.findall(html)
    assert len(tokens) == len(stamps) == 1
    return tokens[0], stamps[0]


def cached_text() -> str:
    """Everything the (local-memory) cache holds, as text."""
    return " ".join(repr(value) for value in cache._cache.values())


def test_a_second_visitor_gets_the_cached_form_with_their_own_token_and_stamp(
    quote_url, catalogue, django_assert_num_queries
):
    first, second = Client(), Client()
    page = first.get(quote_url)
    with django_assert_num_queries(0):
        again = second.get(quote_url)
    assert again.status_code == 200
    assert again["Cache-Control"] == page["Cache-Control"]
    assert "private" in again["Cache-Control"]
    (token_a, stamp_a), (token_b, stamp_b) = values(page.content.decode()), values(again.content.decode())
    assert token_a != token_b and stamp_a != stamp_b
    # Apart from the two values the pages are the same.
    assert page.content.decode().replace(token_a, "").replace(stamp_a, "") == again.content.decode().replace(
        token_b, ""
    ).replace(stamp_b, "")
    # Each visitor got a CSRF cookie; neither a token nor a cookie secret is in the cache.
    for client, token, stamp in ((first, token_a, stamp_a), (second, token_b, stamp_b)):
        secret = client.cookies["csrftoken"].value
        held = cached_text()
        assert "medtour-slot-" in held
        assert token not in held and secret not in held and stamp not in held


def test_a_cached_form_can_be_sent_with_its_token(quote_url, catalogue, django_capture_on_commit_callbacks):
    Client().get(quote_url)  # Fills the cache.
    browser = Client(enforce_csrf_checks=True)
    token, stamp = values(browser.get(quote_url).content.decode())
    data = form_data(stamp=stamp, facilities=["anadolu-spine"])
    data["csrfmiddlewaretoken"] = token
    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post(quote_url, data)
    assert response.status_code == 302, response.content.decode()[:500]
    assert QuoteRequest.objects.count() == 1


def test_a_form_without_its_token_is_still_refused(quote_url, catalogue):
    Client().get(quote_url)
    browser = Client(enforce_csrf_checks=True)
    _token, stamp = values(browser.get(quote_url).content.decode())
    assert browser.post(quote_url, form_data(stamp=stamp)).status_code == 403
    assert not QuoteRequest.objects.exists()


def checked_facilities(html: str) -> list[str]:
    return sorted(re.findall(r'<input type="checkbox" name="facilities" value="([^"]+)"[^>]*checked', html))


def test_prefilled_forms_are_cached_apart(quote_url, catalogue):
    client = Client()
    for _ in range(2):  # Rendered, then from the cache.
        assert checked_facilities(client.get(quote_url).content.decode()) == []
        prefilled = client.get(quote_url, {"facility": "anadolu-spine"}).content.decode()
        assert checked_facilities(prefilled) == ["anadolu-spine"]


@pytest.mark.parametrize("query", ["procedure=medtour-slot-csrf-8d1c4b", "x=medtour-slot-stamp-8d1c4b"])
def test_a_query_naming_a_slot_is_never_cached_nor_filled_twice(
    quote_url, catalogue, query, django_assert_max_num_queries
):
    client = Client()
    for _ in range(2):
        with django_assert_max_num_queries(20) as counted:
            html = client.get(f"{quote_url}?{query}").content.decode()
        assert len(counted.captured_queries) > 0  # Rendered every time.
        values(html)
    assert "medtour-slot-" not in cached_text()


def test_visitors_with_a_session_get_a_fresh_render(client, quote_url, catalogue, django_assert_max_num_queries):
    client.cookies["sessionid"] = "anything"
    client.get(quote_url)
    with django_assert_max_num_queries(20) as counted:
        values(client.get(quote_url).content.decode())
    assert len(counted.captured_queries) > 0


def test_a_new_destination_shows_in_the_cached_form(quote_url, catalogue, django_capture_on_commit_callbacks):
    client = Client()
    assert 'value="JP"' not in client.get(quote_url).content.decode().split('name="countries"')[1]
    with django_capture_on_commit_callbacks(execute=True):
        make_facility(country="JP", city="Osaka")
    assert 'value="JP"' in client.get(quote_url).content.decode().split('name="countries"')[1]


def test_the_cache_switch_turns_it_off(settings, quote_url, catalogue, django_assert_max_num_queries):
    settings.DIRECTORY_CACHE = False
    client = Client()
    client.get(quote_url)
    with django_assert_max_num_queries(20) as counted:
        values(client.get(quote_url).content.decode())
    assert len(counted.captured_queries) > 0
