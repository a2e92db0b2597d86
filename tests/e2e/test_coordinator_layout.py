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


@pytest.mark.parametrize("viewport", ["desktop"], indirect=True)
def test_the_facility_quote_form_shows_a_running_total_while_typing(new_page, expect, site, coordinator):
    quote_request = make_quote_request(procedure=site.procedure, status=S.SENT_TO_FACILITIES)
    staff = new_page()
    sign_in(
        staff, expect, username=coordinator.username, password=coordinator.password, code=coordinator.code,
        landing=reverse("admin:index"),
    )  # fmt: skip
    staff.goto(reverse("admin:quotes_facilityquote_add") + f"?quote_request={quote_request.pk}")
    total = staff.locator("#quote-running-total")
    staff.locator("#id_items-0-category").select_option("surgeon")
    staff.locator("#id_items-0-state").select_option("included")
    staff.locator("#id_items-0-amount").fill("4200")
    staff.locator("#id_items-1-category").select_option("hospital_nights")
    staff.locator("#id_items-1-state").select_option("included")
    staff.locator("#id_items-1-amount").fill("1300.50")
    expect(total).to_contain_text("5,500.50")
    # A line not included at a price does not count.
    staff.locator("#id_items-1-state").select_option("not_included")
    expect(total).to_contain_text("4,200.00")
