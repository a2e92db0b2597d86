"""A facility's office on Medtour: inviting people, joining with an invitation, removing colleagues.

A directory editor invites a facility's first manager; managers invite and remove colleagues. An
invitation is a link by e-mail, valid ``MEDTOUR_FACILITY_INVITATION_HOURS`` (72) hours and usable
once: only its salt and the token's hash are stored, and the mail's link is made from the salt
when the worker sends it. Joining creates a facility user (never staff) with its membership;
the second factor is set up at the first sign-in (``tourism.two_factor``).

It lives with the quote services because the invitation mail goes through the outbox.
"""

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from facilities.models import Facility, FacilityInvitation, FacilityMembership, hash_invitation_token
from quotes.models import Notification
from quotes.services.errors import WorkflowError
from quotes.services.outbox import notifications_queue

Role = FacilityMembership.Role
MAX_PENDING_PER_FACILITY = 20


class InvitationError(WorkflowError):
    """An invitation that cannot be sent, used or withdrawn; the message says why."""


def invitation_send(*, facility: Facility, email: str, role: str, invited_by) -> FacilityInvitation:
    """Invite ``email`` to join ``facility``'s office as ``role``; the mail is queued with it.

    An earlier unused invitation of the same address to the same facility is withdrawn, so only
    the newest link works.
    """
    email = (email or "").strip()
    if role not in Role.values:
        raise InvitationError(_("Choose a role: manager or case handler."))
    if not email or "@" not in email or len(email) > 254:
        raise InvitationError(_("Give the e-mail address of the person to invite."))
    if FacilityMembership.objects.filter(facility=facility, user__email__iexact=email, user__is_active=True).exists():
        raise InvitationError(_("%(email)s is already in this office.") % {"email": email})
    now = timezone.now()
    with translation.override(settings.LANGUAGE_CODE):
        role_label = str(Role(role).label)
    with transaction.atomic():
        usable = FacilityInvitation.objects.usable(now).filter(facility=facility)
        usable.filter(email__iexact=email).update(revoked_at=now)
        if usable.count() >= MAX_PENDING_PER_FACILITY:
            raise InvitationError(_("This office has too many unanswered invitations. Withdraw some first."))
        salt = FacilityInvitation.new_salt()
        invitation = FacilityInvitation(
            facility=facility,
            email=email,
            role=role,
            salt=salt,
            invited_by=invited_by,
            expires_at=now + datetime.timedelta(hours=settings.FACILITY_INVITATION_HOURS),
        )
        invitation.token_hash = hash_invitation_token(invitation.token)
        invitation.save()
        notifications_queue(
            [
                Notification(
                    invitation=invitation,
                    recipient=email,
                    template="facility_invitation",
                    context={
                        "facility": facility.name,
                        # In English, whoever sends it: the mail translates it when it is rendered.
                        "role": role_label,
                        "expires_at": invitation.expires_at.isoformat(),
                    },
                    next_attempt_at=now,
                )
            ]
        )
    return invitation


def invitation_for_token(token: str) -> FacilityInvitation | None:
    """The usable invitation a link's token stands for, or None (unknown, used, withdrawn, expired)."""
    if not token or len(token) > 64 or not token.isascii():
        return None
    return (
        FacilityInvitation.objects.usable()
        .select_related("facility")
        .filter(token_hash=hash_invitation_token(token))
        .first()
    )


def invitation_usable(invitation_id) -> FacilityInvitation | None:
    if not isinstance(invitation_id, int):
        return None
    return FacilityInvitation.objects.usable().select_related("facility").filter(pk=invitation_id).first()


def invitation_accept(*, invitation: FacilityInvitation, username: str, password: str, first_name: str, last_name: str):
    """Join with an invitation: a new facility user with its membership. The invitation is used up
    in the same transaction (of two tabs submitting at once, one joins). Returns the user."""
    now = timezone.now()
    User = get_user_model()
    try:
        with transaction.atomic():
            used = FacilityInvitation.objects.usable(now).filter(pk=invitation.pk).update(accepted_at=now)
            if used != 1:
                raise InvitationError(_("This invitation has already been used, withdrawn or has expired."))
            user = User.objects.create_user(
                username=username,
                email=invitation.email,
                password=password,
                first_name=first_name,
                last_name=last_name,
                is_staff=False,
            )
            FacilityMembership.objects.create(
                user=user, facility=invitation.facility, role=invitation.role, invited_by=invitation.invited_by
            )
            FacilityInvitation.objects.filter(pk=invitation.pk).update(user=user)
    except IntegrityError as exc:
        raise InvitationError(_("That username is taken. Choose another.")) from exc
    return user


def invitation_revoke(*, invitation: FacilityInvitation) -> bool:
    """Withdraw an unused invitation; False if it was used, withdrawn or expired already."""
    return bool(FacilityInvitation.objects.usable().filter(pk=invitation.pk).update(revoked_at=timezone.now()))


def colleague_remove(*, membership: FacilityMembership, by: FacilityMembership) -> None:
    """A manager removes a colleague from the office: the membership goes and the account is
    switched off (a facility user has no other use), which also ends their sessions."""
    if membership.facility_id != by.facility_id:
        raise InvitationError(_("That person is not in your office."))
    if membership.pk == by.pk:
        raise InvitationError(_("You cannot remove yourself. Ask another manager, or Medtour."))
    with transaction.atomic():
        user = membership.user
        membership.delete()
        if not user.is_staff and not user.is_superuser:
            type(user).objects.filter(pk=user.pk).update(is_active=False)
