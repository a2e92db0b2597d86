"""Demo hospitals in the loop: facility users, cases in every state, and one answer history.

``quotes.demo_requests`` calls this for the demo requests that reach the facilities, so that
``manage.py load_demo`` shows the whole of it:

* **Facility users** (``DEMO_OFFICES``): a manager for each facility the demo requests are shared
  with, and a case handler at Marmara Crescent Hospital. Like the demo coordinator they are created
  without a usable password (``manage.py changepassword marmara-office``, then
  ``manage.py second_factor marmara-office``, to sign in at ``/partners/``); an existing account
  is never changed.
* **Cases**: the stories below share the demo requests through ``quotes.services.cases`` and have
  the facilities answer through the same services the portal uses, so every case status appears:
  new (one of them overdue), opened, question, quoted (one quote returned once and corrected),
  declined, accepted, withdrawn and closed.
* **An answer history** (``ANSWER_HISTORY``): past requests, all finished, that Marmara Crescent
  Hospital answered, so that its public page shows how quickly it answers.

The stories happen in the past: ``DemoClock`` moves what each step stamped back to that step's
time, so due times, overdue cases and responsiveness figures come out as they would have.
Everything here is made up, in our own words; addresses are at reserved ``.example`` domains.
"""

import contextlib
import datetime
import decimal
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from facilities import demo_data
from facilities.models import (
    Facility,
    FacilityMembership,
    FacilityProcedure,
    Language,
    Procedure,
)
from quotes.models import (
    AssignmentChange,
    FacilityCase,
    FacilityCaseChange,
    FacilityQuote,
    FacilityQuoteItem,
    Message,
    Notification,
    PatientMessage,
    QuoteAttachment,
    QuoteRequest,
    StaffNote,
    StatusChange,
)
from quotes.services.cases import (
    CaseShare,
    QuoteDraft,
    QuoteLine,
    case_decline,
    case_message_post,
    case_open,
    case_quote_submit,
    case_withdraw,
    cases_send,
    facility_quote_release,
    facility_quote_return,
)
from quotes.services.patient import patient_accept_quote, patient_decline_quotes, patient_withdraw
from quotes.services.responsiveness import facility_responsiveness_refresh
from quotes.services.staff import quote_request_assign, staff_note_add
from quotes.services.submission import quote_request_submit
from quotes.services.workflow import quote_request_transition
from tourism.dates import add_working_days

S = QuoteRequest.Status
C = FacilityCase.Status
Item = FacilityQuoteItem.Category
State = FacilityQuoteItem.State
Role = FacilityMembership.Role

QUOTE_VALID_DAYS = 30
EXCLUSIONS = (
    "Flights, visas and travel insurance; meals outside the hospital; a companion's own costs; "
    "further operations or a longer stay if there are complications; additional spinal levels."
)
QUOTE_NOTES = "The surgeon confirms this price after reviewing your scans; the hospital needs two weeks' notice."


# Facility users -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoOffice:
    facility: str  # The facility's slug.
    username: str
    first_name: str
    last_name: str
    mailbox: str  # The part of the address before the facility's own .example domain.
    role: str = Role.MANAGER

    @property
    def email(self) -> str:
        return f"{self.mailbox}@{self.facility}.example"


DEMO_OFFICES = (
    DemoOffice("marmara-crescent-hospital", "marmara-office", "Defne", "Aksoylu", "defne.aksoylu"),
    DemoOffice("marmara-crescent-hospital", "marmara-cases", "Kerem", "Balkanli", "kerem.balkanli", Role.CASE_HANDLER),
    DemoOffice("palmyra-grove-spine-hospital", "palmyra-office", "Anjali", "Ravindran", "anjali.ravindran"),
    DemoOffice("orchid-terrace-international-hospital", "orchid-office", "Ploy", "Sirimongkol", "ploy.sirimongkol"),
    DemoOffice("teak-garden-hospital", "teak-office", "Niran", "Wattanakul", "niran.wattanakul"),
    DemoOffice("szpital-kasztanowy", "kasztanowy-office", "Marta", "Wierzbowska", "marta.wierzbowska"),
    DemoOffice("duna-panorama-korhaz", "duna-office", "Reka", "Szalontai", "reka.szalontai"),
)
# The facility whose answer history makes its responsiveness public, and the user to sign in as.
HISTORY_FACILITY = "marmara-crescent-hospital"
SIGN_IN_EXAMPLE = "marmara-office"


