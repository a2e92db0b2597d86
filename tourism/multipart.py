"""Reading forms with files: no file is dropped for its name, and long names do not lose the form.

Django's multipart parser has two habits that cost a patient their form:

- it refuses the whole request (a bare 400, everything typed lost) when one part's headers pass
  1,024 bytes, which a real file name can do: 255 characters is the limit of most file systems,
  and in emoji, or in a script of three-byte characters with the browser's escapes, that is over
  1,000 bytes. ``HEADER_LIMIT`` gives each part's headers 8 KiB (``TourismConfig.ready`` sets it);
  past that the request is still refused, with a page that says what to do (``400.html``).
- it drops, without a word, a file whose name it cannot use (``.``, ``..``, a name that is only a
  path or control characters). ``NamingMultiPartParser`` keeps such a file under a plain name, so
  it is checked like any other (``quotes.uploads`` names it and tests its content) and either kept
  or refused with a message.

``UploadParsingMiddleware`` has each request parse its uploads with that parser.
"""

import functools
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, QueryDict
from django.http.multipartparser import MultiPartParser
from django.utils.datastructures import ImmutableList, MultiValueDict

HEADER_LIMIT = 8 * 1024
# What a file is called when the name it was sent under cannot be used.
UNNAMED = "file"


class NamingMultiPartParser(MultiPartParser):
    def sanitize_file_name(self, file_name: str) -> str:
        return super().sanitize_file_name(file_name) or UNNAMED


def parse_file_upload(request: HttpRequest, META, post_data) -> tuple[QueryDict, MultiValueDict]:
    """``HttpRequest.parse_file_upload``, with ``NamingMultiPartParser``."""
    request.upload_handlers = ImmutableList(
        request.upload_handlers, warning="You cannot alter upload handlers after the upload has been processed."
    )
    return NamingMultiPartParser(META, post_data, request.upload_handlers, request.encoding).parse()


class UploadParsingMiddleware:
    """Before anything reads ``request.POST``: parse uploads with ``NamingMultiPartParser``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.parse_file_upload = functools.partial(parse_file_upload, request)
        return self.get_response(request)
