"""axe-core finds no WCAG 2.1 A or AA violation on any public page, on a phone and on a desktop.

The sign-in pages (password, code, setting up an authenticator app, recovery codes) are checked too.

Every page is checked as a patient sees it (styles loaded, the site's script run), including the
states that only a real request produces: the quote form showing its errors, the confirmation, and
the private status page waiting for the patient, with quotes to compare, and after accepting one.
All pages are checked before the test fails, so one run lists every violation with its elements.
"""

import datetime
import re
from decimal import Decimal

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from quotes.models import FacilityQuote, QuoteRequest
from quotes.roles import apply_groups
from quotes.services.cases import (
    CaseShare,
    QuoteDraft,
    QuoteLine,
    case_quote_submit,
    cases_send,
    facility_quote_release,
)
from quotes.services.invitations import invitation_send
from quotes.services.patient import patient_accept_quote
from quotes.services.workflow import quote_request_transition
from tests.e2e.conftest import current_code
from tests.factories import (
    FULL_QUOTE_LINES,
    STAFF_PASSWORD,
    make_attachment,
    make_facility_quote,
    make_facility_user,
    make_quote_request,
    make_staff,
)
from tourism import two_factor

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

S = QuoteRequest.Status


def test_public_pages_have_no_wcag_21_aa_violations(page, expect, site, coordinator, axe_violations, browser_problems):
    found: dict[str, tuple[str, list[str]]] = {}
    heading = page.get_by_role("heading", level=1)

    def check(label: str) -> None:
        found[label] = (page.url, axe_violations(page))

    def visit(label: str, url: str, title: str | re.Pattern, *, status: int = 200) -> None:
        response = page.goto(url)
        answered = response.status if response else None
        assert answered == status, f"{label}: {url} answered {answered}"
        expect(heading).to_have_text(title)
        check(label)

    procedure, istanbul = site.procedure, site.istanbul
    directory = reverse("facilities:list")
    visit("home", reverse("home"), re.compile("Spine surgery abroad"))
    visit("directory", directory, "Accredited hospitals and clinics")
    filters = page.locator("details.filters-panel")
    if not filters.evaluate("panel => panel.open"):
        # On a phone the filters start folded; check them unfolded too.
        page.locator("details.filters-panel > summary").click()
        expect(page.locator("#id_q")).to_be_visible()
        check("directory, filters unfolded")
    filtered = f"{directory}?procedure={procedure.slug}&country=TR&language=en&services=interpreter&sort=price"
    visit("directory with filters", filtered, "Lumbar discectomy: accredited hospitals")
    expect(page.locator(".card-list > li")).to_have_count(1)
    visit("directory, text search", f"{directory}?q=Bangkok", "Accredited hospitals and clinics")
    expect(page.locator(".card-list > li")).to_have_count(1)
    visit("directory, no results", f"{directory}?procedure=kyphoplasty&country=DE", "Kyphoplasty: accredited hospitals")
    expect(page.get_by_role("heading", name="No facility matches these filters")).to_be_visible()
    visit("directory, a filter it cannot use", f"{directory}?price_min=cheap", "Accredited hospitals and clinics")
    visit("facility page", istanbul.get_absolute_url(), istanbul.name)
    visit("procedure list", reverse("procedures:list"), "Procedures explained")
    visit("procedure list, search", f"{reverse('procedures:list')}?q=disc", "Procedures explained")
    visit("procedure page", procedure.get_absolute_url(), procedure.name)
    visit("accreditation", reverse("accreditation"), re.compile("."))
    visit("privacy", reverse("privacy"), re.compile("."))
    visit("contact", reverse("contact"), re.compile("."))
    visit("404", "/no-such-page/", "We could not find that page", status=404)
    # The status page opened without (or after) the cookie its e-mail link gives.
    visit(
        "status page, link needed",
        reverse("quotes:status_page"),
        "Please open the link in our e-mail again",
        status=403,
    )

    # The quote form, pre-filled from a hospital and a procedure; then sent empty, showing its errors.
    quote_form = f"{reverse('quotes:request')}?procedure={procedure.slug}&facility={istanbul.slug}"
    visit("quote form", quote_form, "Request a free quote")
    page.get_by_role("button", name="Send my request").click()
    expect(page.locator("#error-summary")).to_be_visible()
    page.locator("#id_email").fill("not an address")
    page.get_by_role("button", name="Send my request").click()
    expect(page.locator("#id_email_error")).to_be_visible()
    check("quote form showing its errors")

    page.locator("#id_name").fill("Ana Patient")
    page.locator("#id_email").fill("ana@example.org")
    page.locator("#id_phone").fill("+44 20 7946 0000")
    page.locator("#id_country_of_residence").select_option("GB")
    page.locator("#id_preferred_language").select_option("en")
    page.locator("#id_condition").fill("Pain down my left leg for four months.")
    page.locator("#id_consent_health_data").check()
    page.locator("#id_consent_sharing").check()
    page.get_by_role("button", name="Send my request").click()
    expect(heading).to_have_text("Thank you, we have your request")
    check("confirmation")

    quote_request = QuoteRequest.objects.get(reference=page.locator(".reference").inner_text().strip())
    page.get_by_role("link", name="Follow your request").click()
    expect(page.locator(".status-now strong")).to_have_text("Submitted")
    check("status page, submitted")

    # The coordinator's moves (and below, the patient's acceptance) are made directly: the journey
    # test makes them in the browser.
    def move(to_status: str, **extra) -> None:
        quote_request.refresh_from_db()
        quote_request_transition(
            quote_request=quote_request,
            from_status=quote_request.status,
            to_status=to_status,
            actor=coordinator.user,
            **extra,
        )

    move(S.IN_REVIEW)
    move(S.AWAITING_PATIENT, note="Please send the written report of your latest MRI scan.")
    page.reload()
    expect(page.locator(".status-now strong")).to_have_text("Waiting for your information")
    check("status page, waiting for the patient")

    move(S.IN_REVIEW)
    # Shared with Istanbul through Medtour (which moves the request on), which quotes through its
    # case; Berlin answered the coordinator by e-mail, and the coordinator typed its quote in.
    quote_request.refresh_from_db()
    istanbul_office = make_facility_user(facility=istanbul)
    [case] = cases_send(
        quote_request=quote_request,
        from_status=S.IN_REVIEW,
        shares=[CaseShare(facility_id=istanbul.pk)],
        actor=coordinator.user,
    )
    istanbul_quote = case_quote_submit(
        case=case,
        actor=istanbul_office,
        draft=QuoteDraft(
            currency="USD",
            valid_until=timezone.localdate() + datetime.timedelta(days=45),
            lines=[QuoteLine(c, s, Decimal(a) if a else None) for c, s, a in FULL_QUOTE_LINES],
            exclusions="Flights",
            notes="An interpreter is with you on the day of surgery.",
        ),
    )
    make_facility_quote(
        quote_request=quote_request,
        facility=site.berlin,
        currency="EUR",
        lines=[("surgeon", 7900, "Chief surgeon"), ("implants", 0, ""), ("follow_up", 350, "Two visits")],
        valid_days=45,
    )
    facility_quote_release(quote=istanbul_quote, actor=coordinator.user)  # The first release: quoted.
    page.reload()
    expect(page.locator(".status-now strong")).to_have_text("Quotes ready")
    expect(page.locator("table.quote-compare thead th.quote-head")).to_have_count(2)
    check("status page with quotes")
    page.get_by_role("button", name=f"Accept this quote from {istanbul.name}").click()
    expect(heading).to_have_text("Accept this quote?")
    check("accepting a quote: asked once more")

    quote_request.refresh_from_db()
    patient_accept_quote(
        quote_request=quote_request,
        facility_quote_id=FacilityQuote.objects.get(quote_request=quote_request, facility=istanbul).pk,
    )
    page.reload()
    expect(page.locator(".status-now strong")).to_have_text("Quote accepted")
    check("status page, quote accepted")

    violations = {label: (url, problems) for label, (url, problems) in found.items() if problems}
    report = "\n".join(
        f"- {label} <{url}>:\n    " + "\n    ".join(problems) for label, (url, problems) in violations.items()
    )
    assert not violations, f"axe-core found WCAG 2.1 A/AA violations on {len(violations)} page(s):\n{report}"
    assert not browser_problems, "\n".join(browser_problems)


