"""Property-based tests (Hypothesis): whatever a visitor sends, the site answers below 500 (issue 13).

Nothing here is a hand-written list of pages. The URLs come from the URLconf: every pattern, its
converters filled with real values of a small demo directory, with text the converter accepts and
with arbitrary text. The form fields come from the forms the pages render (and the public forms'
classes), the known query parameters from the directory's filters, the pages' GET forms and their
links' query strings, and the browsers from visiting every page: as a newcomer, through a status
link, an invitation link, the sign-in form, and signed in to the partner portal.

Each example is one request (sent twice at once when it is a page, or a second click on a form),
inside a savepoint that is rolled back and with an empty cache before it, so that no example
changes what the next one sees; the demo data is made once per module and rolled back after it.

The examples are bounded: ``HYPOTHESIS_EXAMPLES`` per URL pattern for pages, three times that for
forms, 25 times that for headers (10 unless set; ``HYPOTHESIS_EXAMPLES=60 pytest
tests/test_properties.py`` for a deeper run). A failing example prints the request that got the
5xx (method, path, query string, fields, cookies, headers) and a blob to replay it in full.
"""

import datetime
import os
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from itertools import islice, product
from urllib.parse import quote, quote_from_bytes, urlencode, urljoin, urlsplit

import pytest
from django import forms
from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.exceptions import Resolver404
from django.urls.resolvers import LocalePrefixPattern, RegexPattern, RoutePattern
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from facilities.filters import FacilityFilter
from facilities.sitemaps import SITEMAPS
from quotes.forms import QuoteRequestForm, new_form_stamp
from quotes.models import FacilityQuote, QuoteAttachment, QuoteRequest
from quotes.patient_forms import AcceptQuoteForm, PatientMessageForm, PatientReplyForm, WithdrawForm
from quotes.services.cases import sharing_consent_ask
from quotes.services.invitations import invitation_send
from quotes.services.workflow import quote_request_transition
from tests.factories import (
    PDF,
    STAFF_PASSWORD,
    form_data,
    image_bytes,
    make_accreditation,
    make_attachment,
    make_body,
    make_case,
    make_category,
    make_facility,
    make_facility_quote,
    make_facility_user,
    make_language,
    make_offer,
    make_photo,
    make_procedure,
    make_quote_request,
    make_staff,
    make_upload,
)
from tourism.account_forms import SignInForm

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("HYPOTHESIS_EXAMPLES", "10"))
# Each test states its own max_examples; these apply to all of them. The fixtures that make these
# health checks fire are the suite's autouse ones (settings, cache), safe to share across examples.
BOUNDED = hypothesis_settings(
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)


# The URLconf -------------------------------------------------------------------------------------

PARAMETER_RE = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


@dataclass(frozen=True)
class Parameter:
    name: str
    regex: str  # What the converter (or a regex pattern's group) accepts.


@dataclass(frozen=True)
class Route:
    """One URL pattern: literal pieces and parameters, in order."""

    name: str  # "facilities:detail"; a pattern without a name is named by its route.
    parts: tuple  # of str (literal) and Parameter

    @property
    def parameters(self) -> list[Parameter]:
        return [part for part in self.parts if isinstance(part, Parameter)]

    def path(self, values: dict[str, str]) -> str:
        """The path with ``values`` (already URL-quoted) for the parameters."""
        return "/" + "".join(values[part.name] if isinstance(part, Parameter) else part for part in self.parts)


def _pattern_parts(pattern) -> list:
    if isinstance(pattern, RoutePattern):
        route, parts, position = str(pattern), [], 0
        for match in PARAMETER_RE.finditer(route):
            parts.append(route[position : match.start()])
            parts.append(Parameter(match["name"], pattern.converters[match["name"]].regex))
            position = match.end()
        parts.append(route[position:])
        return [part for part in parts if part != ""]
    if isinstance(pattern, RegexPattern):
        # Regex patterns (the admin's app index, media in DEBUG): the whole pattern is one parameter.
        regex = pattern._regex.removeprefix("^").removesuffix("$").removesuffix(r"\Z")
        return [Parameter(f"regex:{regex}", regex)] if regex else []
    if isinstance(pattern, LocalePrefixPattern):
        # i18n_patterns: the examples are drawn in English, whose pages have no prefix.
        return []
    raise TypeError(f"A URL pattern of a kind this test does not know: {pattern!r}")


def _walk(patterns, parts=(), namespace="") -> Iterator[Route]:
    for entry in patterns:
        here = (*parts, *_pattern_parts(entry.pattern))
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, here, inner)
        elif isinstance(entry, URLPattern):
            name = entry.name or "".join(part if isinstance(part, str) else f"<{part.name}>" for part in here)
            yield Route(f"{namespace}{name}", tuple(here))


ROUTES = list(_walk(get_resolver().url_patterns))
# The admin's many patterns (one set per model) are one target: to someone not signed in they are
# all the same login redirect.
ADMIN = "admin"


def _target(route: Route) -> str:
    return ADMIN if route.name.startswith("admin:") else route.name