def demo_offices() -> list[str]:
    """Create the demo facility users that are missing; the usernames created.

    An account that already has a demo username keeps its password, address and names. If it is
    no one's staff account and belongs to no facility, it joins its demo facility (the cases need
    someone to answer them); otherwise it is left as it is.
    """
    User = get_user_model()
    facilities = {f.slug: f for f in Facility.objects.filter(slug__in={office.facility for office in DEMO_OFFICES})}
    created = []
    for office in DEMO_OFFICES:
        facility = facilities.get(office.facility)
        if facility is None:
            continue
        user = User.objects.filter(username=office.username).first()
        if user is None:
            user = User(
                username=office.username,
                email=office.email,
                first_name=office.first_name,
                last_name=office.last_name,
            )
            user.set_unusable_password()
            user.save()
            created.append(office.username)
        elif user.is_staff or user.is_superuser or FacilityMembership.objects.filter(user=user).exists():
            continue
        FacilityMembership.objects.create(user=user, facility=facility, role=office.role)
    return created


def _office(facility: Facility):
    """Who answers the facility's demo cases: its case handler if it has one, else its manager."""
    memberships = FacilityMembership.objects.filter(facility=facility).select_related("user")
    members = sorted(memberships, key=lambda m: (m.role != Role.CASE_HANDLER, m.user_id))
    return members[0].user


# Demo time ----------------------------------------------------------------------------------------

# What each step stamps with "now", by the rows of one request. Moved back with the step.
STAMPS = {
    QuoteRequest: ("pk", ["created_at", "updated_at", "consent_health_data_at", "consent_sharing_at",
                          "consent_marketing_at", "first_replied_at", "closed_at"]),
    StatusChange: ("quote_request", ["created_at"]),
    AssignmentChange: ("quote_request", ["created_at"]),
    StaffNote: ("quote_request", ["created_at"]),
    PatientMessage: ("quote_request", ["created_at"]),
    QuoteAttachment: ("quote_request", ["created_at"]),
    Message: ("quote_request", ["created_at"]),
    FacilityCase: ("quote_request", ["created_at", "updated_at", "reminded_at", "opened_at", "first_answered_at",
                                     "quoted_at", "declined_at", "closed_at", "contact_shared_at"]),
    FacilityCaseChange: ("case__quote_request", ["created_at"]),
    FacilityQuote: ("quote_request", ["created_at", "submitted_at", "sent_at"]),
}  # fmt: skip


