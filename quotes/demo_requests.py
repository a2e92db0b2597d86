"""Demo quote requests: fictional patients at every step of the workflow, for trying the site.

``load_demo_requests()`` is called at the end of ``manage.py load_demo`` (skip it with
``--no-requests``). Each demo request has a fixed submission key, so ``quote_request_submit``
finds it on a second run; the workflow moves are made only when the request has just been
created, so running the loader again changes nothing, and a coordinator's later changes to a demo
request are left alone.

The requests that reach the hospitals are shared as cases and answered by demo facility users
through the same services as the partner portal, their stories dated in the past days
(``quotes.demo_cases``, which also adds one facility's answer history).

The patients are made up: names no one has, addresses at example.org, and telephone numbers in
the +44 20 7946 0xxx range Ofcom reserves for drama. The moves are made by a demo coordinator,
user ``coordinator`` (created without a usable password; set one with
``manage.py changepassword coordinator`` to sign in as that user).
"""

import datetime
import decimal
from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from facilities.models import Facility, Language, Procedure
from facilities.selectors import Responsiveness, public_responsiveness
from quotes import demo_cases, roles
from quotes.demo_cases import DemoClock
from quotes.models import FacilityCase, QuoteRequest, StatusChange
from quotes.services.conversation import patient_message_post, staff_message_post
from quotes.services.patient import patient_reply
from quotes.services.staff import quote_request_assign
from quotes.services.submission import quote_request_submit
from quotes.services.workflow import quote_request_transition
from quotes.uploads import CheckedFile, check_upload
from tourism.seo import mail_base_url

COORDINATOR_USERNAME = "coordinator"
COORDINATOR_EMAIL = "coordinator@medtour.localhost"

S = QuoteRequest.Status


@dataclass(frozen=True)
class DemoRequest:
    key: str
    status: str
    name: str
    email: str
    phone: str
    country: str
    language: str
    procedure: str | None
    condition: str
    facilities: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    suggest: bool = False
    travel_in_days: tuple[int, int] | None = None
    budget: tuple[int, str] | None = None
    diagnosis: str = ""
    previous_treatment: str = ""
    medication: str = ""
    allergies: str = ""
    report: str = ""  # Title of a small demo PDF sent with the request; empty for none.
    overdue: bool = False
    question: str = ""  # What the coordinator asks the patient for (awaiting_patient).
    reply: str = ""  # What the patient answers (only for the request that gets that far).
    implants: str = ""  # The implants line of the facility quotes.
    nights: int = 4
    staff_note: str = ""
    close_note: str = ""
    days_ago: int = 0  # How long ago the request came in; its whole story is dated from then.