TARGETS = sorted({_target(route) for route in ROUTES})
ROUTES_BY_TARGET = {target: [route for route in ROUTES if _target(route) == target] for target in TARGETS}
# Where public uploads are served (by middleware, not the URLconf).
MEDIA = "media"
TARGETS.append(MEDIA)
ROUTES_BY_TARGET[MEDIA] = [Route(MEDIA, (settings.MEDIA_URL.strip("/") + "/", Parameter("path", ".+")))]


# Reading the pages: forms, their fields and the values they offer; links and their query strings ---


@dataclass
class FormSpec:
    """A form as a page showed it: where it posts, its fields with the values the page offers, the
    cookies of the browser it was shown to, and the values to start from (the page's own, or a
    valid answer: examples change a few fields of it, so that they also reach what lies behind the
    first check)."""

    target: str
    action: str  # A path, with the real values in it.
    fields: dict[str, list[str]] = field(default_factory=dict)
    files: set[str] = field(default_factory=set)
    cookies: str = ""  # A Cookie header.
    start: dict[str, str | list[str]] = field(default_factory=dict)


# What a person types into an empty box of each kind: forms then start from an answer that may pass.
PLAUSIBLE = {
    "email": "new.person@example.org",
    "tel": "+44 20 7946 0000",
    "number": "1",
    "date": (datetime.date.today() + datetime.timedelta(days=30)).isoformat(),
    "url": "https://example.org/",
    "password": "a long and unusual passphrase",
}


class _PageReader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[tuple[dict, dict[str, list[str]], set[str], dict[str, str | list[str]]]] = []
        self.links: list[str] = []
        self._form = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = {name: value or "" for name, value in attrs}
        for name in ("href", "src"):
            if attrs.get(name):
                self.links.append(attrs[name])
        if tag == "form":
            self._form = (attrs, {}, set(), {})
            self.forms.append(self._form)
            return
        if self._form is None:
            return
        _attrs, fields, files, defaults = self._form
        if tag == "option" and self._select:
            fields[self._select].append(attrs.get("value", ""))
            return
        if not attrs.get("name"):
            return
        name = attrs["name"]
        values = fields.setdefault(name, [])
        if tag == "input":
            kind = attrs.get("type", "text").lower()
            if kind == "file":
                files.add(name)
                return
            value = attrs.get("value", "on" if kind in ("checkbox", "radio") else "")
            values.append(value)
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    defaults.setdefault(name, value)
            elif kind not in ("submit", "button", "image", "reset"):
                defaults.setdefault(name, value or ("" if kind == "hidden" else PLAUSIBLE.get(kind, "Plain words.")))
        elif tag == "button":
            values.append(attrs.get("value", ""))
        elif tag == "select":
            self._select = name
        elif tag == "textarea":
            self._textarea = name
            defaults.setdefault(name, "A few plain words.")

    def handle_data(self, data):
        if self._form is not None and self._textarea:
            self._form[3][self._textarea] = data.strip("\n") or "A few plain words."

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def _target_of(path: str) -> str | None:
    if path.startswith(settings.MEDIA_URL):
        return MEDIA
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return ADMIN if match.namespaces[:1] == ["admin"] else match.view_name


def _cookie_header(client: Client) -> str:
    return "; ".join(f"{morsel.key}={morsel.coded_value}" for morsel in client.cookies.values() if morsel.value)


def _kind_of_browser(cookies: str) -> str:
    """The cookies that make a browser different from another: all but its CSRF cookie."""
    return "; ".join(pair for pair in cookies.split("; ") if not pair.startswith(f"{settings.CSRF_COOKIE_NAME}="))


# The demo directory, requests and offices the examples run against --------------------------------


@dataclass(repr=False)
class Site:
    """What the examples draw from: real values of the URL parameters, the forms the pages showed,
    the query parameters their links and GET forms use, and the browsers that saw them."""

    values: dict[str, list[str]]  # By parameter name: every real value.
    good_values: dict[tuple[str, str], list[str]]  # By (route, parameter): those that opened a page.
    forms: dict[str, list[FormSpec]]  # By target.
    query_names: dict[str, set[str]]  # By target; "" for every page.
    query_values: dict[str, list[str]]  # By query parameter name.
    cookie_names: list[str]
    browsers: dict[str, list[str]]  # Cookie headers of browsers that opened a page of a target; "" for any.
    settings: dict  # For every example: the demo's own media folders.
    strategies: dict = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"<Site: {sum(map(len, self.forms.values()))} forms, {len(self.browsers[''])} browsers>"


def _move(quote_request: QuoteRequest, to_status: str, actor) -> QuoteRequest:
    S = QuoteRequest.Status
    extra = {"note": "Please send your latest MRI report."} if to_status == S.AWAITING_PATIENT else {}
    if to_status == S.CLOSED:
        extra["reason"] = QuoteRequest.CloseReason.NO_SUITABLE_FACILITY
    return quote_request_transition(
        quote_request=quote_request, from_status=quote_request.status, to_status=to_status, actor=actor, **extra
    )


@dataclass
class Demo:
    values: dict[str, list[str]]
    office: object  # A facility manager with an authenticator app.
    coordinator: object  # Staff, without one yet.


