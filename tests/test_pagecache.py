"""Whole public pages from the cache (tourism.pagecache): hits, what is never stored, invalidation.

The module is also the URLconf of the tests marked ``urls``: small views wrapped by ``public_page``
that each do one thing a cached page must not (use the CSRF token, set a cookie, ...).
"""

import datetime
from collections import Counter

import pytest
from django.conf import settings as django_settings
from django.contrib import messages
from django.core.cache import cache
from django.db import connection, transaction
from django.http import HttpResponse, HttpResponseNotFound, StreamingHttpResponse
from django.middleware.csrf import get_token
from django.template import engines
from django.template.response import TemplateResponse
from django.test.utils import CaptureQueriesContext
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.cache import cache_control

from facilities.models import Accreditation
from tests.factories import (
    make_accreditation,
    make_body,
    make_category,
    make_facility,
    make_language,
    make_offer,
    make_photo,
    make_procedure,
    make_quote_request,
    page_text,
)
from tourism.pagecache import directory_generation, public_page

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
PUBLIC_PAGES = ["home", "accreditation", "privacy"]

# -- The small views (URLconf of the tests marked ``urls``) ------------------------------------

calls: Counter = Counter()


def counted(view, params=()):
    def counting(request):
        calls[view.__name__] += 1
        return view(request)

    counting.__name__ = view.__name__
    return public_page(params=params)(counting)


def searchable(request):
    # Shows what it was asked for, so that a copy served for other parameters would show.
    return HttpResponse(f"<p>{request.GET.urlencode()} | {request.get_full_path()}</p>")


searchable = counted(searchable, params=("a", "b", "q"))


@counted
def plain(request):
    return HttpResponse("<p>The same for every visitor.</p>")


@counted
def uses_csrf_token(request):
    return HttpResponse(f'<input type="hidden" name="csrfmiddlewaretoken" value="{get_token(request)}">')


@counted
def template_with_csrf_token(request):
    template = engines["django"].from_string('<form method="post">{% csrf_token %}</form>')
    return TemplateResponse(request, template)


@counted
def template_plain(request):
    return TemplateResponse(request, engines["django"].from_string("<p>Rendered late.</p>"))


@counted
def not_found(request):
    return HttpResponseNotFound("<p>Nothing here.</p>")


@counted
def sets_cookie(request):
    response = HttpResponse("<p>Welcome.</p>")
    response.set_cookie("seen", "1")
    return response


@counted
def adds_message(request):
    messages.info(request, "Saved.")
    return HttpResponse("<p>Done.</p>")


@counted
def writes_session(request):
    request.session["visited"] = True
    return HttpResponse("<p>Noted.</p>")


@counted
def streams(request):
    return StreamingHttpResponse(iter([b"<p>", b"streamed", b"</p>"]))


@counted
@cache_control(private=True)
def private(request):
    return HttpResponse("<p>Yours only.</p>")


@counted
@cache_control(no_store=True)
def no_store(request):
    return HttpResponse("<p>Do not keep.</p>")


@counted
@cache_control(no_cache=True)
def no_cache(request):
    return HttpResponse("<p>Ask again.</p>")


urlpatterns = [
    path(f"{view.__name__}/", view)
    for view in [
        plain,
        searchable,
        uses_csrf_token,
        template_with_csrf_token,
        template_plain,
        not_found,
        sets_cookie,
        adds_message,
        writes_session,
        streams,
        private,
        no_store,
        no_cache,
    ]
]
small_views = pytest.mark.urls(__name__)


@pytest.fixture(autouse=True)
def _count_from_zero():
    calls.clear()


def queries_for(client, url, **extra):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **extra)
    assert response.status_code == 200
    return response, len(queries)


@pytest.fixture
def directory(db):
    """A listed facility with an offer and an accreditation, as the public pages show them."""
    body = make_body(name="Joint Commission International", abbreviation="JCI", slug="jci")
    facility = make_facility(accredited=False, country="TR")
    accreditation = make_accreditation(facility=facility, body=body)
    offer = make_offer(facility=facility, procedure=make_procedure(name="Knee replacement"), price_from=7_000)
    return facility, accreditation, offer


# -- Hits --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_a_hit_serves_the_same_html_without_a_query(client, directory, django_assert_num_queries, name):
    first = client.get(reverse(name))
    assert first.templates
    with django_assert_num_queries(0):
        second = client.get(reverse(name))
    assert second.status_code == 200
    assert not second.templates  # Nothing was rendered.
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]
    # The middleware still adds its headers to a hit.
    assert second["Content-Security-Policy"] == first["Content-Security-Policy"]
    assert second["X-Frame-Options"] == "DENY"
    assert "Cookie" in second["Vary"]


