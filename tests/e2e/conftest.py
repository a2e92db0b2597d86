"""Real-browser tests: Playwright (sync API) drives Debian's Chromium against pytest-django's live server.

They run whenever the ``playwright`` package and Chromium are installed, and skip with the reason
otherwise; the accessibility checks also need axe-core (``npm ci`` puts it in ``node_modules/``).
``.ci/run`` installs all three and sets ``MEDTOUR_E2E_REQUIRED=1``, which turns those skips into
failures, so CI cannot pass without running the browser. Playwright never downloads a browser here
(``playwright install`` is not used): it launches the system's Chromium.

Test modules do not import Playwright (so they are collected without it): the browser, pages,
``expect``, screenshots and the axe check all come from the fixtures below.
"""

import datetime
import importlib.util
import os
from pathlib import Path
from types import SimpleNamespace
from typing import NoReturn
from urllib.parse import unquote, urlsplit

import pytest
from django.apps import apps
from django.core.cache import cache
from django.utils import timezone
from django_otp.oath import totp

from quotes.roles import COORDINATORS, apply_groups
from tests.factories import (
    make_category,
    make_facility,
    make_language,
    make_offer,
    make_photo,
    make_procedure,
    make_staff,
)
from tourism import two_factor

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("MEDTOUR_E2E_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
VIEWPORTS = {
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
    "desktop": {"viewport": {"width": 1366, "height": 900}},
}
TIMEOUT_MS = 15_000
COORDINATOR_PASSWORD = "a long coordinator passphrase"
# The coordinator's authenticator app: RFC 6238's test key, so each test can work out the codes.
COORDINATOR_TOTP_KEY = "3132333435363738393031323334353637383930"


def _required() -> bool:
    return os.environ.get("MEDTOUR_E2E_REQUIRED", "").strip().lower() in {"1", "true", "yes", "on"}


def _unavailable(reason: str) -> NoReturn:
    if _required():
        pytest.fail(f"{reason}; MEDTOUR_E2E_REQUIRED is set, so this fails instead of skipping", pytrace=False)
    pytest.skip(reason)


def _missing_browser() -> str | None:
    if importlib.util.find_spec("playwright") is None:
        return "the playwright package is not installed (pip install -r requirements-dev.txt)"
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        return f"no Chromium at {CHROMIUM} (apt-get install chromium, or set MEDTOUR_E2E_CHROMIUM)"
    return None


# The browser -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser():
    """One Chromium per test module (a launch takes about a second)."""
    if reason := _missing_browser():
        _unavailable(reason)
    from playwright.sync_api import sync_playwright

    # Between its calls, Playwright's sync API leaves an asyncio loop marked as running in this
    # thread, and Django then refuses ORM calls as if they came from async code. The tests' ORM
    # calls are plain synchronous code between browser steps, so allow them while it runs. Never
    # session-wide: the loop mark would break every later test that touches the database.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()


@pytest.fixture
def expect(browser):
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    return expect


@pytest.fixture(autouse=True)
def _e2e_settings(settings):
    # The form's bot check and the rate limits would stop a fast, repeated, scripted patient.
    settings.QUOTE_MIN_FILL_SECONDS = 0
    settings.QUOTE_RATE_PER_HOUR = 1000
    settings.QUOTE_RATE_PER_DAY = 10_000
    settings.TRUSTED_PROXY_COUNT = 0
    settings.SITE_URL = ""
    # Rate-limit counters, login throttling and cached fragments live in the (process-wide) cache.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(params=list(VIEWPORTS))
def viewport(request) -> str:
    """Every browser test runs twice: on a phone-sized and on a desktop-sized window."""
    return request.param


@pytest.fixture
def browser_problems() -> list[str]:
    """What went wrong in the browser without failing a step: script errors, CSP refusals, broken assets."""
    return []


@pytest.fixture
def new_page(browser, live_server, viewport, settings, browser_problems):
    """Open a page in a fresh browser context (its own cookies: one person) at the viewport's size."""
    contexts = []
    static_url = "/" + settings.STATIC_URL.lstrip("/")
    media_url = "/" + settings.MEDIA_URL.lstrip("/")

    def serve_media(route) -> None:
        # The live server runs with DEBUG off, so nothing serves uploads: hand out the photos
        # from this test's MEDIA_ROOT so pages show them as they would in production.
        root = Path(settings.MEDIA_ROOT).resolve()
        wanted = (root / unquote(urlsplit(route.request.url).path).removeprefix(media_url)).resolve()
        if wanted.is_file() and wanted.is_relative_to(root):
            route.fulfill(path=wanted)
        else:
            route.fulfill(status=404, body="")

    def watch(page) -> None:
        page.on("pageerror", lambda error: browser_problems.append(f"{page.url}: script error: {error}"))

        def console(message) -> None:
            if message.type == "error" and "Content Security Policy" in message.text:
                browser_problems.append(f"{page.url}: {message.text}")

        def response(answer) -> None:
            path = urlsplit(answer.url).path
            if answer.status >= 400 and (path.startswith(static_url) or path.startswith(media_url)):
                browser_problems.append(f"{page.url}: {answer.status} for {answer.url}")

        page.on("console", console)
        page.on("response", response)

    def open_page(locale: str = "en-GB"):
        # ``locale`` is the browser's language (its Accept-Language header and navigator.language).
        context = browser.new_context(
            base_url=live_server.url,
            locale=locale,
            timezone_id="UTC",
            reduced_motion="reduce",
            **VIEWPORTS[viewport],
        )
        context.set_default_timeout(TIMEOUT_MS)
        context.route(f"{live_server.url}{media_url}**", serve_media)
        contexts.append(context)
        page = context.new_page()
        watch(page)
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def screenshot(viewport):
    """Save a full-page screenshot as a test artifact: test-artifacts/screenshots/<viewport>/<name>.png."""
    folder = SCREENSHOTS / viewport
    folder.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> None:
        page.screenshot(path=folder / f"{name}.png", full_page=True, animations="disabled", caret="hide")

    return take


# Accessibility -----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE_JS.is_file():
        _unavailable(f"axe-core is not installed: no {AXE_JS.relative_to(ROOT)} (run npm ci)")
    return AXE_JS.read_text(encoding="utf-8")


@pytest.fixture
def axe_violations(axe_source):
    """Run axe-core (WCAG 2.1 A and AA) on the page as it is now; one readable entry per violation.

    axe is evaluated through the DevTools protocol, not added as a <script>: a strict
    Content-Security-Policy would refuse an injected inline script, and must stay on while we test.
    """

    def run(page) -> list[str]:
        if not page.evaluate("() => typeof window.axe === 'object'"):
            page.evaluate(axe_source)
        results = page.evaluate(
            """(tags) => axe.run(document, {
                runOnly: {type: 'tag', values: tags},
                resultTypes: ['violations'],
            })""",
            WCAG_TAGS,
        )
        found = []
        for violation in results["violations"]:
            nodes = "".join(
                f"\n      {' > '.join(map(str, node['target']))}: {node['html'][:160]}" for node in violation["nodes"]
            )
            found.append(
                f"{violation['id']} ({violation['impact']}): {violation['help']} <{violation['helpUrl']}>{nodes}"
            )
        return found

    return run


# Data --------------------------------------------------------------------------------------------


@pytest.fixture
def site(transactional_db):
    """A small directory: three listed hospitals in three countries, two spine procedures, one photo."""
    english = make_language(code="en", name="English")
    german = make_language(code="de", name="German")
    spine = make_category(name="Spine surgery", slug="spine-surgery", description="Operations on the spine.")
    discectomy = make_procedure(
        name="Lumbar discectomy",
        slug="lumbar-discectomy",
        category=spine,
        also_known_as="Microdiscectomy",
        summary="Removes the part of a slipped disc that presses on a nerve in the lower back.",
        overview="A surgeon removes the disc material that presses on the nerve.\n\nMost people walk the same day.",
        indications="- Leg pain from a slipped disc\n- Pain that lasted more than six weeks",
        contraindications="Back pain alone, without leg pain.",
        techniques="Through a small cut in the back, with a microscope.",
        risks="- Infection\n- The disc slipping again\n- Nerve injury (rare)",
        recovery="Walking on the first day; desk work after two weeks.",
        aftercare="Short walks every day; no heavy lifting for six weeks.",
        questions="- How many of these do you do each year?\n- What happens if the disc slips again?",
        operation_hours_min=1,
        operation_hours_max=2,
        hospital_nights_min=1,
        hospital_nights_max=2,
        days_before_flying=7,
        return_to_normal_weeks_min=4,
        return_to_normal_weeks_max=6,
        anaesthesia="general",
        medical_reviewer="Dr A. Example, FRCS",
        last_reviewed_on=timezone.localdate() - datetime.timedelta(days=30),
    )
    kyphoplasty = make_procedure(
        name="Kyphoplasty",
        slug="kyphoplasty",
        category=spine,
        summary="Restores a collapsed vertebra with a balloon and bone cement.",
    )
    istanbul = make_facility(
        name="Anadolu Spine Hospital",
        slug="anadolu-spine-hospital",
        country="TR",
        city="Istanbul",
        address="Atatürk Caddesi 1",
        description="A spine hospital with an international patients' office.",
        year_established=1998,
        beds=220,
        website="https://anadolu-spine.example.org",
        has_interpreter=True,
        has_airport_transfer=True,
    )
    istanbul.languages.set([english, german])
    bangkok = make_facility(
        name="Bangkok Back Institute", slug="bangkok-back-institute", country="TH", city="Bangkok", beds=140
    )
    bangkok.languages.set([english])
    berlin = make_facility(
        name="Berlin Wirbelsäulenklinik", slug="berlin-wirbelsaeulenklinik", country="DE", city="Berlin"
    )
    berlin.languages.set([german])
    make_offer(facility=istanbul, procedure=discectomy, price_from=7_000, price_to=9_500)
    make_offer(facility=bangkok, procedure=discectomy, price_from=8_000, price_to=11_000)
    make_offer(facility=berlin, procedure=discectomy, price_from=14_000, price_to=18_000)
    make_offer(facility=istanbul, procedure=kyphoplasty, price_from=6_000, price_to=8_000)
    make_photo(facility=istanbul, alt_text="The hospital's main entrance", caption="Main entrance", position=0)
    make_photo(facility=istanbul, alt_text="A patient room with two beds", position=1)
    return SimpleNamespace(
        english=english,
        procedure=discectomy,
        other_procedure=kyphoplasty,
        istanbul=istanbul,
        bangkok=bangkok,
        berlin=berlin,
    )


def current_code(key_hex: str) -> str:
    """The code an authenticator app with this key shows now."""
    return str(totp(bytes.fromhex(key_hex))).zfill(6)


@pytest.fixture
def coordinator(transactional_db):
    """A member of staff in the Coordinators group (not a superuser), with a known password and an
    authenticator app with a known key (``coordinator.code()`` is what it shows now)."""
    # The group comes from a data migration; a transactional test before this one may have
    # flushed it away, so make sure it is there (apply_groups is re-runnable).
    apply_groups(apps)
    user = make_staff(
        username="coordinator-e2e",
        email="coordinator-e2e@medtour.localhost",
        password=COORDINATOR_PASSWORD,
        group=COORDINATORS,
        first_name="Cora",
        last_name="Coordinator",
    )
    two_factor.demo_device(user, COORDINATOR_TOTP_KEY)
    return SimpleNamespace(
        user=user,
        username=user.get_username(),
        password=COORDINATOR_PASSWORD,
        code=lambda: current_code(COORDINATOR_TOTP_KEY),
    )
