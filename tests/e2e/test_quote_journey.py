"""The whole quote journey in a real browser, on a phone and on a desktop.

A patient finds a hospital and a procedure, asks for a quote with a medical file and follows the
request; a coordinator works it in the admin up to itemised quotes; the patient compares the quotes
and accepts one. Screenshots of the main pages go to test-artifacts/screenshots/<viewport>/.
"""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from quotes.models import FacilityCase, FacilityQuote, QuoteRequest, StatusChange
from tests.factories import make_facility_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

S = QuoteRequest.Status
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"

# Each facility quote, line by line: (category, details, amount in USD).
ISTANBUL_LINES = [
    ("surgeon", "Spine surgeon and assistant", "4200"),
    ("hospital_nights", "Two nights, private room", "1300"),
    ("tests", "MRI and blood tests", "500"),
]
BANGKOK_LINES = [
    ("surgeon", "Consultant neurosurgeon", "5100"),
    ("hospital_nights", "Two nights", "1800"),
    ("physiotherapy", "Three sessions", "450"),
]


def url_path(path: str) -> re.Pattern:
    """Matches a page address by its path, whatever the host, with or without a query string."""
    return re.compile(rf"^https?://[^/]+{re.escape(path)}(\?.*)?$")


def assert_styled(page) -> None:
    # Colour-contrast and layout checks mean nothing on an unstyled page: the site's CSS must load.
    rules = page.evaluate(
        "() => [...document.styleSheets].filter(s => s.href && s.href.includes('/css/site'))"
        ".reduce((n, s) => n + s.cssRules.length, 0)"
    )
    assert rules > 0, "the site's stylesheet did not load"


def add_facility_quote(staff, expect, *, facility, lines) -> None:
    """On the request's admin page: add a facility quote through the add form, then come back."""
    staff.locator("#add-facility-quote").click()
    expect(staff).to_have_url(re.compile(r"/quotes/facilityquote/add/\?quote_request=\d+$"))
    # The facility is an autocomplete (select2) field: open it, type, pick the match.
    staff.locator("#id_facility + .select2 .select2-selection").click()
    staff.locator(".select2-container--open .select2-search__field").fill(facility.name.split()[0])
    staff.locator(".select2-results__option", has_text=facility.name).click()
    expect(staff.locator("#id_facility")).to_have_value(str(facility.pk))
    valid_until = timezone.localdate() + datetime.timedelta(days=60)
    staff.locator("#id_valid_until").fill(valid_until.isoformat())
    for index, (category, details, amount) in enumerate(lines):
        staff.locator(f"#id_items-{index}-category").select_option(category)
        staff.locator(f"#id_items-{index}-description").fill(details)
        staff.locator(f"#id_items-{index}-amount").fill(amount)
    staff.locator("#id_exclusions").fill("Flights and travel insurance")
    staff.locator("input[name='_save']").click()
    # Saving leads back to the request page, where the coordinator works.
    expect(staff).to_have_url(re.compile(r"/quotes/quoterequest/\d+/change/$"))
    expect(staff.locator("#facility-quotes")).to_contain_text(facility.name)


