"""What coordinators do to a request besides moving it: assign it, write internal notes, open files."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from quotes.models import AssignmentChange, AttachmentAccess, QuoteAttachment, QuoteRequest, StaffNote
from quotes.selectors import assignable_users
from quotes.services.errors import InvalidTextError, NotAssignableError
from tourism.text import visible_text

MAX_NOTE_LENGTH = 5000


def quote_request_assign(*, quote_request: QuoteRequest, assignee, actor) -> AssignmentChange | None:
    """Give a request to an active coordinator (or to nobody), recorded as an assignment change.

    Raises ``NotAssignableError`` for anyone else. Returns None when nothing changed (that person
    already has it), so a second click records nothing.
    """
    if assignee is not None and not assignable_users().filter(pk=assignee.pk).exists():
        raise NotAssignableError(_("Requests can be given only to active coordinators."))
    with transaction.atomic():
        locked = QuoteRequest.objects.select_for_update().get(pk=quote_request.pk)
        new_id = assignee.pk if assignee else None
        if locked.assignee_id == new_id:
            return None
        QuoteRequest.objects.filter(pk=locked.pk).update(assignee=assignee, updated_at=timezone.now())
        change = AssignmentChange.objects.create(
            quote_request=locked, from_assignee_id=locked.assignee_id, to_assignee=assignee, actor=actor
        )
    quote_request.refresh_from_db()
    return change


def staff_note_add(*, quote_request: QuoteRequest, author, text: str) -> StaffNote:
    text = visible_text(text)
    if not text:
        raise InvalidTextError(_("Write something in the note."))
    if len(text) > MAX_NOTE_LENGTH:
        raise InvalidTextError(_("A note can be at most %(n)d characters.") % {"n": MAX_NOTE_LENGTH})
    return StaffNote.objects.create(quote_request=quote_request, author=author, text=text)


def attachment_open(*, attachment: QuoteAttachment, user, case=None) -> AttachmentAccess:
    """Record that someone opened a medical file (call before sending it): a member of staff, or a
    facility user through the ``case`` it was shared with."""
    return AttachmentAccess.objects.create(attachment=attachment, user=user, case=case)
