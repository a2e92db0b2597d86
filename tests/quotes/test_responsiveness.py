"""Responsiveness, measured: per facility, from its cases; in the admin, and on the public facility
page only once the facility has answered at least five cases."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from facilities.models import FacilityResponsiveness
from facilities.selectors import public_responsiveness
from quotes.models import FacilityCase, QuoteRequest
from quotes.services import cases as case_services
from quotes.services.cases import CaseShare
from quotes.services.workflow import quote_request_transition
from tests.factories import make_facility, make_facility_user, make_quote_request, make_staff
from tests.quotes.test_case_admin import draft

S = QuoteRequest.Status
C = FacilityCase.Status


@pytest.fixture
def hospital(db):
    facility = make_facility(name="Istanbul Spine")
    return facility, make_facility_user(facility=facility), make_staff(username="cora", group="Coordinators")


def answered_cases(hospital, n, *, hours_to_answer=20, decline_every=0):
    facility, office, coordinator = hospital
    for i in range(n):
        quote_request = quote_request_transition(
            quote_request=make_quote_request(), from_status=S.SUBMITTED, to_status=S.IN_REVIEW, actor=coordinator
        )
        [case] = case_services.cases_send(
            quote_request=quote_request,
            from_status=S.IN_REVIEW,
            shares=[CaseShare(facility_id=facility.pk)],
            actor=coordinator,
        )
        sent = timezone.now() - datetime.timedelta(hours=hours_to_answer)
        FacilityCase.objects.filter(pk=case.pk).update(created_at=sent, due_at=sent + datetime.timedelta(hours=72))
        case.refresh_from_db()
        if decline_every and i % decline_every == 0:
            case_services.case_decline(case=case, from_status=C.SENT, actor=office, reason="Full.")
        else:
            case_services.case_quote_submit(case=case, actor=office, draft=draft())
    call_command("refresh_responsiveness", stdout=io.StringIO())


def test_the_public_page_says_nothing_before_five_answered_cases(client, hospital):
    facility = hospital[0]
    answered_cases(hospital, 4)
    assert FacilityResponsiveness.objects.get(facility=facility).cases_answered == 4
    html = client.get(facility.get_absolute_url()).content.decode()
    assert 'id="responsiveness"' not in html and "Usually quotes within" not in html


def test_from_five_answered_cases_the_public_page_shows_how_quickly_the_facility_answers(client, hospital):
    facility = hospital[0]
    answered_cases(hospital, 6, hours_to_answer=30, decline_every=3)
    figures = FacilityResponsiveness.objects.get(facility=facility)
    assert (figures.cases_answered, figures.cases_declined, figures.answered_in_time) == (6, 2, 6)
    summary = public_responsiveness(facility)
    assert summary.usually_quotes_within == "2 days" and summary.in_time_percent == 100
    html = client.get(facility.get_absolute_url()).content.decode()
    assert "Usually quotes within 2 days" in html
    assert "100% of the 6 cases we shared were answered in time." in html


def test_hours_under_a_day_are_said_in_hours(hospital):
    answered_cases(hospital, 5, hours_to_answer=5)
    assert public_responsiveness(hospital[0]).usually_answers_within == "5 hours"


def test_coordinators_see_every_facilitys_figures_in_the_admin(client, hospital):
    facility, _office, coordinator = hospital
    answered_cases(hospital, 2, decline_every=2)
    client.force_login(coordinator)
    response = client.get(reverse("admin:facilities_facilityresponsiveness_changelist"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Istanbul Spine" in html and "50 %" in html  # One of two declined.
    # Read only: the figures come from the cases.
    figures = FacilityResponsiveness.objects.get(facility=facility)
    change = reverse("admin:facilities_facilityresponsiveness_change", args=[figures.pk])
    assert client.post(change, {"cases_answered": 99}).status_code == 403
    figures.refresh_from_db()
    assert figures.cases_answered == 2


def test_a_failing_refresh_after_an_answer_does_not_undo_or_break_it(
    hospital, monkeypatch, django_capture_on_commit_callbacks
):
    from django.db import OperationalError

    from quotes.services import responsiveness

    def locked(_facility_id):
        raise OperationalError("database is locked")

    monkeypatch.setattr(responsiveness, "facility_responsiveness_refresh", locked)
    facility, office, coordinator = hospital
    quote_request = quote_request_transition(
        quote_request=make_quote_request(), from_status=S.SUBMITTED, to_status=S.IN_REVIEW, actor=coordinator
    )
    [case] = case_services.cases_send(
        quote_request=quote_request,
        from_status=S.IN_REVIEW,
        shares=[CaseShare(facility_id=facility.pk)],
        actor=coordinator,
    )
    with django_capture_on_commit_callbacks(execute=True):
        case_services.case_decline(case=case, from_status=C.SENT, actor=office, reason="Full.")
    case.refresh_from_db()
    assert case.status == C.DECLINED