class DemoClock:
    """Plays a demo request's story in the past.

    The services stamp everything with the real time. After each step (``with clock.at(hours):``)
    every stamp the step set on the request's rows is moved back to ``hours`` after the request came
    in, ``days_ago`` days ago at 09:15; the deadlines of what the step created (the first-reply
    target, a case's answer and reminder times) are worked out again from there. With
    ``days_ago=0`` nothing is moved.
    """

    def __init__(self, quote_request: QuoteRequest, *, days_ago: float) -> None:
        self.quote_request = quote_request
        self.start = None
        if days_ago:
            then = timezone.localtime() - datetime.timedelta(days=days_ago)
            self.start = then.replace(hour=9, minute=15, second=0, microsecond=0)

    def moment(self, hours: float) -> datetime.datetime:
        return self.start + datetime.timedelta(hours=hours)

    def hours_ago(self, hours: float) -> float:
        """The step time (hours after the start) that is ``hours`` before now."""
        return (timezone.now() - self.start) / datetime.timedelta(hours=1) - hours

    @contextlib.contextmanager
    def at(self, hours: float):
        since = timezone.now()
        yield
        self.backdate(since=since, hours=hours)

    def backdate(self, *, since: datetime.datetime, hours: float) -> None:
        """Move what was stamped from ``since`` on to ``hours`` after the start."""
        if self.start is None:
            return
        moment = self.moment(hours)
        if moment >= since:
            raise ValueError(f"A demo step {hours} hours in cannot happen in the future.")
        delta = moment - since
        pk = self.quote_request.pk
        new_request = QuoteRequest.objects.filter(pk=pk, created_at__gte=since).exists()
        new_cases = list(
            FacilityCase.objects.filter(quote_request_id=pk, created_at__gte=since).values_list("pk", flat=True)
        )
        for model, (scope, names) in STAMPS.items():
            rows = model.objects.filter(**{scope: pk})
            for name in names:
                rows.filter(**{f"{name}__gte": since}).update(**{name: F(name) + delta})
        notifications = Notification.objects.filter(Q(quote_request_id=pk) | Q(case__quote_request_id=pk))
        notifications.filter(created_at__gte=since).update(created_at=F("created_at") + delta)
        if new_request:
            QuoteRequest.objects.filter(pk=pk).update(first_reply_due_at=F("first_reply_due_at") + delta)
            due = QuoteRequest.objects.values_list("first_reply_due_at", flat=True).get(pk=pk)
            for notification in Notification.objects.filter(quote_request_id=pk):
                if "first_reply_due_at" in notification.context:
                    notification.context["first_reply_due_at"] = due.isoformat()
                    notification.save(update_fields=["context"])
        for case in FacilityCase.objects.filter(pk__in=new_cases):
            case.due_at = add_working_days(case.created_at, settings.FACILITY_REPLY_WORKING_DAYS)
            case.remind_at = add_working_days(case.created_at, settings.FACILITY_REMINDER_WORKING_DAYS)
            FacilityCase.objects.filter(pk=case.pk).update(due_at=case.due_at, remind_at=case.remind_at)
            for notification in case.notifications.all():
                if "due_at" in notification.context:
                    notification.context["due_at"] = case.due_at.isoformat()
                    notification.save(update_fields=["context"])
        self.quote_request.refresh_from_db()


# Quotes -------------------------------------------------------------------------------------------


def _round(amount: float) -> decimal.Decimal:
    return decimal.Decimal(max(0, round(amount / 10) * 10))


def quote_draft(
    facility: Facility,
    procedure: Procedure | None,
    *,
    nights: int = 4,
    implants: str = "",
    package: bool = False,
    outpatient_physiotherapy: bool = True,
) -> QuoteDraft:
    """A complete itemised quote from ``facility``, priced from its listed price for the procedure.

    ``package``: a hospital that includes more at no extra charge (medication, physiotherapy,
    transfers) and arranges the hotel; otherwise one that prices those and leaves the hotel out.
    Worked out in US dollars, then written in the facility's own currency at the demo's rate.
    """
    offer = FacilityProcedure.objects.filter(facility=facility, procedure=procedure).first()
    base = float((offer.usd_from + offer.usd_to) / 2) if offer and offer.usd_from is not None else 12000.0

    def line(category: str, state: str, description: str = "", amount=None) -> QuoteLine:
        return QuoteLine(category=category, state=state, amount=amount, description=description)

    lines = [
        line(Item.SURGEON, State.INCLUDED, "Surgeon's and assistant surgeon's fees", _round(base * 0.36)),
        line(Item.ANAESTHESIA, State.INCLUDED, "General anaesthesia and the anaesthetist's fee", _round(base * 0.08)),
        line(Item.IMPLANTS, State.INCLUDED, implants, _round(base * 0.22))
        if implants
        else line(Item.IMPLANTS, State.NOT_APPLICABLE, "No implants are used in this operation"),
        line(Item.HOSPITAL_NIGHTS, State.INCLUDED, f"{nights} nights in a private room; a companion may stay",
             _round(base * 0.14)),
        line(Item.TESTS, State.INCLUDED, "Blood tests, ECG, chest X-ray and an X-ray after the operation",
             _round(base * 0.05)),
    ]  # fmt: skip
    if package:
        lines += [
            line(Item.MEDICATION, State.INCLUDED_FREE, "Medication in hospital and for the first week at home"),
            line(Item.PHYSIOTHERAPY, State.INCLUDED_FREE, "Daily physiotherapy in hospital"),
            line(Item.HOTEL, State.INCLUDED, "7 nights in a partner hotel near the hospital after discharge",
                 _round(7 * 65 + base * 0.01)),
            line(Item.TRANSFERS, State.INCLUDED_FREE, "Airport, hotel and hospital transfers"),
        ]  # fmt: skip
    else:
        physiotherapy = (
            line(Item.PHYSIOTHERAPY, State.INCLUDED, "Daily physiotherapy in hospital and three sessions after "
                 "discharge", _round(base * 0.04))
            if outpatient_physiotherapy
            else line(Item.PHYSIOTHERAPY, State.NOT_INCLUDED)
        )  # fmt: skip
        lines += [
            line(Item.MEDICATION, State.INCLUDED, "Medication in hospital and a week's supply to take home",
                 _round(base * 0.02)),
            physiotherapy,
            line(Item.HOTEL, State.NOT_INCLUDED, "Our office can suggest hotels within walking distance"),
            line(Item.TRANSFERS, State.INCLUDED, "Airport and hospital transfers", decimal.Decimal(120)),
        ]  # fmt: skip
    lines += [
        line(
            Item.FOLLOW_UP, State.INCLUDED_FREE, "Wound check before flying home and a video consultation at six weeks"
        ),
        line(Item.OTHER, State.NOT_APPLICABLE),
    ]
    currency = facility.currency if facility.currency in demo_data.DEMO_RATES else QuoteRequest.Currency.USD
    if currency != QuoteRequest.Currency.USD:
        rate = float(demo_data.DEMO_RATES[currency])
        lines = [
            QuoteLine(line.category, line.state, _round(float(line.amount) * rate), line.description)
            if line.amount is not None
            else line
            for line in lines
        ]
    return QuoteDraft(
        currency=currency,
        valid_until=timezone.localdate() + datetime.timedelta(days=QUOTE_VALID_DAYS),
        lines=lines,
        exclusions=EXCLUSIONS,
        notes=QUOTE_NOTES,
    )