DEMO_REQUESTS = [
    DemoRequest(
        key="demo-request-1",
        status=S.SUBMITTED,
        name="Ada Example",
        email="ada.example@example.org",
        phone="+44 20 7946 0101",
        country="GB",
        language="en",
        procedure="lumbar-spinal-fusion",
        facilities=("marmara-crescent-hospital", "isarauen-wirbelsaeulenklinik"),
        travel_in_days=(60, 120),
        budget=(18000, "GBP"),
        condition="Demo request (fictional patient). Lower back pain for three years, worse when standing; "
        "pain and tingling down the left leg most days.",
        diagnosis="Degenerative spondylolisthesis at L4-L5 on an MRI last spring.",
        previous_treatment="Physiotherapy for a year, two steroid injections.",
        medication="Paracetamol and naproxen when needed.",
        report="Lumbar spine MRI report (demo)",
    ),
    DemoRequest(
        key="demo-request-2",
        status=S.SUBMITTED,
        overdue=True,
        name="Bruno Sample",
        email="bruno.sample@example.org",
        phone="+44 20 7946 0102",
        country="IE",
        language="en",
        procedure=None,
        countries=("ES", "PL"),
        suggest=True,
        condition="Demo request (fictional patient). Sudden back pain after lifting a box two months ago; "
        "my doctor talked about a slipped disc but I do not know which operation I need.",
        allergies="Penicillin.",
    ),
    DemoRequest(
        key="demo-request-3",
        status=S.IN_REVIEW,
        name="Carmen Demo",
        email="carmen.demo@example.org",
        phone="+44 20 7946 0103",
        country="US",
        language="es",
        procedure="laminectomy",
        facilities=("hospital-jacarandas-occidente", "clinica-frontera-norte-columna"),
        travel_in_days=(30, 90),
        budget=(15000, "USD"),
        condition="Demo request (fictional patient). Aching legs after walking ten minutes, better when "
        "sitting or leaning forward.",
        diagnosis="Lumbar spinal stenosis at L3-L4 and L4-L5.",
        medication="Gabapentin 300 mg three times a day.",
    ),
    DemoRequest(
        key="demo-request-4",
        status=S.AWAITING_PATIENT,
        name="Dev Placeholder",
        email="dev.placeholder@example.org",
        phone="+44 20 7946 0104",
        country="CA",
        language="en",
        procedure="kyphoplasty",
        facilities=("orchid-terrace-international-hospital",),
        travel_in_days=(14, 60),
        condition="Demo request (fictional patient). Painful fracture of a vertebra in the middle of the back "
        "six weeks ago after a fall; the pain is not getting better.",
        diagnosis="Osteoporotic compression fracture of T12.",
        report="Spine X-ray report (demo)",
        question="Could you send the report of an MRI of your spine taken since the fall, and your most "
        "recent bone density (DEXA) result? The surgeon needs both before giving a quote.",
    ),
    DemoRequest(
        key="demo-request-5",
        status=S.SENT_TO_FACILITIES,
        name="Erin Fictional",
        email="erin.fictional@example.org",
        phone="+44 20 7946 0105",
        country="AU",
        language="en",
        procedure="minimally-invasive-lumbar-discectomy",
        facilities=(
            "orchid-terrace-international-hospital",
            "teak-garden-hospital",
            "palmyra-grove-spine-hospital",
        ),
        travel_in_days=(30, 75),
        budget=(12000, "AUD"),
        condition="Demo request (fictional patient). Sciatica in the right leg for five months despite physiotherapy.",
        diagnosis="L5-S1 disc herniation pressing on the S1 nerve root.",
        report="Lumbar spine MRI report (demo)",
        staff_note="Orchid Terrace asks for the MRI images, not only the report: I have asked the patient for "
        "them by e-mail and will answer the hospital when they arrive. Teak Garden has not opened its case, "
        "so I have also sent the request to Palmyra Grove, the patient's third choice.",
        days_ago=7,
    ),
    DemoRequest(
        key="demo-request-6",
        status=S.QUOTED,
        name="Farid Testcase",
        email="farid.testcase@example.org",
        phone="+44 20 7946 0106",
        country="AE",
        language="ar",
        procedure="lumbar-spinal-fusion",
        facilities=("marmara-crescent-hospital", "palmyra-grove-spine-hospital", "teak-garden-hospital"),
        travel_in_days=(45, 100),
        budget=(25000, "USD"),
        condition="Demo request (fictional patient). Back pain and weakness in both legs for a year; "
        "walking more than a few hundred metres is hard.",
        diagnosis="Spondylolisthesis at L5-S1 with narrowing of the nerve openings.",
        previous_treatment="Physiotherapy and an epidural injection last year.",
        report="Lumbar spine MRI report (demo)",
        implants="Titanium pedicle screws, rods and an interbody cage (one level)",
        nights=5,
        days_ago=12,
    ),
    DemoRequest(
        key="demo-request-7",
        status=S.ACCEPTED,
        name="Greta Mustermann",
        email="greta.mustermann@example.org",
        phone="+44 20 7946 0107",
        country="CH",
        language="de",
        procedure="cervical-disc-replacement",
        facilities=("szpital-kasztanowy", "duna-panorama-korhaz", "orchid-terrace-international-hospital"),
        travel_in_days=(21, 60),
        budget=(20000, "CHF"),
        condition="Demo request (fictional patient). Neck pain and numbness in the right hand for eight months.",
        diagnosis="C5-C6 disc herniation.",
        question="Please send the written report of your neck MRI, not only the images.",
        reply="Here is the report from the radiologist; the MRI was done in March.",
        report="Cervical spine MRI report (demo)",
        implants="Artificial cervical disc (one level)",
        nights=2,
        days_ago=21,
    ),
    DemoRequest(
        key="demo-request-8",
        status=S.CLOSED,
        name="Hiro Dummy",
        email="hiro.dummy@example.org",
        phone="+44 20 7946 0108",
        country="NZ",
        language="en",
        procedure="minimally-invasive-spinal-tumour-surgery",
        countries=("KR",),
        suggest=True,
        condition="Demo request (fictional patient). A tumour in the spine found on a scan; my specialist "
        "suggested surgery.",
        close_note="The hospitals we work with in South Korea could not take this case from the information "
        "available; we suggested the patient ask their own specialist for a referral at home.",
    ),
]


