"""Quote request views. Until the quote form exists, /quote/ explains what is coming."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from facilities.models import Facility, Procedure


@require_safe
def request_quote(request: HttpRequest) -> HttpResponse:
    # Only what the patient chose is echoed back, and only if it names something public.
    facility = Facility.objects.listed().filter(slug=request.GET.get("facility", "")[:220]).first()
    procedure = Procedure.objects.published().filter(slug=request.GET.get("procedure", "")[:220]).first()
    return render(request, "quotes/request_quote.html", {"facility": facility, "procedure": procedure})
