"""No public page scrolls sideways on a small phone (320, 360 and 414 px wide).

A page wider than the screen makes every line slide under the patient's thumb. Each page is
opened on a phone and measured at the three widths: ``document.documentElement.scrollWidth`` must
not exceed the window's width. A failure names the element that reaches furthest to the right
(outside any container that scrolls or clips on its own, such as a table's scroll box), which is
nearly always the cause. The states that only a real request produces are measured too: the quote
form showing its errors, the confirmation, and the status page submitted, with quotes to compare,
and accepted. All pages are measured before the test fails, so one run lists every offender.
"""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from quotes.models import FacilityQuote, QuoteRequest
from quotes.services.cases import (
    CaseShare,
    QuoteDraft,
    QuoteLine,
    case_quote_submit,
    cases_send,
    facility_quote_release,
)
from quotes.services.patient import patient_accept_quote
from quotes.services.workflow import quote_request_transition
from tests.factories import FULL_QUOTE_LINES, make_facility_quote, make_facility_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

S = QuoteRequest.Status
# (width, height): the smallest phones still in use, a common Android size and a large iPhone.
SCREENS = [(320, 640), (360, 740), (414, 896)]

# The document's width, the window's, and the element reaching furthest right. Elements held by a
# box that scrolls or clips sideways are skipped: they cannot widen the page, only their box can.
MEASURE_JS = """() => {
    const root = document.documentElement;
    // Whether a box between the element and the page scrolls or clips it sideways. An absolutely
    // positioned element escapes every box up to its containing block (its nearest positioned
    // ancestor): a scroll box that is not positioned does not hold it, which is how a label
    // "hidden" inside a scrolling table can still widen the page.
    const clippedSideways = (element) => {
        let position = getComputedStyle(element).position;
        if (position === "fixed") return false;
        for (let box = element.parentElement; box && box !== document.body; box = box.parentElement) {
            const style = getComputedStyle(box);
            const positioned = style.position !== "static" || style.transform !== "none";
            if ((position !== "absolute" || positioned) && style.overflowX !== "visible") return true;
            if (positioned) {
                if (style.position === "fixed") return false;
                position = style.position;
            }
        }
        return false;
    };
    const describe = (element) => {
        let name = element.tagName.toLowerCase();
        if (element.id) name += "#" + element.id;
        if (typeof element.className === "string" && element.className.trim()) {
            name += "." + element.className.trim().split(/\\s+/).join(".");
        }
        return name;
    };
    let widest = null;
    let widestRight = -Infinity;
    for (const element of document.body.querySelectorAll("*")) {
        const right = element.getBoundingClientRect().right + window.scrollX;
        // ">=": of an element and its descendants ending at the same edge, the innermost one.
        if (right >= widestRight && !clippedSideways(element)) {
            widest = element;
            widestRight = right;
        }
    }
    return {
        scrollWidth: root.scrollWidth,
        innerWidth: window.innerWidth,
        clientWidth: root.clientWidth,
        widest: widest && {
            name: describe(widest),
            right: Math.round(widestRight),
            html: widest.outerHTML.slice(0, 160),
        },
    };
}"""


@pytest.fixture
def viewport() -> str:
    """A phone's context (touch, mobile viewport); the test sets each screen size itself."""
    return "phone"