# Steps shared by the stories ----------------------------------------------------------------------


def _send(quote_request: QuoteRequest, coordinator, facilities, *, summary: str, with_files=()) -> list[FacilityCase]:
    files = list(
        quote_request.attachments.filter(deleted_at__isnull=True).exclude(file="").values_list("pk", flat=True)
    )
    shares = [
        CaseShare(facility_id=facility.pk, attachment_ids=files if facility in with_files else [], summary=summary)
        for facility in facilities
    ]
    cases = cases_send(quote_request=quote_request, from_status=quote_request.status, shares=shares, actor=coordinator)
    quote_request.refresh_from_db()
    return cases


def _open(case: FacilityCase) -> FacilityCase:
    return case_open(case=case, actor=_office(case.facility))


def _quote(case: FacilityCase, draft: QuoteDraft) -> FacilityQuote:
    case.refresh_from_db()
    return case_quote_submit(case=case, actor=_office(case.facility), draft=draft)


def _release(case: FacilityCase, coordinator) -> None:
    facility_quote_release(quote=FacilityQuote.objects.get(case=case), actor=coordinator)


# The demo requests' cases -------------------------------------------------------------------------
# Each story begins once its request is in review (its first hours; a patient's reply by hour 40).


def story_sent_to_facilities(clock: DemoClock, coordinator, facilities: list[Facility], *, staff_note: str) -> None:
    """Shared with three facilities: the first asked a question the coordinator has not answered
    yet, the second has not even opened its case (overdue), the third opened it yesterday."""
    quote_request = clock.quote_request
    asking, silent, late_added = facilities
    summary = (
        "Demo case (fictional patient). Sciatica in the right leg for five months despite physiotherapy; "
        "we would like your quote for a minimally invasive discectomy."
    )
    with clock.at(20):
        asking_case, silent_case = _send(quote_request, coordinator, [asking, silent], summary=summary,
                                         with_files=[asking])  # fmt: skip
    with clock.at(22):
        asking_case = _open(asking_case)
    with clock.at(51):
        case_message_post(
            case=asking_case,
            author=_office(asking),
            text="Thank you for the case. Before quoting, our surgeon would like to see the MRI images themselves, "
            "not only the report: could the patient send them (a download link is fine)? Does the patient take "
            "any blood thinners?",
        )
    with clock.at(clock.hours_ago(26)):
        (late_case,) = _send(quote_request, coordinator, [late_added], summary=summary)
    with clock.at(clock.hours_ago(21)):
        _open(late_case)
    with clock.at(clock.hours_ago(20)):
        staff_note_add(quote_request=quote_request, author=coordinator, text=staff_note)


