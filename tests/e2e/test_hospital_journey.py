"""Hospitals in the loop, in a real browser: the patient, the coordinator and two hospital offices
work one request through Medtour.

The patient asks for a quote with a medical file; the coordinator shares the case with two
hospitals; one asks a question (answered from the admin) and then sends an itemised quote, the
other declines; the coordinator releases the quote; the patient accepts it; the chosen hospital
then sees the patient's contact details, and never before.
"""

import datetime
import re

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from quotes.models import FacilityCase, FacilityQuote, QuoteRequest
from tests.e2e.conftest import current_code
from tests.e2e.test_quote_journey import PDF, url_path
from tests.factories import STAFF_PASSWORD, make_facility_user
from tourism import two_factor

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

S = QuoteRequest.Status
C = FacilityCase.Status
ISTANBUL_KEY = "3132333435363738393031323334353637383930"
BANGKOK_KEY = "4142434445464748494a4b4c4d4e4f5051525354"
# Istanbul's answer for each line of its quote: (category, state, amount).
ISTANBUL_QUOTE = [
    ("surgeon", "included", "4200"),
    ("anaesthesia", "included", "700"),
    ("implants", "not_applicable", ""),
    ("hospital_nights", "included", "1300"),
    ("tests", "included_free", ""),
    ("medication", "included_free", ""),
    ("physiotherapy", "included", "300"),
    ("follow_up", "included_free", ""),
    ("hotel", "not_included", ""),
    ("transfers", "included_free", ""),
    ("other", "not_applicable", ""),
]


def sign_in(page, expect, *, username: str, code, landing: str, password: str = STAFF_PASSWORD) -> None:
    """Password, then the code the person's authenticator app shows (``code()``)."""
    page.goto(landing)
    expect(page).to_have_url(re.compile(re.escape(reverse("account:sign_in"))))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("6-digit code from your authenticator app").fill(code())
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page).to_have_url(url_path(landing))


@pytest.fixture
def offices(site):
    """An international-patient office user at Istanbul and one at Bangkok, each with an app."""
    from quotes.roles import apply_groups

    apply_groups(apps)
    istanbul = make_facility_user(facility=site.istanbul, username="anadolu-office", first_name="Elif")
    bangkok = make_facility_user(facility=site.bangkok, username="bangkok-office", first_name="Niran")
    two_factor.demo_device(istanbul, ISTANBUL_KEY)
    two_factor.demo_device(bangkok, BANGKOK_KEY)
    return istanbul, bangkok


