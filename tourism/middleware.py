"""Request guards that apply to every page, including the admin."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string


class RejectNullBytesMiddleware:
    """Answer 400 to a URL carrying a NUL character.

    No page of ours takes one, and PostgreSQL refuses them in text, so a filter value such as
    ``?country=%00`` that reaches a query unvalidated (the admin's list filters do) would
    otherwise end in a server error.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()
        ):
            return HttpResponse(render_to_string("400.html", request=request), status=400)
        return self.get_response(request)
