"""The coordinator's pages at 1366 px (a common laptop): the request list and the request page show
every column, assignee, age and first-reply due included, without clipping or sideways scrolling."""

import pytest
from django.urls import reverse

from quotes.models import QuoteRequest
from tests.e2e.test_hospital_journey import sign_in
from tests.factories import make_quote_request

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

S = QuoteRequest.Status


@pytest.mark.parametrize("viewport", ["desktop"], indirect=True)
def test_the_request_list_and_page_fit_a_1366_px_screen(new_page, expect, site, coordinator, browser_problems):
    requests = [
        make_quote_request(
            procedure=site.procedure,
            name="Maximiliana Konstantinopoulou-Wetherspoon",
            email=f"a.very.long.address.for.testing{n}@example.org",
            assignee=coordinator.user,
        )
        for n in range(3)
    ]
    staff = new_page()
    staff.set_viewport_size({"width": 1366, "height": 768})
    sign_in(
        staff, expect, username=coordinator.username, password=coordinator.password, code=coordinator.code,
        landing=reverse("admin:index"),
    )  # fmt: skip
    for url in (
        reverse("admin:quotes_quoterequest_changelist"),
        reverse("admin:quotes_quoterequest_change", args=[requests[0].pk]),
    ):
        staff.goto(url)
        wide = staff.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert wide <= 0, f"{url} scrolls sideways by {wide} px at 1366 px"
    staff.goto(reverse("admin:quotes_quoterequest_changelist"))
    for column in ("Assignee", "Age", "First reply"):
        header = staff.locator("#result_list thead th", has_text=column)
        expect(header).to_be_visible()
        box = header.bounding_box()
        assert box and box["x"] + box["width"] <= 1366, f"the {column} column is cut off"
    assert not browser_problems, "\n".join(browser_problems)
