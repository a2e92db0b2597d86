"""Facility offices on Medtour: a directory editor invites the first manager, the link works once
for 72 hours, joining makes a facility user (never staff), and managers invite and remove colleagues."""

import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from facilities.models import FacilityInvitation, FacilityMembership
from quotes.models import Notification
from quotes.services.invitations import InvitationError, invitation_accept, invitation_send
from quotes.services.outbox import render_notification
from tests.factories import make_facility, make_facility_user, make_staff

User = get_user_model()
PASSWORD = "a sturdy new passphrase 42"
LINK_RE = re.compile(r"/partners/join/([A-Za-z0-9_-]+)/")


@pytest.fixture
def facility(db):
    return make_facility(name="Istanbul Spine")


@pytest.fixture
def editor(db):
    return make_staff(username="eddie", group="Directory editors")


def client_for(user) -> Client:
    other = Client()
    other.force_login(user)
    return other


def link_of(invitation) -> str:
    mail = render_notification(Notification.objects.get(invitation=invitation))
    [token] = LINK_RE.findall(mail.body)
    assert token in mail.alternatives[0][0]
    return reverse("partners:join_link", kwargs={"token": token})


def join_data(**overrides) -> dict:
    data = {
        "first_name": "Ayse",
        "last_name": "Kaya",
        "username": "ayse",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    data.update(overrides)
    return data


def test_an_editor_invites_the_first_manager_who_joins_once_with_the_link(client, facility, editor):
    client.force_login(editor)
    response = client.post(
        reverse("admin:facilities_facilityinvitation_add"),
        {"facility": facility.pk, "email": "chief@istanbul.example", "role": "manager"},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    invitation = FacilityInvitation.objects.get()
    assert invitation.invited_by == editor
    assert invitation.expires_at - timezone.now() > datetime.timedelta(hours=71)
    row = Notification.objects.get(invitation=invitation)
    assert row.recipient == "chief@istanbul.example"
    assert invitation.token not in str(row.context)  # The secret is stored nowhere.
    url = link_of(invitation)

    client.logout()
    response = client.get(url)
    assert response.status_code == 302 and response["Location"] == reverse("partners:join")
    page = client.get(reverse("partners:join"))
    assert page.status_code == 200 and "Istanbul Spine" in page.content.decode()
    assert invitation.token not in page.content.decode()
    response = client.post(reverse("partners:join"), join_data())
    assert response.status_code == 302
    user = User.objects.get(username="ayse")
    assert user.email == "chief@istanbul.example" and not user.is_staff and not user.is_superuser
    membership = FacilityMembership.objects.get(user=user)
    assert (membership.facility, membership.role, membership.invited_by) == (facility, "manager", editor)
    invitation.refresh_from_db()
    assert invitation.accepted_at and invitation.user == user
    assert int(client.session["_auth_user_id"]) == user.pk
    # Signed in with the password only: the portal first has them set up the second factor.
    response = client.get(reverse("partners:inbox"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account:setup"))
    # The link is used up, in this browser and in any other.
    client.logout()
    assert client.get(url).status_code == 410
    assert client.get(reverse("partners:join")).status_code == 410


def test_an_expired_withdrawn_or_made_up_link_is_refused(client, facility, editor):
    expired = invitation_send(facility=facility, email="a@x.example", role="manager", invited_by=editor)
    withdrawn = invitation_send(facility=facility, email="b@x.example", role="manager", invited_by=editor)
    FacilityInvitation.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    client.force_login(editor)
    client.post(
        reverse("admin:facilities_facilityinvitation_changelist"),
        {"action": "withdraw", "_selected_action": [withdrawn.pk]},
    )
    client.logout()
    for url in (link_of(expired), link_of(withdrawn)):
        response = client.get(url)
        assert response.status_code == 410 and "no longer works" in response.content.decode()
    for token in ("x", "A" * 43, "A" * 500, "%00"):
        assert client.get(f"/partners/join/{token}/").status_code in (400, 404, 410)
    assert client.get(reverse("partners:join")).status_code == 410
    assert not FacilityMembership.objects.exists()


def test_a_newer_invitation_replaces_the_older_one_for_the_same_address(facility, editor):
    first = invitation_send(facility=facility, email="a@x.example", role="manager", invited_by=editor)
    invitation_send(facility=facility, email="A@x.example", role="case_handler", invited_by=editor)
    first.refresh_from_db()
    assert first.revoked_at is not None
    assert FacilityInvitation.objects.usable().count() == 1


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"password2": "something else entirely"}, "password2"),
        ({"password1": "123", "password2": "123"}, "password1"),
        ({"username": "taken"}, "username"),
        ({"username": "bad name!"}, "username"),
        ({"first_name": "A\x00"}, "first_name"),
        ({"first_name": ""}, "first_name"),
        ({"username": "x" * 300}, "username"),
    ],
)
def test_a_bad_join_form_says_what_to_fix_and_creates_nothing(client, facility, editor, overrides, field):
    make_staff(username="taken")
    invitation = invitation_send(facility=facility, email="a@x.example", role="manager", invited_by=editor)
    client.get(link_of(invitation))
    users = User.objects.count()
    response = client.post(reverse("partners:join"), join_data(**overrides))
    assert response.status_code == 400
    assert response.context["form"].errors.get(field)
    assert User.objects.count() == users
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_of_two_tabs_joining_with_one_invitation_one_joins(facility, editor):
    invitation = invitation_send(facility=facility, email="a@x.example", role="manager", invited_by=editor)
    stale = FacilityInvitation.objects.get(pk=invitation.pk)
    invitation_accept(invitation=invitation, username="one", password=PASSWORD, first_name="A", last_name="")
    with pytest.raises(InvitationError):
        invitation_accept(invitation=stale, username="two", password=PASSWORD, first_name="A", last_name="")
    assert FacilityMembership.objects.count() == 1 and not User.objects.filter(username="two").exists()