def _build_demo() -> Demo:
    """A small directory, a request in each stage the patient sees, a case, an invitation."""
    S = QuoteRequest.Status
    make_language(code="en", name="English")
    german = make_language(code="de", name="German")
    body = make_body(name="Joint Commission Test", abbreviation="JCT", slug="jct")
    spine = make_category(name="Spine surgery", slug="spine")
    fusion = make_procedure(name="Lumbar fusion", slug="lumbar-fusion", category=spine, summary="Joins vertebrae.")
    discectomy = make_procedure(name="Discectomy", slug="discectomy", category=spine)
    draft = make_procedure(name="Draft procedure", slug="draft-procedure", is_published=False)
    fusion.related.add(discectomy)
    clinic = make_facility(name="Anatolia Spine Centre", slug="anatolia-spine", has_interpreter=True)
    clinic.languages.add(german)
    make_accreditation(facility=clinic, body=body)
    other = make_facility(name="Lisbon Back Clinic", slug="lisbon-back", country="PT", city="Lisbon")
    unlisted = make_facility(name="Unpublished Hospital", slug="unpublished-hospital", is_published=False)
    make_offer(facility=clinic, procedure=fusion, price_from=9000, price_to=12000)
    make_offer(facility=other, procedure=fusion, price_from=11000, price_to=16000)
    make_offer(facility=other, procedure=discectomy, price_from=5000, price_to=7000)
    make_photo(facility=clinic, upload=make_upload(content=image_bytes(size=(64, 48))))

    coordinator = make_staff(group="Coordinators", email="coordinator@medtour.localhost")
    office = make_facility_user(facility=clinic, role="manager")
    TOTPDevice.objects.create(user=office, name="Authenticator", confirmed=True)
    requests = {}
    for stage, steps in {
        "submitted": [],
        "awaiting": [S.IN_REVIEW, S.AWAITING_PATIENT],
        "quoted": [S.IN_REVIEW, S.SENT_TO_FACILITIES, S.QUOTED],
        "closed": [S.CLOSED],
    }.items():
        quote_request = make_quote_request(procedure=fusion)
        make_attachment(quote_request=quote_request)
        for step in steps:
            if step == S.SENT_TO_FACILITIES:
                make_case(quote_request=quote_request, facility=clinic)
            if step == S.QUOTED:
                make_facility_quote(quote_request=quote_request, facility=clinic)
                make_facility_quote(quote_request=quote_request, facility=other)
            quote_request = _move(quote_request, step, coordinator)
        requests[stage] = quote_request
    asking = make_quote_request(status=S.IN_REVIEW, suggest_facilities=False)
    sharing_consent_ask(quote_request=asking, facility=other, actor=coordinator)
    requests["asking"] = asking
    new_case = make_case(quote_request=requests["submitted"], facility=clinic)
    invitation = invitation_send(
        facility=clinic, email="new.colleague@hospital.example", role="case_handler", invited_by=office
    )

    cases = [new_case, *requests["quoted"].cases.all()]
    attachments = QuoteAttachment.objects.values_list("pk", flat=True)
    return Demo(
        values={
            "slug": [clinic.slug, other.slug, unlisted.slug, fusion.slug, discectomy.slug, draft.slug],
            "token": [quote_request.status_token for quote_request in requests.values()] + [invitation.token],
            "reference": [case.reference for case in cases],
            "section": list(SITEMAPS),
            "attachment_id": [str(pk) for pk in attachments],
            "membership_id": [str(office.facility_membership.pk)],
            "invitation_id": [str(invitation.pk)],
            "pk": [str(pk) for pk in FacilityQuote.objects.values_list("pk", flat=True)],
        },
        office=office,
        coordinator=coordinator,
    )


# The public forms, as their classes declare them (in case a page shows a form only in some states).
DECLARED_FORMS = {
    "quotes:request": QuoteRequestForm,
    "account:sign_in": SignInForm,
    "quotes:status_reply": PatientReplyForm,
    "quotes:status_message": PatientMessageForm,
    "quotes:status_withdraw": WithdrawForm,
    "quotes:status_accept": AcceptQuoteForm,
}
# Names the views read from query strings, found in their source (``request.GET.get("page")``).
QUERY_READ_RE = re.compile(r"""\bGET(?:\.get|\.getlist)?[(\[]\s*["']([\w-]+)["']""")


def _names_read_from_query_strings() -> set[str]:
    names = set()
    for app in ("tourism", "facilities", "quotes"):
        for source in (settings.BASE_DIR / app).rglob("*.py"):
            names.update(QUERY_READ_RE.findall(source.read_text(encoding="utf-8")))
    return names


def _declared_fields(form_class) -> tuple[list[str], set[str]]:
    form = form_class(request=None) if issubclass(form_class, SignInForm) else form_class()
    files = {form.add_prefix(name) for name, field in form.fields.items() if isinstance(field, forms.FileField)}
    return [form.add_prefix(name) for name in form.fields if form.add_prefix(name) not in files], files