def test_patient_asks_for_compares_and_accepts_a_quote(
    page, new_page, expect, screenshot, site, coordinator, tmp_path, browser_problems
):
    procedure, istanbul, bangkok = site.procedure, site.istanbul, site.bangkok
    make_facility_user(facility=site.berlin)  # Berlin's office is on Medtour; the others are not.
    heading = page.get_by_role("heading", level=1)

    # The patient searches from the home page and lands on the filtered directory.
    page.goto(reverse("home"))
    expect(heading).to_contain_text("Spine surgery abroad")
    assert_styled(page)
    screenshot(page, "01-home")
    page.locator("#home-procedure").select_option(procedure.slug)
    page.locator("#home-country").select_option("TR")
    page.get_by_role("button", name="Find hospitals").click()
    expect(page).to_have_url(re.compile(r"/facilities/\?(?=.*procedure=lumbar-discectomy)(?=.*country=TR)"))
    expect(heading).to_have_text("Lumbar discectomy: accredited hospitals")
    expect(page.locator("#results-heading")).to_contain_text("1 facility offering lumbar discectomy")
    results = page.locator(".card-list > li")
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text("US$7,000–9,500")
    screenshot(page, "02-directory")

    # A hospital, then the procedure from the hospital's price list.
    results.first.get_by_role("link", name=istanbul.name).click()
    expect(page).to_have_url(url_path(istanbul.get_absolute_url()))
    expect(heading).to_have_text(istanbul.name)
    expect(page.get_by_role("img", name="The hospital's main entrance")).to_be_visible()
    assert page.get_by_role("img", name="The hospital's main entrance").evaluate("img => img.naturalWidth") > 0
    screenshot(page, "03-facility")
    page.locator(".price-table").get_by_role("link", name=procedure.name).click()
    expect(page).to_have_url(url_path(procedure.get_absolute_url()))
    expect(heading).to_have_text(procedure.name)
    screenshot(page, "04-procedure")

    # The quote form, pre-filled with the procedure; sent empty first, it explains what is missing.
    page.get_by_role("link", name="Get a free quote").first.click()
    expect(heading).to_have_text("Request a free quote")
    expect(page.locator("#id_procedure")).to_have_value(procedure.slug)
    screenshot(page, "05-quote-form")
    page.get_by_role("button", name="Send my request").click()
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Your full name")
    expect(summary).to_contain_text("Your condition and symptoms")
    expect(page.locator("#id_name_error")).to_be_visible()
    screenshot(page, "06-quote-form-errors")
    assert not QuoteRequest.objects.exists()

    scan = tmp_path / "mri-report.pdf"
    scan.write_bytes(PDF)
    page.locator("#id_name").fill("Ana Patient")
    page.locator("#id_email").fill("ana@example.org")
    page.locator("#id_phone").fill("+44 20 7946 0000")
    page.locator("#id_country_of_residence").select_option("GB")
    page.locator("#id_preferred_language").select_option("en")
    page.locator("#id_condition").fill("Pain down my left leg for four months; an MRI shows a slipped disc at L4-L5.")
    page.locator("#id_files").set_input_files(scan)
    page.locator("#id_consent_health_data").check()
    page.locator("#id_consent_sharing").check()
    page.get_by_role("button", name="Send my request").click()

    # The confirmation, then the private status page.
    expect(heading).to_have_text("Thank you, we have your request")
    reference = page.locator(".reference").inner_text().strip()
    quote_request = QuoteRequest.objects.get(reference=reference)
    assert quote_request.status == S.SUBMITTED
    assert quote_request.procedure == procedure
    assert [(a.original_name, a.size) for a in quote_request.attachments.all()] == [("mri-report.pdf", len(PDF))]
    screenshot(page, "07-confirmation")
    page.get_by_role("link", name="Follow your request").click()
    expect(heading).to_have_text(reference)
    expect(page.locator(".status-now strong")).to_have_text("Submitted")
    expect(page.locator(".summary")).to_contain_text("mri-report.pdf")
    status_url = page.url
    screenshot(page, "08-status-submitted")

    # A coordinator signs in (password, then the code from their authenticator app) and works the request.
    staff = new_page()
    staff.goto(reverse("admin:login"))
    expect(staff).to_have_url(url_path(reverse("account:sign_in")))
    staff.get_by_label("Username").fill(coordinator.username)
    staff.get_by_label("Password").fill(coordinator.password)
    staff.get_by_role("button", name="Continue").click()
    expect(staff).to_have_url(url_path(reverse("account:second_factor")))
    staff.get_by_label("6-digit code from your authenticator app").fill(coordinator.code())
    staff.get_by_role("button", name="Sign in", exact=True).click()
    expect(staff).to_have_url(url_path(reverse("admin:index")))
    staff.goto(reverse("admin:quotes_quoterequest_change", args=[quote_request.pk]))
    status = staff.locator("#workflow-status")
    expect(status).to_have_text("Submitted")
    staff.get_by_role("button", name="Start review").click()
    expect(status).to_have_text("In review")
    # Sending is sharing: the case goes to Berlin's office through Medtour; Istanbul and Bangkok
    # answer the coordinator outside it, and the coordinator types their quotes in.
    share = staff.locator("#workflow-send")
    share.locator("summary").click()
    share.locator(f"#send-facility-{site.berlin.pk}").check()
    share.get_by_role("button", name="Share the case with the ticked facilities").click()
    expect(status).to_have_text("Sent to facilities")
    expect(staff.locator("#facility-cases")).to_contain_text(site.berlin.name)
    add_facility_quote(staff, expect, facility=istanbul, lines=ISTANBUL_LINES)
    add_facility_quote(staff, expect, facility=bangkok, lines=BANGKOK_LINES)
    expect(staff.locator("#facility-quotes tbody tr")).to_have_count(2)
    expect(staff.locator("#facility-quotes")).to_contain_text("6,000.00")
    expect(staff.locator("#facility-quotes")).to_contain_text("7,350.00")
    staff.get_by_role("button", name="Send quotes to the patient").click()
    expect(status).to_have_text("Quoted")
    screenshot(staff, "09-admin-request")
    quotes = {quote.facility_id: quote for quote in FacilityQuote.objects.filter(quote_request=quote_request)}
    assert {quote.status for quote in quotes.values()} == {FacilityQuote.Status.SENT}
    assert quotes[istanbul.pk].created_by == coordinator.user
    assert quotes[istanbul.pk].total == Decimal("6000")

    # The patient compares the quotes line by line and accepts the cheaper one.
    page.goto(status_url)
    expect(page.locator(".status-now strong")).to_have_text("Quotes ready")
    table = page.locator("table.quote-compare")
    expect(table.locator("thead th.quote-head")).to_have_count(2)
    expect(table.locator("tbody tr", has_text="Surgeon's fee")).to_contain_text("US$4,200")
    expect(table.locator("tbody tr", has_text="Surgeon's fee")).to_contain_text("US$5,100")
    expect(table.locator("tr.quote-total")).to_contain_text("US$6,000")
    expect(table.locator("tr.quote-total")).to_contain_text("US$7,350")
    screenshot(page, "10-status-quotes")
    page.get_by_role("button", name=f"Accept this quote from {istanbul.name}").click()
    # Asked once more, with the hospital and the total named.
    expect(heading).to_have_text("Accept this quote?")
    expect(page.locator("#accept-summary")).to_contain_text("US$6,000")
    screenshot(page, "10b-accept-confirm")
    with page.expect_response(lambda answer: answer.request.method == "POST") as accepting:
        page.get_by_role("button", name=f"Yes, accept the quote from {istanbul.name}").click()
    # The action redirects back to the status page (303); anything else is the patient stuck on an error page.
    assert accepting.value.status == 303, (
        f"accepting the quote answered {accepting.value.status}: {heading.inner_text()!r} at {page.url}"
    )
    expect(page.locator(".status-now strong")).to_have_text("Quote accepted")
    expect(page.locator(".messages")).to_contain_text("You have accepted this quote")
    expect(page.locator(".accepted-panel")).to_contain_text(istanbul.name)
    screenshot(page, "11-status-accepted")

    quote_request.refresh_from_db()
    assert quote_request.status == S.ACCEPTED
    assert list(
        StatusChange.objects.filter(quote_request=quote_request).order_by("pk").values_list("to_status", flat=True)
    ) == [S.SUBMITTED, S.IN_REVIEW, S.SENT_TO_FACILITIES, S.QUOTED, S.ACCEPTED]
    statuses = dict(FacilityQuote.objects.filter(quote_request=quote_request).values_list("facility_id", "status"))
    assert statuses == {istanbul.pk: FacilityQuote.Status.ACCEPTED, bangkok.pk: FacilityQuote.Status.DECLINED}
    # Berlin's case ended when the patient chose another hospital.
    assert FacilityCase.objects.get(quote_request=quote_request).status == FacilityCase.Status.CLOSED
    assert not browser_problems, "\n".join(browser_problems)