def test_no_public_page_scrolls_sideways_on_a_small_phone(page, expect, site, coordinator, browser_problems):
    offenders: list[str] = []
    measured: list[str] = []
    heading = page.get_by_role("heading", level=1)

    def resize(width: int, height: int) -> None:
        page.set_viewport_size({"width": width, "height": height})
        # Two frames: a phone's browser settles its viewport (and the media queries) asynchronously.
        page.evaluate("() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")

    def measure(label: str) -> None:
        for width, height in SCREENS:
            resize(width, height)
            found = page.evaluate(MEASURE_JS)
            measured.append(f"{label} @ {width}")
            # The window's width as set, not innerWidth alone: a mobile browser may zoom out to fit
            # an overflowing page, which widens innerWidth and would hide the very fault looked for.
            if found["scrollWidth"] > min(width, found["innerWidth"]):
                widest = found["widest"] or {}
                offenders.append(
                    f"- {label} at {width}x{height} <{page.url}>: the page is {found['scrollWidth']} px wide"
                    f" (window {found['innerWidth']} px); furthest right: {widest.get('name')}"
                    f" to {widest.get('right')} px: {widest.get('html')}"
                )
        resize(*SCREENS[0])

    def visit(label: str, url: str, title: str | re.Pattern) -> None:
        response = page.goto(url)
        assert response is not None and response.status == 200, (
            f"{label}: {url} answered {response and response.status}"
        )
        expect(heading).to_have_text(title)
        measure(label)

    procedure, istanbul = site.procedure, site.istanbul
    directory = reverse("facilities:list")
    page.set_viewport_size({"width": SCREENS[0][0], "height": SCREENS[0][1]})
    visit("home", reverse("home"), re.compile("Spine surgery abroad"))
    visit("directory", directory, "Accredited hospitals and clinics")
    page.locator("details.filters-panel > summary").click()
    expect(page.locator("#id_q")).to_be_visible()
    measure("directory, filters unfolded")
    filtered = f"{directory}?procedure={procedure.slug}&country=TR&language=en&services=interpreter&sort=price"
    visit("directory with filters", filtered, "Lumbar discectomy: accredited hospitals")
    visit("directory, no results", f"{directory}?procedure=kyphoplasty&country=DE", "Kyphoplasty: accredited hospitals")
    visit("facility page", istanbul.get_absolute_url(), istanbul.name)
    # The price table scrolls inside its box by design, but each procedure and its price stay on
    # the first screen even at 320 px ("what the price includes" is what scrolls into view).
    for width, height in SCREENS:
        resize(width, height)
        hidden = page.evaluate(
            """() => {
                const box = document.querySelector(".facility-main .table-wrap");
                const edge = box.getBoundingClientRect().left + box.clientWidth;
                return [...box.querySelectorAll("tbody td.price")]
                    .filter((cell) => cell.getBoundingClientRect().right > edge + 0.5)
                    .map((cell) => cell.textContent.trim());
            }"""
        )
        if hidden:
            offenders.append(f"- facility page at {width}x{height}: prices cut off on the first screen: {hidden}")
    visit("procedure list", reverse("procedures:list"), "Procedures explained")
    visit("procedure page", procedure.get_absolute_url(), procedure.name)
    visit("accreditation", reverse("accreditation"), re.compile("."))
    visit("privacy", reverse("privacy"), re.compile("."))
    visit("contact", reverse("contact"), re.compile("."))

    quote_form = f"{reverse('quotes:request')}?procedure={procedure.slug}&facility={istanbul.slug}"
    visit("quote form", quote_form, "Request a free quote")
    page.get_by_role("button", name="Send my request").click()
    expect(page.locator("#error-summary")).to_be_visible()
    page.locator("#id_email").fill("not an address")
    page.get_by_role("button", name="Send my request").click()
    expect(page.locator("#id_email_error")).to_be_visible()
    measure("quote form showing its errors")

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
    measure("confirmation")

    quote_request = QuoteRequest.objects.get(reference=page.locator(".reference").inner_text().strip())
    page.get_by_role("link", name="Follow your request").click()
    expect(page.locator(".status-now strong")).to_have_text("Submitted")
    measure("status page, submitted")

    # Two quotes to compare: one through Istanbul's case, one the coordinator typed in for Berlin.
    quote_request_transition(
        quote_request=quote_request, from_status=S.SUBMITTED, to_status=S.IN_REVIEW, actor=coordinator.user
    )
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
    facility_quote_release(quote=istanbul_quote, actor=coordinator.user)
    page.reload()
    expect(page.locator("table.quote-compare thead th.quote-head")).to_have_count(2)
    measure("status page with quotes to compare")

    quote_request.refresh_from_db()
    patient_accept_quote(
        quote_request=quote_request,
        facility_quote_id=FacilityQuote.objects.get(quote_request=quote_request, facility=istanbul).pk,
    )
    page.reload()
    expect(page.locator(".status-now strong")).to_have_text("Quote accepted")
    measure("status page, quote accepted")

    assert len(measured) == 17 * len(SCREENS)
    assert not offenders, f"{len(offenders)} page(s) scroll sideways on a phone:\n" + "\n".join(offenders)
    assert not browser_problems, "\n".join(browser_problems)