def _valid_answers(demo: Demo) -> dict[str, list[dict]]:
    """Answers each public form accepts, by target (the sign-in twice: with and without an app)."""
    # An hour old: not "sent too fast".
    quote = form_data(stamp=new_form_stamp(shown_at=time.time() - 3600), facilities=demo.values["slug"][:2])
    passphrase = "a new colleague's long passphrase"
    return {
        "quotes:request": [quote],
        "account:sign_in": [
            {"username": demo.office.username, "password": STAFF_PASSWORD},
            {"username": demo.coordinator.username, "password": STAFF_PASSWORD},
        ],
        "partners:join": [
            {
                "first_name": "Nuray",
                "last_name": "Demir",
                "username": "nuray.demir",
                "password1": passphrase,
                "password2": passphrase,
            }
        ],
    }


def _real_paths(route: Route, values: dict[str, list[str]], limit: int = 12) -> list[tuple[str, dict]]:
    parameters = route.parameters
    choices = [values.get(parameter.name, []) for parameter in parameters]
    if any(not choice for choice in choices):
        return []
    found = []
    for combination in islice(product(*choices), limit):
        chosen = dict(zip((p.name for p in parameters), combination, strict=True))
        found.append((route.path({name: quote(value, safe="") for name, value in chosen.items()}), chosen))
    return found


def _verified(user) -> Client:
    """A browser signed in as ``user`` past the second factor (as ``django_otp.login`` leaves it)."""
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=user, confirmed=True).persistent_id
    session.save()
    return client


class _Discovery:
    """Opens pages as browsers do, and keeps what they showed."""

    def __init__(self, demo: Demo):
        self.demo = demo
        self.good_values: dict[tuple[str, str], list[str]] = {}
        self.forms: dict[str, list[FormSpec]] = {}
        names = {*FacilityFilter.base_filters, "page", REDIRECT_FIELD_NAME, *_names_read_from_query_strings()}
        self.query_names: dict[str, set[str]] = {"": names}
        self.query_values: dict[str, list[str]] = {name: list(found) for name, found in demo.values.items()}
        self.cookie_names = {
            settings.SESSION_COOKIE_NAME,
            settings.CSRF_COOKIE_NAME,
            settings.LANGUAGE_COOKIE_NAME,
            getattr(settings, "MESSAGE_COOKIE_NAME", "messages"),
        }
        self.browsers: dict[str, dict[str, str]] = {"": {}}  # Target -> kind of browser -> its cookies.
        self._seen_forms: set = set()

    def _offer(self, name: str, value: str) -> None:
        known = self.query_values.setdefault(name, [])
        if value not in known and len(known) < 50:
            known.append(value)

    def read(self, client: Client, response) -> int:
        """Keep what the page ``response`` (the last of its redirects) showed ``client``."""
        page = response.request["PATH_INFO"]
        cookies = _cookie_header(client)
        self.cookie_names.update(client.cookies.keys())
        if response.status_code < 400 and cookies:
            for target in ("", _target_of(page) or ""):
                self.browsers.setdefault(target, {}).setdefault(_kind_of_browser(cookies), cookies)
        if response.streaming:
            response.getvalue()
            return response.status_code
        if "html" not in response.get("Content-Type", ""):
            return response.status_code
        reader = _PageReader()
        reader.feed(response.content.decode())
        for attrs, fields, files, defaults in reader.forms:
            action = urlsplit(urljoin(page, attrs.get("action", "")))
            target = _target_of(action.path)
            if target is None:
                continue
            if attrs.get("method", "get").lower() == "get":
                self.query_names.setdefault(target, set()).update(fields)
                for name, offered in fields.items():
                    for value in offered:
                        self._offer(name, value)
                continue
            key = (target, action.path, _kind_of_browser(cookies), tuple(sorted(fields)))
            if key not in self._seen_forms:
                self._seen_forms.add(key)
                self.forms.setdefault(target, []).append(
                    FormSpec(target, action.path, fields, files, cookies, defaults)
                )
        for href in reader.links:
            link = urlsplit(urljoin(page, href))
            if link.netloc not in ("", "testserver"):
                continue
            target = _target_of(link.path) or ""
            if target == MEDIA:
                self.demo.values.setdefault("path", []).append(link.path.removeprefix(settings.MEDIA_URL))
            for pair in link.query.split("&") if link.query else ():
                name, _, value = pair.partition("=")
                self.query_names.setdefault(target, set()).add(name)
                self._offer(name, value)
        return response.status_code

    def visit_every_page(self, browser: Client | None = None) -> None:
        """Every route with each real value, as a new visitor (or as ``browser``), following redirects."""
        for route in ROUTES_BY_TARGET[MEDIA] + ROUTES:
            for path, chosen in _real_paths(route, self.demo.values):
                cache.clear()
                client = browser or Client()
                status = self.read(client, client.get(path, follow=True))
                for name, value in chosen.items() if status < 400 else ():
                    good = self.good_values.setdefault((route.name, name), [])
                    if value not in good:
                        good.append(value)

    def answer_the_forms(self) -> None:
        """Send each valid answer once, as the page's browser, and read where it leads (what it made,
        a request, a signed-in session, stays for the examples)."""
        for target, answers in _valid_answers(self.demo).items():
            for spec in list(self.forms.get(target, []))[:1]:
                for answer in answers:
                    spec.start = {**spec.start, **answer}
                    cache.clear()
                    client = Client()
                    client.cookies.load(spec.cookies)
                    self.read(client, client.post(spec.action, spec.start, follow=True))
            for other in self.forms.get(target, []):
                other.start = {**other.start, **answers[0]}

    def visit_a_deleted_request(self) -> None:
        """A browser whose status cookie names a request deleted since (retention, erasure)."""
        doomed = make_quote_request()
        client = Client()
        self.read(client, client.get(reverse("quotes:status", kwargs={"token": doomed.status_token}), follow=True))
        doomed.delete()

    def add_declared_forms(self) -> None:
        for target, form_class in DECLARED_FORMS.items():
            names, files = _declared_fields(form_class)
            specs = self.forms.setdefault(target, [])
            if not specs:
                route = ROUTES_BY_TARGET[target][0]
                specs.extend(FormSpec(target, path) for path, _chosen in _real_paths(route, self.demo.values, limit=1))
            for spec in specs:
                for name in names:
                    spec.fields.setdefault(name, [])
                spec.files |= files


