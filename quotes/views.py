"""Quote request views. Until the quote form exists, /quote/ explains what is coming."""

from django.core.validators import slug_re
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from facilities.models import Facility, Procedure


def _slug(request: HttpRequest, name: str) -> str | None:
    # Anything that is not a plain slug cannot name a facility or procedure: never query with it.
    value = request.GET.get(name, "")
    return value if len(value) <= 220 and slug_re.fullmatch(value) else None


@require_safe
def request_quote(request: HttpRequest) -> HttpResponse:
    facility_slug, procedure_slug = _slug(request, "facility"), _slug(request, "procedure")
    facility = Facility.objects.listed().filter(slug=facility_slug).first() if facility_slug else None
    procedure = Procedure.objects.published().filter(slug=procedure_slug).first() if procedure_slug else None
    return render(request, "quotes/request_quote.html", {"facility": facility, "procedure": procedure})