# A small, valid PDF -------------------------------------------------------------------------------


def _pdf_text(text: str) -> str:
    return text.encode("ascii", "replace").decode().replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def demo_pdf(title: str, lines: list[str]) -> bytes:
    """A one-page A4 PDF with a title and a few lines of Helvetica text."""
    text = ["BT", "/F1 16 Tf", "72 770 Td", "20 TL", f"({_pdf_text(title)}) Tj", "/F1 11 Tf", "T*"]
    text += [f"({_pdf_text(line)}) '" for line in lines] + ["ET"]
    stream = "\n".join(text).encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def demo_report(demo: DemoRequest) -> CheckedFile:
    content = demo_pdf(
        demo.report,
        [
            "FICTIONAL DOCUMENT for the Medtour demo. Not a real patient or a real report.",
            f"Patient: {demo.name} (fictional)",
            f"Findings: {demo.diagnosis or 'see the referral letter'}",
        ],
    )
    filename = demo.report.lower().replace(" (demo)", "").replace(" ", "-") + ".pdf"
    return check_upload(SimpleUploadedFile(filename, content, content_type="application/pdf"))


# Loading ------------------------------------------------------------------------------------------


@dataclass
class DemoRequestsResult:
    created: int = 0
    unchanged: int = 0
    coordinator_created: bool = False
    status_url: str = ""
    statuses: dict[str, int] = field(default_factory=dict)
    overdue: int = 0
    case_statuses: dict[str, int] = field(default_factory=dict)
    overdue_cases: int = 0
    offices_created: list[str] = field(default_factory=list)
    history_facility: str = ""
    history_created: int = 0
    history_unchanged: int = 0
    responsiveness: Responsiveness | None = None

    def lines(self) -> list[str]:
        counts = ", ".join(
            f"{self.statuses[status]} {status}" for status in QuoteRequest.Status.values if self.statuses.get(status)
        )
        lines = [
            f"Demo quote requests: {self.created} created, {self.unchanged} unchanged; "
            f"{counts or 'none left'} ({self.overdue} overdue)."
        ]
        cases = ", ".join(
            f"{self.case_statuses[status]} {status}"
            for status in FacilityCase.Status.values
            if self.case_statuses.get(status)
        )
        lines.append(f"Demo facility cases: {cases or 'none'} ({self.overdue_cases} overdue).")
        if self.history_facility:
            figures = (
                f"its page says it usually quotes within {self.responsiveness.usually_quotes_within}"
                if self.responsiveness and self.responsiveness.usually_quotes_within
                else "its figures are not public yet"
            )
            lines.append(
                f"Answer history of {self.history_facility}: {self.history_created} past requests created, "
                f"{self.history_unchanged} unchanged; {figures}."
            )
        if self.coordinator_created:
            lines.append(
                f"Demo coordinator user '{COORDINATOR_USERNAME}' created without a password; "
                f"set one with: manage.py changepassword {COORDINATOR_USERNAME}"
            )
        if self.offices_created:
            example = (
                demo_cases.SIGN_IN_EXAMPLE
                if demo_cases.SIGN_IN_EXAMPLE in self.offices_created
                else self.offices_created[0]
            )
            lines.append(
                f"Demo facility users created without a password: {', '.join(self.offices_created)}. "
                f"To sign in at /partners/ as one: manage.py changepassword {example}, "
                f"then manage.py second_factor {example} (or --code for the current code)."
            )
        if self.status_url:
            lines.append(f"A patient's status page with quotes ready to accept: {self.status_url}")
        return lines


def demo_coordinator() -> tuple[object, bool]:
    """The demo coordinator user, created (staff, in the Coordinators group, no password) if missing."""
    User = get_user_model()
    user = User.objects.filter(username=COORDINATOR_USERNAME).first()
    if user is not None:
        # Its address and password are its owner's; it only needs to be a coordinator to be given
        # the demo requests.
        user.groups.add(_coordinators_group())
        return user, False
    user = User(
        username=COORDINATOR_USERNAME,
        email=COORDINATOR_EMAIL,
        first_name="Demo",
        last_name="Coordinator",
        is_staff=True,
    )
    user.set_unusable_password()
    user.save()
    user.groups.add(_coordinators_group())
    return user, True