def _discover(demo: Demo, media: dict) -> Site:
    found = _Discovery(demo)
    found.visit_every_page()
    found.visit_every_page(_verified(demo.office))
    found.add_declared_forms()
    found.answer_the_forms()
    found.visit_a_deleted_request()
    cache.clear()
    return Site(
        values=demo.values,
        good_values=found.good_values,
        forms=found.forms,
        query_names=found.query_names,
        query_values=found.query_values,
        cookie_names=sorted(found.cookie_names),
        browsers={target: sorted(kinds.values()) for target, kinds in found.browsers.items()},
        settings=media,
    )


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo data and what its pages show, made once for the module inside a transaction that is
    rolled back after it; each test runs in a savepoint inside it, and each example in another."""
    folder = tmp_path_factory.mktemp("properties")
    media = {"MEDIA_ROOT": folder / "media", "PRIVATE_MEDIA_ROOT": folder / "private"}
    with (
        django_db_blocker.unblock(),
        override_settings(
            **media,
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        ),
        transaction.atomic(),
    ):
        try:
            yield _discover(_build_demo(), media)
        finally:
            transaction.set_rollback(True)


# Arbitrary input ---------------------------------------------------------------------------------

# Text that has broken sites before: numbers that are not, dates that are not, markup, paths,
# look-alike digits, direction marks, combining characters, NUL.
TRICKY = [
    "", " ", "0", "-1", "1", "2", "00", "-0", "1.5", "1e309", "NaN", "inf", "-Infinity", "9" * 40, "0x10",
    "١٢", "²", "𝟙", "１", "true", "on", "yes", "None", "null", "[]", "{}", "%", "%00", "%zz", "\x00", "a\x00b",
    "\r\n", "'", '"', "\\", "<script>alert(1)</script>", "{{ 7|add:7 }}", "{% debug %}", "%(name)s", "{0}",
    "../../etc/passwd", "/", "//evil.example", "https://evil.example/", "javascript:alert(1)", "a@b", "@",
    "+", "+44 20 7946 0000", "0044 20 7946 0000", "2024-02-30", "9999-12-31", "0001-01-01", "\u202e", "\ufeff",
    "e\u0301", "İ", "ß", "ﬁ", "\U0001f600", "MT-7K4P9Q2X", "A" * 43,
]  # fmt: skip
LONG = st.builds(
    lambda piece, n: piece * n, st.sampled_from(["a", "é", "€", "𝟙", "%", "/", "-", "a b"]), st.integers(200, 3000)
)
# NUL is one case among many: the site answers 400 to it in any query string before a view runs.
TEXT = st.one_of(
    st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=40),
    st.text(max_size=10),
    st.sampled_from(TRICKY),
    LONG,
)
# Header values reach Django as bytes read as Latin-1 (PEP 3333): a browser's UTF-8 looks like this.
HEADER_TEXT = st.one_of(
    st.text(st.characters(max_codepoint=255), max_size=60),
    TEXT.map(lambda text: text.encode().decode("latin-1")),
)


def _value(offered: list[str]):
    return st.one_of(st.sampled_from(offered), TEXT) if offered else TEXT


def _one_in(n: int):
    return st.integers(1, n).map(lambda drawn: drawn == 1)


def _segment(parameter: Parameter, real: list[str]):
    """A path segment for ``parameter``, URL-quoted: a real value, what the converter accepts, or anything."""
    quoted = st.sampled_from(["", "/"]).flatmap(lambda safe: TEXT.map(lambda text: quote(text, safe=safe)))
    options = [
        st.from_regex(parameter.regex, fullmatch=True).map(lambda text: quote(text, safe="")),
        quoted,
        st.binary(max_size=40).map(lambda raw: quote_from_bytes(raw, safe="")),
    ]
    if real:
        options.insert(0, st.sampled_from([quote(value, safe="/") for value in real]))
    return st.one_of(options)


@st.composite
def _path(draw, site: Site, route: Route) -> str:
    """Half the time the address of a page that opened (when there is one), else anything."""
    good = {p.name: site.good_values.get((route.name, p.name), []) for p in route.parameters}
    if all(good.values()) and draw(st.booleans()):
        segments = {
            name: st.sampled_from([quote(value, safe="/") for value in values]) for name, values in good.items()
        }
    else:
        segments = {p.name: _segment(p, site.values.get(p.name, [])) for p in route.parameters}
    return route.path(draw(st.fixed_dictionaries(segments)))


@st.composite
def _query_string(draw, site: Site, target: str) -> str:
    """A query string as a browser, a robot or an attacker writes one (repeated names included)."""
    names = sorted(site.query_names.get(target, set()) | site.query_names[""])
    pairs = []
    for _ in range(draw(st.integers(0, 6))):
        name = draw(st.sampled_from(names) | TEXT)
        pairs.append((name, draw(_value(site.query_values.get(name, [])))))
    if pairs and draw(_one_in(4)):
        pairs += [pairs[0]] * draw(st.integers(1, 30))  # One name many times.
    spelling = draw(st.sampled_from(["percent", "percent", "form", "raw", "bytes"]))
    if spelling == "form":
        return urlencode(pairs)
    if spelling == "raw":  # Unencoded, as a careless client sends it; the server passes the bytes on.
        return "&".join(f"{name}={value}" for name, value in pairs).encode().decode("latin-1")
    if spelling == "bytes":  # Not UTF-8 at all.
        pairs += [(name, draw(st.binary(max_size=20))) for name, _value in pairs[:2]]
    return "&".join(
        f"{quote(name, safe='')}={quote_from_bytes(value) if isinstance(value, bytes) else quote(value, safe='')}"
        for name, value in pairs
    )


@dataclass(frozen=True)
class _Cut:
    shown: str

    def __repr__(self) -> str:
        return self.shown


def _short(value):
    """``value`` for a report: long text cut down (the blob Hypothesis prints replays it in full)."""
    if isinstance(value, str | bytes) and len(value) > 200:
        return _Cut(f"{value[:80]!r}…[{len(value)} long]…{value[-20:]!r}")
    if isinstance(value, dict):
        return {_short(key): _short(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_short(item) for item in value]
    return value


@dataclass(repr=False)
class Probe:
    """One request; what a failing example prints."""

    method: str
    path: str
    query: str = ""
    data: dict | str | bytes | None = None
    content_type: str | None = None
    cookies: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    enforce_csrf: bool = False
    settings: dict = field(default_factory=dict)
    repeat: int = 1  # Sent again at once: a second click, a reload, a page the cache now holds.

    def __repr__(self) -> str:
        shown = {name: _short(value) for name, value in vars(self).items() if value or name == "path"}
        if self.repeat == 1:
            del shown["repeat"]
        return "Probe(" + ", ".join(f"{name}={value!r}" for name, value in shown.items()) + ")"


def answer(site: Site, probe: Probe) -> int:
    """The worst status of ``probe``'s responses, sent by a new browser against unchanged data and an
    empty cache (each time again when it repeats, with what the cache kept from the time before)."""
    cache.clear()
    client = Client(enforce_csrf_checks=probe.enforce_csrf)
    environ = {"QUERY_STRING": probe.query, **probe.headers}
    if probe.cookies:
        environ["HTTP_COOKIE"] = probe.cookies
    statuses = []
    with override_settings(**site.settings, **probe.settings), transaction.atomic():
        try:
            for _ in range(probe.repeat):
                statuses.append(_send(client, probe, environ))
        finally:
            transaction.set_rollback(True)
    return max(statuses)


def _send(client: Client, probe: Probe, environ: dict) -> int:
    if isinstance(probe.data, dict):
        for value in probe.data.values():
            for upload in value if isinstance(value, list) else [value]:
                if isinstance(upload, SimpleUploadedFile):
                    upload.seek(0)
        response = client.post(probe.path, probe.data, **environ)
    else:
        content_type = probe.content_type or "application/octet-stream"
        response = client.generic(probe.method, probe.path, probe.data or b"", content_type, **environ)
    if response.streaming:
        # Read to the end, as a server does: the test client then closes it (and its file).
        response.getvalue()
    return response.status_code


# Mostly GET: each other method is one check.
METHODS = st.sampled_from(["GET"] * 14 + ["HEAD", "OPTIONS", "PUT", "PATCH", "DELETE", "PROPFIND"])


def _browser(site: Site, target: str):
    """No cookies, a browser that opened one of the target's pages (half the time), or any we saw."""
    choices = {"none": [""], "own": site.browsers.get(target) or [""], "any": site.browsers[""] or [""]}
    return st.sampled_from(["none", "own", "own", "any"]).flatmap(lambda kind: st.sampled_from(choices[kind]))