def test_the_patient_the_coordinator_and_two_hospitals_work_one_request(
    page, new_page, expect, screenshot, site, coordinator, offices, tmp_path, browser_problems
):
    istanbul_user, bangkok_user = offices
    istanbul, bangkok = site.istanbul, site.bangkok

    # The patient asks for a quote for the procedure, with a file, leaving the hospitals to Medtour.
    page.goto(reverse("quotes:request") + f"?procedure={site.procedure.slug}")
    scan = tmp_path / "mri-report.pdf"
    scan.write_bytes(PDF)
    page.locator("#id_name").fill("Ana Patient")
    page.locator("#id_email").fill("ana@example.org")
    page.locator("#id_phone").fill("+44 20 7946 0000")
    page.locator("#id_country_of_residence").select_option("GB")
    page.locator("#id_preferred_language").select_option("en")
    page.locator("#id_condition").fill("Pain down my left leg for four months; an MRI shows a slipped disc.")
    page.locator("#id_diagnosis").fill("Disc herniation at L4-L5")
    page.locator("#id_files").set_input_files(scan)
    suggest = page.locator("#id_suggest_facilities")
    if suggest.count():
        suggest.check()
    page.locator("#id_consent_health_data").check()
    page.locator("#id_consent_sharing").check()
    page.get_by_role("button", name="Send my request").click()
    reference = page.locator(".reference").inner_text().strip()
    quote_request = QuoteRequest.objects.get(reference=reference)
    page.get_by_role("link", name="Follow your request").click()
    status_url = page.url

    # The coordinator starts the review and shares the case with both hospitals, the file with Istanbul only.
    staff = new_page()
    sign_in(
        staff, expect, username=coordinator.username, password=coordinator.password, code=coordinator.code,
        landing=reverse("admin:index"),
    )  # fmt: skip
    staff.goto(reverse("admin:quotes_quoterequest_change", args=[quote_request.pk]))
    staff.get_by_role("button", name="Start review").click()
    expect(staff.locator("#workflow-status")).to_have_text("In review")
    share = staff.locator("#workflow-send")
    share.locator("summary").click()
    attachment = quote_request.attachments.get()
    for facility in (istanbul, bangkok):
        share.locator(f"#send-facility-{facility.pk}").check()
    share.locator(f"#send-{istanbul.pk} input[name='files-{istanbul.pk}'][value='{attachment.pk}']").check()
    share.locator(f"#summary-{istanbul.pk}").fill("Please look at the MRI report.")
    share.get_by_role("button", name="Share the case with the ticked facilities").click()
    expect(staff.locator(".messagelist")).to_contain_text("Case shared with 2 facilities")
    expect(staff.locator("#workflow-status")).to_have_text("Sent to facilities")
    cases = {case.facility_id: case for case in FacilityCase.objects.filter(quote_request=quote_request)}
    istanbul_case, bangkok_case = cases[istanbul.pk], cases[bangkok.pk]
    screenshot(staff, "20-admin-cases-shared")

    # Istanbul's office signs in with its second factor, opens the case and asks a question.
    office = new_page()
    sign_in(
        office,
        expect,
        username=istanbul_user.username,
        code=lambda: current_code(ISTANBUL_KEY),
        landing=reverse("partners:inbox"),
    )
    expect(office.locator("#cases")).to_contain_text(istanbul_case.reference)
    expect(office.locator("#cases")).not_to_contain_text(bangkok_case.reference)
    screenshot(office, "21-portal-inbox")
    office.get_by_role("link", name=istanbul_case.reference).click()
    expect(office.get_by_role("heading", level=1)).to_have_text(istanbul_case.reference)
    details = office.locator("#case-details")
    expect(details).to_contain_text("Disc herniation at L4-L5")
    for secret in ("Ana Patient", "ana@example.org", "7946 0000", reference):
        expect(office.locator("main")).not_to_contain_text(secret)
    expect(office.locator("#case-files")).to_contain_text("mri-report.pdf")
    with office.expect_download() as download:
        office.get_by_role("link", name="mri-report.pdf").click()
    assert download.value.suggested_filename == "mri-report.pdf"
    assert istanbul_case.file_accesses.filter(user=istanbul_user).count() == 1
    office.get_by_label("Your question or message to the Medtour coordinator").fill(
        "Has the patient had surgery before?"
    )
    office.get_by_role("button", name="Send the message").click()
    expect(office.locator("#case-status")).to_have_text("Question asked")
    screenshot(office, "22-portal-question")

    # Bangkok's office declines, saying why.
    other = new_page()
    sign_in(
        other,
        expect,
        username=bangkok_user.username,
        code=lambda: current_code(BANGKOK_KEY),
        landing=reverse("partners:inbox"),
    )
    other.get_by_role("link", name=bangkok_case.reference).click()
    expect(other.locator("#case-files")).to_have_count(0)  # No file was shared with Bangkok.
    other.get_by_label("Why can you not take this case?").fill("Our spine surgeons are fully booked until spring.")
    other.get_by_role("button", name="Decline this case").click()
    expect(other.locator("#case-status")).to_have_text("Declined by the facility")

    # The coordinator reads the question on the request page and answers it.
    staff.reload()
    thread = staff.locator(f"#case-{istanbul_case.reference}")
    expect(thread).to_contain_text("Has the patient had surgery before?")
    expect(staff.locator(f"#case-{bangkok_case.reference}")).to_contain_text("fully booked")
    thread.get_by_label("Answer the facility's question").fill("No, this would be the first operation.")
    thread.get_by_role("button", name="Send to the facility").click()
    expect(staff.locator(f"#case-{istanbul_case.reference}")).to_contain_text("No, this would be the first operation.")

    # Istanbul reads the answer and sends its itemised quote: every line answered.
    office.reload()
    expect(office.locator("#thread")).to_contain_text("No, this would be the first operation.")
    office.get_by_role("link", name="Write the quote").click()
    office.locator("#id_currency").select_option("USD")
    office.locator("#id_valid_until").fill((timezone.localdate() + datetime.timedelta(days=45)).isoformat())
    # Sent half-done first: the missing lines are named, nothing is kept.
    office.locator("input[name='state-surgeon'][value='included']").check()
    office.locator("#id_amount-surgeon").fill("4200")
    office.get_by_role("button", name="Send the quote to Medtour").click()
    expect(office.locator("#quote-errors")).to_be_visible()
    expect(office.locator("#line-implants")).to_contain_text("Say for “Implants” whether it is included")
    assert not FacilityQuote.objects.exists()
    for category, state, amount in ISTANBUL_QUOTE:
        office.locator(f"input[name='state-{category}'][value='{state}']").check()
        office.locator(f"#id_amount-{category}").fill(amount)
    office.locator("#id_exclusions").fill("Flights and the hotel.")
    office.get_by_role("button", name="Send the quote to Medtour").click()
    expect(office.locator("#case-status")).to_have_text("Quote submitted")
    expect(office.locator("#your-quote")).to_contain_text("Not included")
    screenshot(office, "23-portal-quoted")

    # The coordinator releases the quote to the patient.
    staff.reload()
    staff.locator(f"#case-{istanbul_case.reference}").get_by_role(
        "button", name="Release this quote to the patient"
    ).click()
    expect(staff.locator("#workflow-status")).to_have_text("Quoted")

    # The patient sees every line in words and accepts.
    page.goto(status_url)
    table = page.locator("table.quote-compare")

    def row(item: str):
        return table.locator("tbody tr").filter(has=page.locator("th", has_text=re.compile(f"^{item}$")))

    expect(row("Hotel")).to_contain_text("Not included")
    expect(row("Tests and scans")).to_contain_text("Included")
    page.get_by_role("button", name=f"Accept this quote from {istanbul.name}").click()
    expect(page.locator("#accept-summary")).to_contain_text(istanbul.name)
    page.get_by_role("button", name=f"Yes, accept the quote from {istanbul.name}").click()
    expect(page.locator(".status-now strong")).to_have_text("Quote accepted")

    # Only now does Istanbul see who the patient is; Bangkok never does.
    office.reload()
    contact = office.locator("#patient-contact")
    expect(contact).to_contain_text("Ana Patient")
    expect(contact).to_contain_text("ana@example.org")
    screenshot(office, "24-portal-chosen")
    other.reload()
    expect(other.locator("main")).not_to_contain_text("Ana Patient")

    istanbul_case.refresh_from_db()
    bangkok_case.refresh_from_db()
    assert (istanbul_case.status, bangkok_case.status) == (C.ACCEPTED, C.DECLINED)
    assert list(istanbul_case.changes.values_list("to_status", flat=True)) == [
        C.SENT, C.OPENED, C.QUESTION, C.OPENED, C.QUOTED, C.ACCEPTED,
    ]  # fmt: skip
    assert not browser_problems, "\n".join(browser_problems)