def _coordinators_group() -> Group:
    group = Group.objects.filter(name=roles.COORDINATORS).first()
    if group is None:  # Normally made by a migration; make it (with its permissions) if it is missing.
        roles.apply_groups(apps)
        group = Group.objects.get(name=roles.COORDINATORS)
    return group


def _pick_facilities(procedure: Procedure | None, slugs: tuple[str, ...], count: int) -> list[Facility]:
    """The named facilities that are listed (and offer the procedure), topped up to ``count`` with others."""
    listed = Facility.objects.listed()
    if procedure is not None:
        listed = listed.filter(offered_procedures__procedure=procedure)
    by_slug = {facility.slug: facility for facility in listed.filter(slug__in=slugs)}
    chosen = [by_slug[slug] for slug in slugs if slug in by_slug]
    if len(chosen) < count:
        others = listed.exclude(pk__in=[facility.pk for facility in chosen]).order_by("slug")
        chosen += list(others[: count - len(chosen)])
    return chosen


def _submit(demo: DemoRequest):
    today = timezone.localdate()
    procedure = Procedure.objects.filter(slug=demo.procedure).first() if demo.procedure else None
    facilities = _pick_facilities(procedure, demo.facilities, len(demo.facilities)) if demo.facilities else []
    language = (
        Language.objects.filter(code=demo.language).first()
        or Language.objects.get_or_create(code="en", defaults={"name": "English"})[0]
    )
    data = {
        "name": demo.name,
        "email": demo.email,
        "phone": demo.phone,
        "country_of_residence": demo.country,
        "preferred_language": language,
        "procedure": procedure,
        "facilities": facilities,
        "countries": list(demo.countries),
        "suggest_facilities": demo.suggest or not (facilities or demo.countries),
        "condition": demo.condition,
        "diagnosis": demo.diagnosis,
        "previous_treatment": demo.previous_treatment,
        "medication": demo.medication,
        "allergies": demo.allergies,
        "consent_marketing": False,
    }
    if demo.travel_in_days:
        data["travel_from"] = today + datetime.timedelta(days=demo.travel_in_days[0])
        data["travel_to"] = today + datetime.timedelta(days=demo.travel_in_days[1])
    if demo.budget:
        data["budget_amount"] = decimal.Decimal(demo.budget[0])
        data["budget_currency"] = demo.budget[1]
    files = [demo_report(demo)] if demo.report and not demo.reply else []
    return quote_request_submit(submission_key=demo.key, files=files, **data)


def _backdate_overdue(quote_request: QuoteRequest) -> None:
    """Make a just-submitted request look as if it came in before its first-reply target passed."""
    hours = settings.QUOTE_FIRST_REPLY_HOURS
    submitted_at = timezone.now() - datetime.timedelta(hours=hours + 20)
    due = submitted_at + datetime.timedelta(hours=hours)
    QuoteRequest.objects.filter(pk=quote_request.pk).update(
        created_at=submitted_at,
        consent_health_data_at=submitted_at,
        consent_sharing_at=submitted_at,
        first_reply_due_at=due,
    )
    StatusChange.objects.filter(quote_request=quote_request).update(created_at=submitted_at)
    for notification in quote_request.notifications.all():
        if "first_reply_due_at" in notification.context:
            notification.context["first_reply_due_at"] = due.isoformat()
            notification.save(update_fields=["context"])
    quote_request.refresh_from_db()


