"""What the quote services refuse, and why, in words for the person who asked.

Every error carries a message ready to show (already translated when raised in a request).
``WorkflowError`` is the base: callers that only report the problem catch that.
"""

from dataclasses import dataclass


class WorkflowError(Exception):
    """A change the services will not make; ``str(error)`` is the message for people."""


class TransitionError(WorkflowError):
    """A move the workflow does not allow from the status the caller saw, or one that lost a race."""


class MoveIncompleteError(WorkflowError):
    """An allowed move that lacks what it needs: a reason to close, a question, a quote to send."""


class InvalidTextError(WorkflowError):
    """A note or message that is empty or too long."""


class NotAssignableError(WorkflowError):
    """Only active coordinators (and superusers) can be given requests."""


class ErasureRefusedError(WorkflowError):
    """Erasure refused: the request is still open, or was erased already."""


@dataclass(frozen=True)
class Refusal:
    """Why the patient cannot do something now. ``already_done``: they did it before (a double
    click, a second tab), so they get a calm note rather than an error."""

    message: str
    already_done: bool = False


class PatientActionRefused(WorkflowError):
    """The patient's action does not fit the request's status now; ``refusal`` says what to tell them."""

    def __init__(self, refusal: Refusal):
        super().__init__(refusal.message)
        self.refusal = refusal


class CaseError(WorkflowError):
    """A change to a facility case the services will not make (a move, a share, a quote)."""


class CaseTransitionError(CaseError):
    """A case move its table does not allow from the status the caller saw, or one that lost a race."""


class SharingNotAllowedError(CaseError):
    """The patient has not agreed to share their request with that facility (or it cannot get cases)."""


class QuoteSubmissionError(CaseError):
    """A facility's quote that is incomplete or lost a race; ``errors`` maps fields to messages."""

    def __init__(self, message: str, errors: dict[str, str] | None = None):
        super().__init__(message)
        self.errors = errors or {}
