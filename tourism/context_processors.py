"""Values every template needs."""

from django.conf import settings
from django.http import HttpRequest

from tourism.seo import site_base_url


def site(request: HttpRequest) -> dict:
    # Query strings never make a page canonical; views that paginate set their own.
    return {"site_name": settings.SITE_NAME, "canonical_url": site_base_url(request) + request.path}