def test_each_host_has_its_own_copy(client, directory):
    client.get(reverse("home"))
    response, queries = queries_for(client, reverse("home"), HTTP_HOST="localhost")
    assert queries > 0
    assert 'href="http://localhost/"' in response.content.decode()


@small_views
def test_query_parameters_in_another_order_share_a_copy_and_long_query_strings_are_not_cached(client):
    client.get("/searchable/?a=1&b=2")
    client.get("/searchable/?b=2&a=1")
    assert calls["searchable"] == 1
    client.get("/searchable/?a=2&b=2")
    assert calls["searchable"] == 2
    long_query = "/searchable/?q=" + "x" * 600
    client.get(long_query)
    client.get(long_query)
    assert calls["searchable"] == 4


@small_views
def test_parameters_a_page_does_not_read_make_no_copy_of_their_own(client):
    first = client.get("/searchable/?a=1")
    for n in range(50):
        response = client.get(f"/searchable/?a=1&n={n}&utm_source=mail{n}")
        assert response.content == first.content
    assert calls["searchable"] == 1
    # The view saw the request without them, in its parameters and in its address.
    assert first.content == b"<p>a=1 | /searchable/?a=1</p>"
    for n in range(50):
        client.get(f"/plain/?n={n}")
    assert calls["plain"] == 1
    assert len(cache._cache) == 3  # the directory generation and the two pages


@small_views
def test_a_page_reading_no_parameter_is_one_copy_however_long_the_made_up_query(client):
    client.get("/plain/")
    client.get("/plain/?" + "&".join(f"x{n}=y" for n in range(200)))
    assert calls["plain"] == 1


@small_views
def test_a_made_up_session_cookie_is_served_the_cached_page(client, django_assert_max_num_queries):
    client.get("/plain/")
    client.cookies[django_settings.SESSION_COOKIE_NAME] = "made-up-session-key-0123456789abcdef"
    with django_assert_max_num_queries(1):  # the look-up that finds no such session
        response = client.get("/plain/")
    assert response.status_code == 200 and calls["plain"] == 1
    # And the cookie is deleted, so the next request costs nothing at all.
    assert response.cookies[django_settings.SESSION_COOKIE_NAME].value == ""


@small_views
def test_a_real_session_is_still_never_served_a_copy(client):
    client.get("/plain/")
    client.get("/writes_session/")
    client.get("/plain/")
    assert calls["plain"] == 2


@small_views
def test_an_unreadable_messages_cookie_neither_bypasses_nor_blocks_the_cache(client):
    client.cookies["messages"] = "not-a-signed-value"
    client.get("/plain/")
    client.get("/plain/")
    assert calls["plain"] == 1


@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_decorated_pages_still_refuse_post_and_answer_head(client, name):
    assert client.post(reverse(name)).status_code == 405
    assert client.head(reverse(name)).status_code == 200


def test_a_new_day_gives_a_new_copy(client, directory, monkeypatch):
    client.get(reverse("home"))
    monkeypatch.setattr("tourism.dates.today", lambda: TODAY + datetime.timedelta(days=1))
    _, queries = queries_for(client, reverse("home"))
    assert queries > 0


def test_at_midnight_an_expired_accreditation_leaves_the_cached_home_page(client, monkeypatch):
    # One calendar for the cache keys and the listing rule: moving it moves both, with no edit.
    facility = make_facility(accredited=False)
    make_accreditation(facility=facility, awarded_on=TODAY - datetime.timedelta(days=300), expires_on=TODAY)
    assert "Compare 1 accredited hospital or clinic" in client.get(reverse("home")).content.decode()
    monkeypatch.setattr("tourism.dates.today", lambda: TODAY + datetime.timedelta(days=1))
    assert "Compare 0 accredited hospitals and clinics" in client.get(reverse("home")).content.decode()


def test_directory_cache_off_neither_serves_nor_stores(client, directory, settings):
    settings.DIRECTORY_CACHE = False
    client.get(reverse("home"))
    _, queries = queries_for(client, reverse("home"))
    assert queries > 0
    settings.DIRECTORY_CACHE = True
    _, queries = queries_for(client, reverse("home"))
    assert queries > 0


# -- Requests and responses that never touch the cache ----------------------------------------


@small_views
@pytest.mark.parametrize("start", ["writes_session", "adds_message"])
def test_visitors_with_a_session_or_waiting_messages_are_never_served_from_nor_stored_in_the_cache(client, start):
    client.get(f"/{start}/")  # Now this visitor has a session, or a message waiting.
    client.get("/plain/")
    assert calls["plain"] == 1
    client.cookies.clear()
    client.get("/plain/")  # Nothing was stored for the visitor with a session or a message...
    assert calls["plain"] == 2
    client.get(f"/{start}/")
    client.get("/plain/")  # ... and the anonymous copy is not given to the next one with either.
    assert calls["plain"] == 3


