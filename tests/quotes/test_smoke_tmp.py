import time

import pytest
from django.urls import reverse

from quotes.models import Notification, QuoteRequest
from tests.factories import make_facility, make_language, make_procedure, make_upload

pytestmark = pytest.mark.django_db


def test_smoke(client, settings, mailoutbox, django_capture_on_commit_callbacks):
    settings.QUOTE_MIN_FILL_SECONDS = 0
    f = make_facility()
    p = make_procedure()
    make_language(code="en", name="English")
    r = client.get(reverse("quotes:request"), {"facility": f.slug, "procedure": p.slug})
    assert r.status_code == 200
    form = r.context["form"]
    stamp = form.initial["stamp"]
    time.sleep(1)
    data = {
        "name": "Ana Patient",
        "email": "ana@example.org",
        "phone": "+44 20 7946 0000",
        "country_of_residence": "GB",
        "preferred_language": "en",
        "procedure": p.slug,
        "facilities": [f.slug],
        "condition": "Back pain for 2 years",
        "consent_health_data": "on",
        "consent_sharing": "on",
        "stamp": stamp,
        "budget_currency": "USD",
        "files": [make_upload("scan.jpg")],
    }
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(reverse("quotes:request"), data)
    assert r.status_code == 302, r.context["form"].errors if r.context else r
    r = client.get(r["Location"])
    html = r.content.decode()
    qr = QuoteRequest.objects.get()
    assert qr.reference in html
    print(html.split("<main")[1][:1500])
    assert len(mailoutbox) == 2
    print(mailoutbox[0].subject, mailoutbox[0].body)
    link = [word for word in mailoutbox[0].body.split() if "/quote/status/" in word][0]
    r = client.get(link.replace("http://testserver", ""))
    assert r.status_code == 200
    print(Notification.objects.values_list("status", "context"))