def _move(quote_request: QuoteRequest, demo: DemoRequest, coordinator, clock: DemoClock) -> None:
    """The workflow moves that bring a just-created demo request to its demo status; from "sent to
    facilities" on, its cases' story (``quotes.demo_cases``), all at their times in the past."""
    target = demo.status
    if demo.overdue:
        _backdate_overdue(quote_request)
    if target == S.SUBMITTED:
        return

    def move(to_status: str, **kwargs) -> None:
        quote_request_transition(
            quote_request=quote_request, from_status=quote_request.status, to_status=to_status, actor=coordinator,
            **kwargs,
        )  # fmt: skip

    with clock.at(2):
        if target != S.CLOSED:
            quote_request_assign(quote_request=quote_request, assignee=coordinator, actor=coordinator)
        move(S.IN_REVIEW, note="Read the request.")
        if target == S.CLOSED:
            move(S.CLOSED, reason=QuoteRequest.CloseReason.NO_SUITABLE_FACILITY, note=demo.close_note)
            return
        # The first word the patient hears from us (it stops the first-reply clock).
        staff_message_post(
            quote_request=quote_request,
            author=coordinator,
            text=f"Hello {demo.name.split()[0]}, I am your coordinator at Medtour and I am reading your request "
            "now. I will write again here within two working days.",
        )
    if target == S.IN_REVIEW:
        with clock.at(20):
            patient_message_post(
                quote_request=quote_request,
                text="Thank you. Could the operation be done in the second half of the travel window? "
                "My daughter can only come with me then.",
            )
    if demo.question:
        with clock.at(3):
            move(S.AWAITING_PATIENT, note=demo.question)
        if target == S.AWAITING_PATIENT:
            return
        with clock.at(40):
            files = [demo_report(demo)] if demo.report else []
            patient_reply(quote_request=quote_request, text=demo.reply, files=files)
            quote_request.refresh_from_db()
    if target == S.IN_REVIEW:
        return
    facilities = _pick_facilities(quote_request.procedure, demo.facilities, len(demo.facilities))
    if target == S.SENT_TO_FACILITIES:
        demo_cases.story_sent_to_facilities(clock, coordinator, facilities, staff_note=demo.staff_note)
    elif target == S.QUOTED:
        demo_cases.story_quoted(clock, coordinator, facilities, nights=demo.nights, implants=demo.implants)
    else:
        demo_cases.story_accepted(clock, coordinator, facilities, nights=demo.nights, implants=demo.implants)


def load_demo_requests() -> DemoRequestsResult:
    """Create the demo requests that do not exist yet and walk each new one to its demo status;
    the facility users who answer their cases; the answer history of one facility.

    Links (the status page printed, those in the queued e-mails) use ``MEDTOUR_SITE_URL``: ``make
    run PORT=...`` sets it, so they work on whatever port the site is served.
    """
    result = DemoRequestsResult()
    coordinator, result.coordinator_created = demo_coordinator()
    result.offices_created = demo_cases.demo_offices()
    for demo in DEMO_REQUESTS:
        if QuoteRequest.objects.filter(submission_key=demo.key).exists():
            result.unchanged += 1
            continue
        # One request and its moves together: a failure leaves no half-moved request behind.
        with transaction.atomic():
            started = timezone.now()
            submission = _submit(demo)
            if submission.created:
                clock = DemoClock(submission.quote_request, days_ago=demo.days_ago)
                clock.backdate(since=started, hours=0)
                _move(submission.quote_request, demo, coordinator, clock)
        result.created += submission.created
        result.unchanged += not submission.created
    history = demo_cases.load_answer_history(coordinator)
    result.history_facility = history.facility
    result.history_created, result.history_unchanged = history.created, history.unchanged

    keys = [demo.key for demo in DEMO_REQUESTS]
    demo_rows = QuoteRequest.objects.filter(submission_key__in=keys)
    for status in demo_rows.values_list("status", flat=True):
        result.statuses[status] = result.statuses.get(status, 0) + 1
    result.overdue = demo_rows.overdue().count()
    all_keys = keys + [past.key for past in demo_cases.ANSWER_HISTORY]
    cases = FacilityCase.objects.filter(quote_request__submission_key__in=all_keys)
    for status in cases.values_list("status", flat=True):
        result.case_statuses[status] = result.case_statuses.get(status, 0) + 1
    result.overdue_cases = cases.overdue().count()
    if result.created or history.created:
        demo_cases.responsiveness_refresh(cases.values_list("facility_id", flat=True))
    history_facility = Facility.objects.filter(slug=demo_cases.HISTORY_FACILITY).first()
    if history_facility is not None:
        result.responsiveness = public_responsiveness(history_facility)
    quoted_key = next(demo.key for demo in DEMO_REQUESTS if demo.status == S.QUOTED)
    quoted = demo_rows.filter(submission_key=quoted_key, erased_at__isnull=True).first()
    if quoted is not None:
        result.status_url = mail_base_url() + reverse("quotes:status", kwargs={"token": quoted.status_token})
    return result
