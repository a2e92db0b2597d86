"""The conversation in a real browser, on a phone and a desktop: the patient writes, the coordinator
answers from the admin, the patient answers again with a file; the whole thread stays in order, and
axe finds nothing on the status page with its conversation. The patient arrives by the link in
their e-mail, and after that first request the status token is in no address and no Referer."""

import pytest
from django.urls import reverse

from quotes.models import Message, QuoteRequest
from quotes.services.workflow import quote_request_transition
from tests.e2e.test_hospital_journey import sign_in
from tests.e2e.test_quote_journey import PDF
from tests.factories import make_quote_request

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

S = QuoteRequest.Status


def test_the_patient_and_the_coordinator_write_to_each_other(
    page, new_page, expect, screenshot, site, coordinator, tmp_path, axe_violations, browser_problems, live_server
):
    quote_request = make_quote_request(procedure=site.procedure, name="Ana Patient")
    quote_request = quote_request_transition(
        quote_request=quote_request, from_status=S.SUBMITTED, to_status=S.IN_REVIEW, actor=coordinator.user
    )
    token = quote_request.status_token
    link = reverse("quotes:status", kwargs={"token": token})
    requests = []
    page.on("request", lambda request: requests.append(request))

    # The patient follows the link in our e-mail, and writes first, without being asked.
    page.goto(link)
    expect(page).to_have_url(live_server.url + reverse("quotes:status_page"))
    expect(page.locator("#conversation")).to_contain_text("No messages yet")
    page.get_by_label("Your message").fill("Can my husband stay in the room with me?")
    page.get_by_role("button", name="Send my message").click()
    expect(page.locator(".messages")).to_contain_text("Your message was sent")
    expect(page.locator("#thread")).to_contain_text("Can my husband stay in the room with me?")

    # The coordinator reads it on the request page and answers.
    staff = new_page()
    sign_in(
        staff, expect, username=coordinator.username, password=coordinator.password, code=coordinator.code,
        landing=reverse("admin:index"),
    )  # fmt: skip
    staff.goto(reverse("admin:quotes_quoterequest_change", args=[quote_request.pk]))
    conversation = staff.locator("#conversation")
    expect(conversation).to_contain_text("Can my husband stay in the room with me?")
    conversation.get_by_label("Message to the patient").fill(
        "Yes: most of our hospitals have a bed for a companion. Could you send your latest MRI report?"
    )
    conversation.get_by_role("button", name="Send to the patient").click()
    expect(staff.locator("#conversation")).to_contain_text("a bed for a companion")
    screenshot(staff, "30-admin-conversation")

    # The patient answers with the file; the thread keeps every turn in order.
    page.reload()
    expect(page.locator("#thread")).to_contain_text("a bed for a companion")
    scan = tmp_path / "mri-report.pdf"
    scan.write_bytes(PDF)
    page.get_by_label("Your message").fill("Here is the report from March.")
    page.locator("#id_message-files").set_input_files(scan)
    page.get_by_role("button", name="Send my message").click()
    thread = page.locator("#thread > li")
    expect(thread).to_have_count(3)
    expect(thread.nth(0)).to_contain_text("Can my husband stay")
    expect(thread.nth(1)).to_contain_text("a bed for a companion")
    expect(thread.nth(2)).to_contain_text("mri-report.pdf")
    screenshot(page, "31-status-conversation")
    problems = axe_violations(page)
    assert not problems, "\n".join(problems)

    assert list(Message.objects.order_by("pk").values_list("author_kind", flat=True)) == ["patient", "staff", "patient"]
    # The token was in one request line, the link's own, and in no Referer: the pages, their
    # assets, their forms and the reloads all went to token-free addresses.
    assert len(requests) > 10
    assert [request.url for request in requests if token in request.url] == [live_server.url + link]
    referers = [request.header_value("referer") or "" for request in requests]
    assert any(reverse("quotes:status_page") in referer for referer in referers)  # They are sent...
    assert not [referer for referer in referers if token in referer]  # ...without the token.
    quote_request.refresh_from_db()
    assert quote_request.first_replied_at is not None
    assert not browser_problems, "\n".join(browser_problems)