def test_a_signed_in_person_is_asked_to_sign_out_before_joining(client, facility, editor):
    invitation = invitation_send(facility=facility, email="a@x.example", role="manager", invited_by=editor)
    client.get(link_of(invitation))
    client.force_login(editor)
    response = client.post(reverse("partners:join"), join_data())
    assert response.status_code == 409
    assert not FacilityMembership.objects.exists()


def test_coordinators_cannot_invite_facility_users(client, facility):
    client.force_login(make_staff(username="cora", group="Coordinators"))
    response = client.post(
        reverse("admin:facilities_facilityinvitation_add"),
        {"facility": facility.pk, "email": "x@x.example", "role": "manager"},
    )
    assert response.status_code == 403
    assert not FacilityInvitation.objects.exists()


# Managers and their colleagues ---------------------------------------------------------------------


@pytest.fixture
def office(facility):
    manager = make_facility_user(facility=facility, role="manager", first_name="Mina")
    handler = make_facility_user(facility=facility, first_name="Hakan")
    return manager, handler


def test_a_manager_invites_a_colleague_from_the_portal(client, office, facility):
    manager, _handler = office
    client.force_login(manager)
    page = client.get(reverse("partners:team")).content.decode()
    assert "Mina" in page and "Hakan" in page and 'id="invite-form"' in page
    response = client.post(reverse("partners:team_invite"), {"email": "new@istanbul.example", "role": "case_handler"})
    assert response.status_code == 302
    invitation = FacilityInvitation.objects.get()
    assert (invitation.facility, invitation.invited_by, invitation.role) == (facility, manager, "case_handler")
    assert Notification.objects.filter(invitation=invitation, recipient="new@istanbul.example").exists()
    assert "new@istanbul.example" in client.get(reverse("partners:team")).content.decode()
    # Hostile or wrong input is refused and sends nothing.
    for data in ({"email": "not an address", "role": "manager"}, {"email": "a@b.example", "role": "owner"}):
        assert client.post(reverse("partners:team_invite"), data).status_code == 400
    assert client.post(reverse("partners:team_invite"), {"email": manager.email, "role": "manager"}).status_code == 400
    assert FacilityInvitation.objects.count() == 1
    # Withdrawing it.
    client.post(reverse("partners:team_revoke", args=[invitation.pk]))
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None


def test_a_case_handler_cannot_invite_or_remove(client, office):
    manager, handler = office
    client.force_login(handler)
    page = client.get(reverse("partners:team")).content.decode()
    assert 'id="invite-form"' not in page
    assert client.post(reverse("partners:team_invite"), {"email": "x@y.example", "role": "manager"}).status_code == 403
    assert client.post(reverse("partners:team_remove", args=[manager.facility_membership.pk])).status_code == 403
    assert not FacilityInvitation.objects.exists()
    manager.refresh_from_db()
    assert manager.is_active


def test_a_manager_removes_a_colleague_whose_account_then_stops_working(client, office):
    manager, handler = office
    colleague = client_for(handler)
    assert colleague.get(reverse("partners:inbox")).status_code == 200
    client.force_login(manager)
    response = client.post(reverse("partners:team_remove", args=[handler.facility_membership.pk]))
    assert response.status_code == 302
    handler.refresh_from_db()
    assert not handler.is_active and not FacilityMembership.objects.filter(user=handler).exists()
    assert colleague.get(reverse("partners:inbox")).status_code == 302  # Signed out.
    # Not oneself, not the last manager, not someone of another facility.
    follow = client.post(reverse("partners:team_remove", args=[manager.facility_membership.pk]), follow=True)
    assert "cannot remove yourself" in follow.content.decode()
    stranger = make_facility_user(facility=make_facility())
    assert client.post(reverse("partners:team_remove", args=[stranger.facility_membership.pk])).status_code == 404
    stranger.refresh_from_db()
    assert stranger.is_active


def test_the_team_page_costs_the_same_queries_however_big_the_office(client, office, facility, editor):
    manager, _handler = office
    client.force_login(manager)
    url = reverse("partners:team")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for n in range(5):
        make_facility_user(facility=facility)
        invitation_send(facility=facility, email=f"new{n}@x.example", role="case_handler", invited_by=manager)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few) == 6  # session, user, device, membership, colleagues, invitations