@st.composite
def page_requests(draw, site: Site, target: str) -> Probe:
    route = draw(st.sampled_from(ROUTES_BY_TARGET[target]))
    return Probe(
        method=draw(METHODS),
        path=draw(_path(site, route)),
        query=draw(_query_string(site, target)),
        cookies=draw(_browser(site, target)),
        repeat=2,
    )


def _file(name: str, content: bytes) -> SimpleUploadedFile:
    # A browser sends a file's own name; one with no name left (".", "dir/") is sent under another.
    if os.path.basename(name) in {"", ".", ".."}:
        name = f"upload{name.replace('/', '')}"
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


FILES = st.builds(
    _file,
    st.one_of(st.sampled_from(["scan.pdf", "photo.jpg", "a.exe", ".pdf", "x" * 300 + ".pdf"]), TEXT),
    st.one_of(st.sampled_from([PDF, image_bytes(size=(8, 8)), b""]), st.binary(max_size=200)),
)
# Bodies that are not what their Content-Type says.
RAW_CONTENT_TYPES = [
    "multipart/form-data; boundary=BOUNDARY",
    "multipart/form-data",
    "multipart/form-data; boundary=",
    "application/x-www-form-urlencoded",
    "application/x-www-form-urlencoded; charset=latin-1",
    "application/x-www-form-urlencoded; charset=no-such-charset",
    "application/json",
    "text/plain",
    "",
]