def report_of(found: dict[str, tuple[str, list[str]]]) -> str:
    violations = {label: (url, problems) for label, (url, problems) in found.items() if problems}
    return "\n".join(
        f"- {label} <{url}>:\n    " + "\n    ".join(problems) for label, (url, problems) in violations.items()
    )


def test_sign_in_pages_have_no_wcag_21_aa_violations(new_page, expect, coordinator, axe_violations, browser_problems):
    found: dict[str, tuple[str, list[str]]] = {}

    def check(page, label: str, title: str) -> None:
        expect(page.get_by_role("heading", level=1)).to_have_text(title)
        found[label] = (page.url, axe_violations(page))

    def password_step(page, username: str, password: str) -> None:
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Continue").click()

    page = new_page()
    page.goto(reverse("account:sign_in"))
    check(page, "sign in", "Sign in")
    password_step(page, coordinator.username, "not the password")
    expect(page.locator("#error-summary")).to_be_visible()
    check(page, "sign in showing its error", "Sign in")

    password_step(page, coordinator.username, coordinator.password)
    check(page, "second factor", "Enter your code")
    page.get_by_label("6-digit code from your authenticator app").fill("000000")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.locator("#error-summary")).to_be_visible()
    check(page, "second factor showing its error", "Enter your code")
    page.locator("details.account-recovery > summary").click()
    expect(page.get_by_label("Recovery code")).to_be_visible()
    check(page, "second factor, recovery code unfolded", "Enter your code")

    # Someone new: sets up an authenticator app, then sees their recovery codes.
    newcomer = make_staff(username="newcomer-e2e", password=STAFF_PASSWORD)
    page = new_page()
    page.goto(reverse("account:sign_in"))
    password_step(page, newcomer.username, STAFF_PASSWORD)
    check(page, "set up an authenticator app", "Set up your authenticator app")
    device = TOTPDevice.objects.get(user=newcomer)
    page.get_by_label("6-digit code from your authenticator app").fill(str(totp(device.bin_key)).zfill(6))
    page.get_by_role("button", name="Confirm and continue").click()
    check(page, "recovery codes, shown once", "Recovery codes")
    expect(page.locator(".recovery-codes li")).to_have_count(two_factor.RECOVERY_CODE_COUNT)
    page.goto(reverse("account:recovery_codes"))
    check(page, "recovery codes, make new ones", "Recovery codes")

    assert not report_of(found), f"axe-core found WCAG 2.1 A/AA violations:\n{report_of(found)}"
    assert not browser_problems, "\n".join(browser_problems)


