"""Warnings about a quote request worked out from the directory as it is now, for the patient's
pages and the coordinator's request page: ``{% accreditation_warnings quote_request as warnings %}``."""

from django import template

from quotes.models import QuoteRequest
from quotes.selectors import AccreditationWarning
from quotes.selectors import accreditation_warnings as warnings_for_request

register = template.Library()


@register.simple_tag
def accreditation_warnings(quote_request: QuoteRequest | None) -> list[AccreditationWarning]:
    """The chosen hospitals whose accreditation ends before the travel window (``quotes.selectors``)."""
    if not isinstance(quote_request, QuoteRequest) or quote_request.pk is None:
        return []
    return warnings_for_request(quote_request)