@st.composite
def _raw_body(draw) -> bytes:
    if draw(st.booleans()):
        return draw(st.binary(max_size=300))
    parts = draw(st.lists(st.tuples(TEXT, TEXT, st.booleans()), max_size=4))
    body = b""
    for name, value, as_file in parts:
        filename = f'; filename="{name}"' if as_file else ""
        body += f'--BOUNDARY\r\nContent-Disposition: form-data; name="{name}"{filename}\r\n\r\n{value}\r\n'.encode()
    return body + (b"--BOUNDARY--\r\n" if draw(st.booleans()) else b"")


def _change(draw, offered: list[str]):
    how = draw(st.sampled_from(["text", "offered", "list", "drop"]))
    if how == "offered" and offered:
        return draw(st.sampled_from(offered))
    if how == "list":
        return draw(st.lists(_value(offered), min_size=2, max_size=5))
    return None if how == "drop" else draw(_value(offered))


@st.composite
def form_posts(draw, site: Site, target: str) -> Probe:
    """A POST of one of the target's forms as its page showed it, a few fields (or all) changed to
    anything, dropped, repeated or added; or of anything at all to any of the target's addresses."""
    specs = site.forms.get(target, [])
    if specs and not draw(_one_in(10)):
        spec = draw(st.sampled_from(specs))
    else:
        route = draw(st.sampled_from(ROUTES_BY_TARGET[target]))
        spec = FormSpec(target, draw(_path(site, route)), cookies=draw(_browser(site, target)))
    start = {} if draw(_one_in(5)) else dict(spec.start)
    names = sorted(set(spec.fields) | set(start))
    if names and draw(_one_in(5)):
        changed = set(names)
    else:
        changed = draw(st.sets(st.sampled_from(names), max_size=min(3, len(names)))) if names else set()
    fields = {name: start[name] for name in names if name in start and name not in changed}
    for name in sorted(changed):
        value = _change(draw, spec.fields.get(name, []))
        if value is not None:
            fields[name] = value
    for name, value in draw(st.dictionaries(TEXT, TEXT, max_size=2)).items():
        fields.setdefault(name, value)
    for name in sorted(spec.files):
        if draw(st.booleans()):
            fields[name] = draw(st.lists(FILES, min_size=1, max_size=3))
    probe = Probe("POST", spec.action, cookies=spec.cookies, repeat=draw(st.sampled_from([1, 1, 2])))
    if draw(_one_in(5)):
        probe.query = draw(_query_string(site, target))
    spelling = draw(st.sampled_from(["multipart"] * 4 + ["urlencoded", "raw"]))
    if spelling == "multipart":
        probe.data = fields
    elif spelling == "urlencoded":
        pairs = [(name, value) for name, value in fields.items() if isinstance(value, str)]
        pairs += [
            (name, item)
            for name, value in fields.items()
            if isinstance(value, list)
            for item in value
            if isinstance(item, str)
        ]
        probe.data, probe.content_type = urlencode(pairs), "application/x-www-form-urlencoded"
    else:
        probe.data, probe.content_type = draw(_raw_body()), draw(st.sampled_from(RAW_CONTENT_TYPES))
    return probe