def story_quoted(clock: DemoClock, coordinator, facilities: list[Facility], *, nights: int, implants: str) -> None:
    """Shared with three facilities: two quoted (one quote returned once with a comment, then
    corrected), both released to the patient; the third declined, saying why."""
    quote_request = clock.quote_request
    first, second, declining = facilities
    procedure = quote_request.procedure
    summary = "Demo case (fictional patient). Please quote for a one-level lumbar fusion; the MRI report is attached."
    with clock.at(4):
        cases = {case.facility_id: case for case in _send(quote_request, coordinator, facilities, summary=summary,
                                                          with_files=facilities)}  # fmt: skip
    with clock.at(5):
        _open(cases[declining.pk])
    with clock.at(6):
        _open(cases[first.pk])
    with clock.at(7):
        case_decline(
            case=cases[declining.pk],
            from_status=C.OPENED,
            actor=_office(declining),
            reason="Our spine team is fully booked for the patient's travel dates: the first free operating day is "
            "about four months away, which would not suit them.",
        )
    with clock.at(10):
        _open(cases[second.pk])
    with clock.at(27):
        _quote(cases[first.pk], quote_draft(first, procedure, nights=nights, implants=implants,
                                            outpatient_physiotherapy=False))  # fmt: skip
    with clock.at(30):
        facility_quote_return(
            quote=FacilityQuote.objects.get(case=cases[first.pk]),
            actor=coordinator,
            comment="Thank you. The patient will need physiotherapy after discharge: could you include the "
            "sessions after discharge, with their price, rather than leave physiotherapy out?",
        )
    with clock.at(44):
        _quote(cases[second.pk], quote_draft(second, procedure, nights=nights, implants=implants, package=True))
    with clock.at(48):
        returned = FacilityQuote.objects.get(case=cases[first.pk])
        case_quote_submit(
            case=cases[first.pk],
            actor=_office(first),
            draft=quote_draft(first, procedure, nights=nights, implants=implants),
            seen_revision=returned.revision,
        )
    with clock.at(50):
        _release(cases[first.pk], coordinator)
    with clock.at(51):
        _release(cases[second.pk], coordinator)


def story_accepted(clock: DemoClock, coordinator, facilities: list[Facility], *, nights: int, implants: str) -> None:
    """Shared with three facilities: two quoted and were released; the third never answered and
    its case was withdrawn; the patient accepted the first facility's quote (its case accepted,
    the other one closed)."""
    quote_request = clock.quote_request
    chosen, other, slow = facilities
    procedure = quote_request.procedure
    summary = "Demo case (fictional patient). Please quote for a one-level cervical disc replacement."
    with clock.at(42):
        cases = {case.facility_id: case for case in _send(quote_request, coordinator, facilities, summary=summary,
                                                          with_files=facilities)}  # fmt: skip
    with clock.at(44):
        _open(cases[other.pk])
    with clock.at(46):
        _open(cases[chosen.pk])
    with clock.at(60):
        _quote(cases[other.pk], quote_draft(other, procedure, nights=nights, implants=implants, package=True))
    with clock.at(70):
        _quote(cases[chosen.pk], quote_draft(chosen, procedure, nights=nights, implants=implants))
    with clock.at(160):
        case_withdraw(
            case=cases[slow.pk],
            from_status=C.SENT,
            actor=coordinator,
            note="No answer after five working days, and the patient has two quotes to choose from.",
        )
    with clock.at(161):
        _release(cases[chosen.pk], coordinator)
        _release(cases[other.pk], coordinator)
    with clock.at(230):
        quote = FacilityQuote.objects.get(case=cases[chosen.pk])
        patient_accept_quote(quote_request=quote_request, facility_quote_id=quote.pk)