def test_signed_in_staff_get_the_live_page_and_store_nothing(client, admin_client, directory):
    client.get(reverse("accreditation"))
    _, queries = queries_for(admin_client, reverse("accreditation"))
    assert queries > 0
    admin_client.get(reverse("home"))
    _, queries = queries_for(client, reverse("home"))
    assert queries > 0


@small_views
@pytest.mark.parametrize("view", ["uses_csrf_token", "template_with_csrf_token"])
def test_a_page_that_used_the_csrf_token_is_never_stored(client, view):
    first = client.get(f"/{view}/")
    second = client.get(f"/{view}/")
    assert calls[view] == 2
    assert "csrfmiddlewaretoken" in first.content.decode() and "csrfmiddlewaretoken" in second.content.decode()
    assert second.cookies[django_settings.CSRF_COOKIE_NAME].value


@small_views
def test_a_template_response_is_stored_once_rendered(client):
    client.get("/template_plain/")
    response = client.get("/template_plain/")
    assert calls["template_plain"] == 1
    assert response.content == b"<p>Rendered late.</p>"


@small_views
@pytest.mark.parametrize(
    "view",
    ["not_found", "sets_cookie", "adds_message", "writes_session", "streams", "private", "no_store", "no_cache"],
)
def test_responses_that_are_not_everyones_alike_are_never_stored(client, view):
    client.get(f"/{view}/")
    client.cookies.clear()  # The cookies the first answer set would bypass the cache anyway.
    client.get(f"/{view}/")
    assert calls[view] == 2


# -- Invalidation ------------------------------------------------------------------------------


def test_a_revoked_accreditation_shows_at_once(client, directory, django_capture_on_commit_callbacks):
    _, accreditation, _ = directory
    assert "Compare 1 accredited hospital or clinic" in client.get(reverse("home")).content.decode()
    assert "1 listed facility currently accredited" in client.get(reverse("accreditation")).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        accreditation.status = Accreditation.Status.REVOKED
        accreditation.save()

    assert "Compare 0 accredited hospitals and clinics" in client.get(reverse("home")).content.decode()
    assert "No listed facility is currently accredited by JCI" in client.get(reverse("accreditation")).content.decode()


def test_a_changed_price_and_procedure_name_show_at_once(client, directory, django_capture_on_commit_callbacks):
    _, _, offer = directory
    assert "from US$7,000" in page_text(client.get(reverse("home")).content.decode())

    with django_capture_on_commit_callbacks(execute=True):
        offer.price_from = 6_500
        offer.save()
    html = client.get(reverse("home")).content.decode()
    assert "from US$6,500" in page_text(html) and "from US$7,000" not in page_text(html)

    with django_capture_on_commit_callbacks(execute=True):
        offer.procedure.name = "Total knee replacement"
        offer.procedure.save()
    assert "Total knee replacement" in client.get(reverse("home")).content.decode()


def test_an_unpublished_facility_leaves_the_home_page(client, directory, django_capture_on_commit_callbacks):
    facility, _, _ = directory
    client.get(reverse("home"))
    with django_capture_on_commit_callbacks(execute=True):
        facility.is_published = False
        facility.save()
    assert "Compare 0 accredited" in client.get(reverse("home")).content.decode()


def test_changes_made_in_the_admin_show_at_once(client, admin_client, directory, django_capture_on_commit_callbacks):
    facility, accreditation, offer = directory
    client.get(reverse("home"))
    client.get(reverse("accreditation"))

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:facilities_facilityprocedure_change", args=[offer.pk]),
            {
                "facility": facility.pk,
                "procedure": offer.procedure_id,
                "price_from": 5_900,
                "price_to": 9_000,
                "includes": offer.includes,
                "notes": "",
            },
        )
    assert response.status_code == 302
    assert "from US$5,900" in page_text(client.get(reverse("home")).content.decode())

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:facilities_accreditation_change", args=[accreditation.pk]),
            {
                "facility": facility.pk,
                "body": accreditation.body_id,
                "programme": accreditation.programme,
                "level": accreditation.level,
                "awarded_on": accreditation.awarded_on.isoformat(),
                "expires_on": accreditation.expires_on.isoformat(),
                "last_survey_on": "",
                "verification_url": accreditation.verification_url,
                "status": Accreditation.Status.SUSPENDED,
            },
        )
    assert response.status_code == 302
    assert "No listed facility is currently accredited by JCI" in client.get(reverse("accreditation")).content.decode()
    assert "Compare 0 accredited" in client.get(reverse("home")).content.decode()


