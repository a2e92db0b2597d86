"""Staff-only views that are not plain admin pages: downloading a patient's medical file.

Wired into the admin by ``QuoteRequestAdmin.get_urls`` and wrapped by ``admin_site.admin_view``,
so anonymous visitors are sent to the admin login and every response is marked never-cache.
"""

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from quotes.models import QuoteAttachment
from quotes.services.staff import attachment_open

DOWNLOAD_PERMISSION = "quotes.view_quoteattachment"


def can_open_files(user) -> bool:
    """Staff who may open medical files: the file permission and a view of the requests themselves."""
    return user.has_perm(DOWNLOAD_PERMISSION) and (
        user.has_perm("quotes.view_quoterequest") or user.has_perm("quotes.change_quoterequest")
    )


@require_GET
def attachment_download(request: HttpRequest, quote_request_id: int, attachment_id: int) -> FileResponse:
    """Send one medical file as a download, after recording who opened it.

    The file is always an opaque download (never shown inline, never typed from what the patient
    sent), so a crafted upload cannot run in the admin's origin.
    """
    if not can_open_files(request.user):
        raise PermissionDenied
    attachment = (
        QuoteAttachment.objects.filter(pk=attachment_id, quote_request_id=quote_request_id, deleted_at__isnull=True)
        .exclude(file="")
        .first()
    )
    if attachment is None:
        raise Http404(_("No such file on this request."))
    try:
        handle = attachment.file.storage.open(attachment.file.name, "rb")
    except FileNotFoundError as exc:
        raise Http404(_("The file is missing from storage.")) from exc
    attachment_open(attachment=attachment, user=request.user)
    return private_download(handle, attachment.original_name)


def private_download(handle, filename: str) -> FileResponse:
    """A private file as an opaque, never-cached download that cannot run in the site's origin
    (staff downloads here, facility downloads in ``quotes.partner_views``)."""
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type="application/octet-stream")
    patch_cache_control(response, no_store=True, no_cache=True, private=True, max_age=0)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Referrer-Policy"] = "no-referrer"
    return response