# The answer history -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PastRequest:
    """A finished demo request that only the history facility answered, and how it answered."""

    key: str
    name: str
    email: str
    phone: str
    country: str
    procedure: str
    condition: str
    days_ago: int
    answer_hours: float  # After the case was sent: the facility's first answer.
    answer: str = C.QUOTED  # Its first answer: quoted, a question (then a quote), or declined.
    quote_hours: float = 0  # After the case was sent, for a quote after a question.
    ending: str = QuoteRequest.CloseReason.DECLINED  # What the patient then did (declined, withdrew).
    implants: str = ""
    nights: int = 3
    decline_reason: str = ""


ANSWER_HISTORY = [
    PastRequest(
        key="demo-history-1",
        name="Ivo Madeup",
        email="ivo.madeup@example.org",
        phone="+44 20 7946 0111",
        country="NL",
        procedure="minimally-invasive-lumbar-discectomy",
        condition="Demo request (fictional patient). Pain down the left leg for four months; an MRI shows a disc "
        "pressing on a nerve.",
        days_ago=130,
        answer=C.QUESTION,
        answer_hours=3,
        quote_hours=44,
    ),
    PastRequest(
        key="demo-history-2",
        name="Jana Notreal",
        email="jana.notreal@example.org",
        phone="+44 20 7946 0112",
        country="CZ",
        procedure="lumbar-spinal-fusion",
        condition="Demo request (fictional patient). Years of low back pain; my surgeon at home suggests a fusion.",
        days_ago=112,
        answer_hours=20,
        ending=QuoteRequest.CloseReason.WITHDRAWN,
        implants="Titanium pedicle screws, rods and an interbody cage (one level)",
        nights=5,
    ),
    PastRequest(
        key="demo-history-3",
        name="Kofi Sampleton",
        email="kofi.sampleton@example.org",
        phone="+44 20 7946 0113",
        country="GH",
        procedure="kyphoplasty",
        condition="Demo request (fictional patient). A painful fracture of a vertebra after a fall in the spring.",
        days_ago=95,
        answer=C.DECLINED,
        answer_hours=18,
        decline_reason="The surgeon who performs kyphoplasty here is away for the whole of the patient's travel "
        "window; we would rather not offer a date we cannot keep.",
    ),
    PastRequest(
        key="demo-history-4",
        name="Lina Pretend",
        email="lina.pretend@example.org",
        phone="+44 20 7946 0114",
        country="DE",
        procedure="laminectomy",
        condition="Demo request (fictional patient). Legs ache after a short walk and feel better when I sit down.",
        days_ago=76,
        answer=C.QUESTION,
        answer_hours=6,
        quote_hours=40,
        ending=QuoteRequest.CloseReason.WITHDRAWN,
    ),
    PastRequest(
        key="demo-history-5",
        name="Marek Mockup",
        email="marek.mockup@example.org",
        phone="+44 20 7946 0115",
        country="PL",
        procedure="cervical-disc-replacement",
        condition="Demo request (fictional patient). Neck pain and pins and needles in the left hand since last year.",
        days_ago=58,
        answer_hours=50,
        implants="Artificial cervical disc (one level)",
        nights=2,
    ),
    PastRequest(
        key="demo-history-6",
        name="Nadia Standin",
        email="nadia.standin@example.org",
        phone="+44 20 7946 0116",
        country="FR",
        procedure="minimally-invasive-lumbar-discectomy",
        condition="Demo request (fictional patient). Sciatica on the right side that has not settled after "
        "three months of physiotherapy.",
        days_ago=40,
        answer_hours=130,  # After its due time: not every answer was in time.
    ),
]

HISTORY_QUESTION = (
    "Thank you for the case. Has the patient had any injections for this pain, and when was the last one?"
)
HISTORY_REPLY = "One steroid injection, about two months before the request; it helped for a few weeks."