def test_unpublishing_with_the_admin_action_shows_at_once(
    client, admin_client, directory, django_capture_on_commit_callbacks
):
    facility, _, _ = directory
    client.get(reverse("home"))
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            reverse("admin:facilities_facility_changelist"), {"action": "unpublish", "_selected_action": [facility.pk]}
        )
    assert "Compare 0 accredited" in client.get(reverse("home")).content.decode()


def test_a_rolled_back_change_leaves_the_cache_alone(
    client, directory, django_capture_on_commit_callbacks, django_assert_num_queries
):
    _, accreditation, _ = directory
    first = client.get(reverse("home"))
    generation = directory_generation()

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        accreditation.status = Accreditation.Status.REVOKED
        accreditation.save()
        raise RuntimeError("the edit fails half-way")

    assert callbacks == []
    assert directory_generation() == generation
    with django_assert_num_queries(0):
        assert client.get(reverse("home")).content == first.content


def test_nothing_changes_before_the_commit(directory, django_capture_on_commit_callbacks):
    # A reader that caches while the edit is still open must do so under the old generation.
    _, accreditation, _ = directory
    generation = directory_generation()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        accreditation.status = Accreditation.Status.REVOKED
        accreditation.save()
    assert directory_generation() == generation
    for callback in callbacks:
        callback()
    assert directory_generation() != generation


@pytest.mark.django_db(transaction=True)
def test_committed_changes_invalidate_and_rolled_back_ones_do_not(client):
    """With real transactions: the on-commit hook runs on commit and is dropped on rollback."""
    facility = make_facility(country="IN")
    assert "Compare 1 accredited" in client.get(reverse("home")).content.decode()

    with pytest.raises(RuntimeError), transaction.atomic():
        facility.is_published = False
        facility.save()
        raise RuntimeError("rolled back")
    _, queries = queries_for(client, reverse("home"))
    assert queries == 0

    facility.is_published = False
    facility.save()
    response, queries = queries_for(client, reverse("home"))
    assert queries > 0
    assert "Compare 0 accredited" in response.content.decode()


@pytest.mark.parametrize(
    "make",
    [
        make_facility,
        make_accreditation,
        make_body,
        make_photo,
        make_offer,
        make_procedure,
        make_category,
        make_language,
    ],
    ids=lambda make: make.__name__,
)
def test_saving_or_deleting_any_directory_row_invalidates(make, django_capture_on_commit_callbacks):
    row = make()
    generation = directory_generation()
    with django_capture_on_commit_callbacks(execute=True):
        row.save()
    saved = directory_generation()
    assert saved != generation
    with django_capture_on_commit_callbacks(execute=True):
        row.delete()
    assert directory_generation() != saved


def test_changing_languages_or_related_procedures_invalidates(django_capture_on_commit_callbacks):
    facility = make_facility()
    language = make_language()
    procedure, other = make_procedure(), make_procedure()
    for change in [
        lambda: facility.languages.add(language),
        lambda: facility.languages.remove(language),
        lambda: procedure.related.add(other),
        lambda: procedure.related.clear(),
    ]:
        generation = directory_generation()
        with django_capture_on_commit_callbacks(execute=True):
            change()
        assert directory_generation() != generation


def test_quote_activity_does_not_invalidate(django_capture_on_commit_callbacks):
    # Only directory data turns the pages over; a patient's request is not directory data.
    facility = make_facility()
    english = make_language(code="en", name="English")
    generation = directory_generation()
    with django_capture_on_commit_callbacks(execute=True):
        make_quote_request(facilities=[facility], preferred_language=english)
    assert directory_generation() == generation


def test_a_flood_of_made_up_parameters_adds_no_entry_to_the_cache(client, directory, django_assert_num_queries):
    """Issue 13: ~5,000 GETs of ``/privacy/?n=$i`` filled the cache and pushed other entries out."""
    for n in range(200):
        assert client.get(f"{reverse('privacy')}?n={n}").status_code == 200
    client.get(reverse("facilities:list"))
    before = len(cache._cache)
    with django_assert_num_queries(0):
        for n in range(200):
            response = client.get(reverse("facilities:list"), {"utm_source": f"mail{n}", "fbclid": n})
            assert response.status_code == 200
    assert len(cache._cache) == before
    # A parameter the directory does read is still a page of its own.
    client.get(reverse("facilities:list"), {"q": "spine"})
    assert len(cache._cache) > before