def test_partner_portal_pages_have_no_wcag_21_aa_violations(
    new_page, expect, site, coordinator, axe_violations, browser_problems
):
    """The hospital office's pages: the inbox, a case, the quote form (also showing its errors),
    the office and the listing pages, and the invitation page."""
    key = "5152535455565758595a5b5c5d5e5f6061626364"
    apply_groups(apps)
    office = make_facility_user(facility=site.istanbul, role="manager", first_name="Elif")
    two_factor.demo_device(office, key)
    quote_request = make_quote_request(status=S.IN_REVIEW, procedure=site.procedure, diagnosis="Disc herniation")
    attachment = make_attachment(quote_request=quote_request)
    [case] = cases_send(
        quote_request=quote_request,
        from_status=S.IN_REVIEW,
        shares=[CaseShare(facility_id=site.istanbul.pk, attachment_ids=[attachment.pk], summary="Please look.")],
        actor=coordinator.user,
    )
    found: dict[str, tuple[str, list[str]]] = {}

    def check(page, label: str, title: str | re.Pattern) -> None:
        expect(page.get_by_role("heading", level=1)).to_have_text(title)
        found[label] = (page.url, axe_violations(page))

    page = new_page()
    page.goto(reverse("partners:inbox"))
    page.get_by_label("Username").fill(office.username)
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("6-digit code from your authenticator app").fill(current_code(key))
    page.get_by_role("button", name="Sign in", exact=True).click()
    check(page, "inbox", "Cases from Medtour")
    page.goto(reverse("partners:case", kwargs={"reference": case.reference}))
    check(page, "case", case.reference)
    page.goto(reverse("partners:case_quote", kwargs={"reference": case.reference}))
    check(page, "quote form", "Your quote")
    page.get_by_role("button", name="Send the quote to Medtour").click()
    expect(page.locator("#quote-errors")).to_be_visible()
    check(page, "quote form showing its errors", "Your quote")
    page.goto(reverse("partners:team"))
    check(page, "the office", "Your office on Medtour")
    page.goto(reverse("partners:profile"))
    found["the listing"] = (page.url, axe_violations(page))

    invitation = invitation_send(facility=site.istanbul, email="new@x.example", role="case_handler", invited_by=office)
    joining = new_page()
    joining.goto(reverse("partners:join_link", kwargs={"token": invitation.token}))
    check(joining, "joining with an invitation", re.compile("Join .* office"))

    assert not report_of(found), f"axe-core found WCAG 2.1 A/AA violations:\n{report_of(found)}"
    assert not browser_problems, "\n".join(browser_problems)