def _history_story(past: PastRequest, facility: Facility, coordinator) -> bool:
    """Create one past request if it is missing and play its story; whether it was created."""
    started = timezone.now()
    day = timezone.localdate() - datetime.timedelta(days=past.days_ago)
    procedure = Procedure.objects.filter(slug=past.procedure).first()
    language = (
        Language.objects.filter(code="en").first()
        or Language.objects.get_or_create(code="en", defaults={"name": "English"})[0]
    )
    submission = quote_request_submit(
        submission_key=past.key,
        name=past.name,
        email=past.email,
        phone=past.phone,
        country_of_residence=past.country,
        preferred_language=language,
        procedure=procedure,
        facilities=[facility],
        condition=past.condition,
        travel_from=day + datetime.timedelta(days=45),
        travel_to=day + datetime.timedelta(days=100),
    )
    if not submission.created:
        return False
    quote_request = submission.quote_request
    clock = DemoClock(quote_request, days_ago=past.days_ago)
    clock.backdate(since=started, hours=0)
    with clock.at(2):
        quote_request_assign(quote_request=quote_request, assignee=coordinator, actor=coordinator)
        quote_request = quote_request_transition(
            quote_request=quote_request, from_status=S.SUBMITTED, to_status=S.IN_REVIEW, actor=coordinator,
            note="Read the request.",
        )  # fmt: skip
    sent = 4
    with clock.at(sent):
        (case,) = _send(quote_request, coordinator, [facility], summary="Demo case (fictional patient).")
    with clock.at(sent + min(1, past.answer_hours / 2)):
        case = _open(case)
    draft = quote_draft(facility, procedure, nights=past.nights, implants=past.implants)
    if past.answer == C.DECLINED:
        with clock.at(sent + past.answer_hours):
            case_decline(case=case, from_status=case.status, actor=_office(facility), reason=past.decline_reason)
        with clock.at(sent + past.answer_hours + 3):
            quote_request_transition(
                quote_request=clock.quote_request, from_status=S.SENT_TO_FACILITIES, to_status=S.CLOSED,
                actor=coordinator, reason=QuoteRequest.CloseReason.NO_SUITABLE_FACILITY,
                note="The only hospital the patient chose could not offer a date; the patient will look again "
                "next year.",
            )  # fmt: skip
        return True
    quote_hours = past.answer_hours
    if past.answer == C.QUESTION:
        with clock.at(sent + past.answer_hours):
            case_message_post(case=case, author=_office(facility), text=HISTORY_QUESTION)
        with clock.at(sent + past.answer_hours + 2):
            case_message_post(case=case, author=coordinator, text=HISTORY_REPLY)
        quote_hours = past.quote_hours
    with clock.at(sent + quote_hours):
        quote = _quote(case, draft)
    with clock.at(sent + quote_hours + 3):
        _release(case, coordinator)
    with clock.at(sent + quote_hours + 24 * 6):
        quote_request = clock.quote_request
        if past.ending == QuoteRequest.CloseReason.WITHDRAWN:
            patient_withdraw(quote_request=quote_request)
        else:
            patient_decline_quotes(quote_request=quote_request)
    # Valid for the usual time from the day it was written, long past now.
    quote.refresh_from_db()
    FacilityQuote.objects.filter(pk=quote.pk).update(
        valid_until=timezone.localtime(quote.submitted_at).date() + datetime.timedelta(days=QUOTE_VALID_DAYS)
    )
    return True


@dataclass
class HistoryResult:
    facility: str = ""
    created: int = 0
    unchanged: int = 0


def load_answer_history(coordinator) -> HistoryResult:
    """The history facility's past cases (``ANSWER_HISTORY``), each created once."""
    result = HistoryResult()
    facility = Facility.objects.listed().filter(slug=HISTORY_FACILITY).first()
    if facility is None or not FacilityMembership.objects.filter(facility=facility).exists():
        return result
    result.facility = facility.name
    for past in ANSWER_HISTORY:
        if QuoteRequest.objects.filter(submission_key=past.key).exists():
            result.unchanged += 1
            continue
        with transaction.atomic():
            result.created += _history_story(past, facility, coordinator)
    return result


def responsiveness_refresh(facility_ids) -> None:
    """Recompute the figures of the facilities the demo cases went to (the services refresh them
    after commit as well; this makes them right at once, in one transaction or not)."""
    for facility_id in sorted(set(facility_ids)):
        facility_responsiveness_refresh(facility_id)