# Hosts in the test settings' ALLOWED_HOSTS, and (below) anything at all.
HOSTS = ["testserver", "localhost", "127.0.0.1", "[::1]", "localhost:8000", "127.0.0.1:80"]
LANGUAGES = ["en", "ar", "de-DE,de;q=0.9,en;q=0.8", "es-419", "*", "zh-Hant-TW", "en;q=abc", "x" * 300, ",,;"]
HEADERS = {
    "HTTP_ACCEPT_LANGUAGE": st.sampled_from(LANGUAGES) | HEADER_TEXT,
    "HTTP_REFERER": st.sampled_from(["http://testserver/", "https://evil.example/", "null"]) | HEADER_TEXT,
    "HTTP_ORIGIN": st.sampled_from(["http://testserver", "https://evil.example", "null"]) | HEADER_TEXT,
    "HTTP_X_FORWARDED_FOR": st.sampled_from(["203.0.113.9", "203.0.113.9, 10.0.0.1", ", ,", "::1"]) | HEADER_TEXT,
    "HTTP_X_FORWARDED_PROTO": st.sampled_from(["https", "http", "https, http"]) | HEADER_TEXT,
    "HTTP_X_FORWARDED_HOST": HEADER_TEXT,
    "HTTP_USER_AGENT": HEADER_TEXT,
    "HTTP_ACCEPT": st.sampled_from(["text/html", "application/json", "*/*;q=x"]) | HEADER_TEXT,
    "HTTP_IF_MODIFIED_SINCE": st.sampled_from(["Wed, 21 Oct 2015 07:28:00 GMT", "0"]) | HEADER_TEXT,
    "HTTP_IF_NONE_MATCH": st.sampled_from(['"abc"', "*", 'W/""']) | HEADER_TEXT,
    "HTTP_RANGE": st.sampled_from(["bytes=0-1", "bytes=-5", "bytes=9-1"]) | HEADER_TEXT,
    "HTTP_X_REQUESTED_WITH": st.just("XMLHttpRequest") | HEADER_TEXT,
    "HTTP_X_CSRFTOKEN": HEADER_TEXT,
}


@st.composite
def _cookie_header_text(draw, site: Site) -> str:
    if draw(_one_in(5)):
        return draw(HEADER_TEXT)
    pairs = []
    if draw(st.booleans()):
        pairs.append(draw(st.sampled_from(site.browsers[""] or [""])))
    for _ in range(draw(st.integers(0, 4))):
        name = draw(st.sampled_from(site.cookie_names) | HEADER_TEXT)
        pairs.append(f"{name}={draw(HEADER_TEXT)}")
    return "; ".join(pairs)


@st.composite
def requests_with_headers(draw, site: Site) -> Probe:
    target = draw(st.sampled_from(TARGETS))
    probe = draw(form_posts(site, target) if draw(st.booleans()) else page_requests(site, target))
    probe.headers = {"HTTP_HOST": draw(st.sampled_from(HOSTS) | HEADER_TEXT)}
    for name in draw(st.lists(st.sampled_from(sorted(HEADERS)), unique=True, max_size=5)):
        probe.headers[name] = draw(HEADERS[name])
    for name, value in draw(
        st.dictionaries(st.from_regex(r"[A-Za-z0-9-]{1,20}", fullmatch=True), HEADER_TEXT, max_size=2)
    ).items():
        probe.headers.setdefault("HTTP_" + name.upper().replace("-", "_"), value)
    if draw(st.booleans()):
        probe.cookies = draw(_cookie_header_text(site))
    probe.enforce_csrf = draw(st.booleans())
    # As in production, behind proxies or not.
    probe.settings = {
        "TRUSTED_PROXY_COUNT": draw(st.integers(0, 2)),
        "SITE_URL": draw(st.sampled_from(["", "https://medtour.example"])),
        "SECURE_PROXY_SSL_HEADER": draw(st.sampled_from([None, ("HTTP_X_FORWARDED_PROTO", "https")])),
    }
    return probe


# The properties ----------------------------------------------------------------------------------


def _strategy(kind, site: Site, *args):
    """Strategies are built once per site (they close over its data)."""
    key = (kind.__name__, *args)
    if key not in site.strategies:
        site.strategies[key] = kind(site, *args)
    return site.strategies[key]


def test_the_declared_forms_are_at_urls_of_the_urlconf():
    assert set(DECLARED_FORMS) <= set(TARGETS)


def test_the_demo_pages_show_the_public_forms(site):
    """Guard against testing nothing: the examples start from these forms as the pages show them."""
    shown = {target for target, specs in site.forms.items() if any(spec.cookies or spec.fields for spec in specs)}
    assert {
        "quotes:request",
        "account:sign_in",
        "quotes:status_reply",
        "quotes:status_accept",
        "quotes:status_sharing",
        "quotes:status_withdraw",
        "partners:join",
    } <= shown
    assert site.browsers["quotes:status_page"], "no browser opened a status page"
    assert site.query_names["facilities:list"] >= set(FacilityFilter.base_filters)


@pytest.mark.parametrize("target", TARGETS)
@hypothesis_settings(BOUNDED, max_examples=EXAMPLES)
@given(data=st.data())
def test_every_url_answers_any_path_and_query_string_below_500(site, target, data):
    probe = data.draw(_strategy(page_requests, site, target), label="request")
    status = answer(site, probe)
    assert status < 500, (status, probe)


# Three times as many: a form has more to try than a page that only answers 405.
@pytest.mark.parametrize("target", TARGETS)
@hypothesis_settings(BOUNDED, max_examples=EXAMPLES * 3)
@given(data=st.data())
def test_every_form_answers_any_fields_below_500(site, target, data):
    probe = data.draw(_strategy(form_posts, site, target), label="request")
    status = answer(site, probe)
    assert status < 500, (status, probe)


@hypothesis_settings(BOUNDED, max_examples=EXAMPLES * 25)
@given(data=st.data())
def test_any_headers_and_cookies_get_an_answer_below_500(site, data):
    probe = data.draw(_strategy(requests_with_headers, site), label="request")
    status = answer(site, probe)
    assert status < 500, (status, probe)
