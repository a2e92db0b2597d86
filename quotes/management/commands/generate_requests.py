"""``manage.py generate_requests --count N``: N synthetic quote requests with a realistic history.

For measuring the staff pages at scale (``make bench``'s staff side, issue 15), never for a real
site: every patient is "Bench patient n" at an ``example.invalid`` address. Requests are spread
over the last two years, in the proportions a working desk has (most closed or accepted, a
minority open, some past their first-reply target), each with the history its status implies:
the status changes that led there, an assignment to one of a few bench coordinators, notes,
messages with the patient and, once sent to hospitals, cases at listed facilities with their
messages and, once quoted, itemised quotes. Written in batches with ``bulk_create`` (no signals,
no e-mails); ``created_at`` and the other timestamps are the generated ones, not now.

Run it again to add more: references, tokens and submission keys are drawn afresh, and the
numbering continues from the bench patients already there.
"""

import datetime
import hashlib
import random
import secrets
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from facilities.models import Facility, Language, Procedure
from quotes.models import (
    REFERENCE_ALPHABET,
    REFERENCE_LENGTH,
    AssignmentChange,
    FacilityCase,
    FacilityQuote,
    FacilityQuoteItem,
    Message,
    QuoteRequest,
    StaffNote,
    StatusChange,
)

S = QuoteRequest.Status
C = FacilityCase.Status
BATCH = 2_000
COORDINATORS = 8
SPAN_DAYS = 730

# Where a request ends up, in the proportions of a desk that has been working for a while.
FINAL_STATUSES = [
    (S.CLOSED, 50),
    (S.ACCEPTED, 12),
    (S.QUOTED, 8),
    (S.SENT_TO_FACILITIES, 12),
    (S.AWAITING_PATIENT, 5),
    (S.IN_REVIEW, 6),
    (S.SUBMITTED, 7),
]
# The path through the workflow to each status (closed requests: closed at some step of it).
PATHS = {
    S.SUBMITTED: [S.SUBMITTED],
    S.IN_REVIEW: [S.SUBMITTED, S.IN_REVIEW],
    S.AWAITING_PATIENT: [S.SUBMITTED, S.IN_REVIEW, S.AWAITING_PATIENT],
    S.SENT_TO_FACILITIES: [S.SUBMITTED, S.IN_REVIEW, S.SENT_TO_FACILITIES],
    S.QUOTED: [S.SUBMITTED, S.IN_REVIEW, S.SENT_TO_FACILITIES, S.QUOTED],
    S.ACCEPTED: [S.SUBMITTED, S.IN_REVIEW, S.SENT_TO_FACILITIES, S.QUOTED, S.ACCEPTED],
}
COUNTRIES = ["GB", "IE", "NO", "SE", "DE", "NL", "AE", "SA", "US", "CA", "AU", "ES", "FR", "IT", "PL"]
CONDITIONS = [
    "Lower back pain with sciatica for two years; physiotherapy has not helped.",
    "Degenerative disc disease at L4-L5, advised to have a fusion at home with a long wait.",
    "Osteoporotic fracture of a thoracic vertebra after a fall.",
    "Neck pain and numbness in the right arm; an MRI shows a herniated cervical disc.",
    "Spinal stenosis: leg pain when walking more than a few hundred metres.",
]


def new_reference(prefix: str, used: set[str]) -> str:
    while True:
        reference = prefix + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))
        if reference not in used:
            used.add(reference)
            return reference


class Command(BaseCommand):
    help = "Add N synthetic quote requests with their history (for benchmarks; never on a real site)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--count", type=int, required=True, help="How many requests to add.")
        parser.add_argument("--seed", type=int, default=15, help="Random seed (the same seed, the same mix).")

    def handle(self, *args, count: int, seed: int, **options) -> None:
        if count < 1:
            raise CommandError("--count must be at least 1.")
        self.rng = random.Random(seed + QuoteRequest.objects.count())
        self.procedures = list(Procedure.objects.published().values_list("pk", flat=True))
        self.facilities = list(Facility.objects.listed().values_list("pk", flat=True)[:5000])
        language = Language.objects.filter(code="en").first() or Language.objects.first()
        if not self.procedures or not self.facilities or language is None:
            raise CommandError(
                "Load the directory first (manage.py load_demo): requests need procedures and facilities."
            )
        self.language_id = language.pk
        self.coordinators = self._coordinators()
        self.used: set[str] = set()
        self.now = timezone.now()
        start = QuoteRequest.objects.filter(email__endswith="@bench.example.invalid").count()
        made = 0
        while made < count:
            size = min(BATCH, count - made)
            with transaction.atomic():
                self._batch(start + made, size)
            made += size
            if made % 20_000 == 0 and made < count:
                self.stdout.write(f"  {made:,} of {count:,} requests…")
        self.stdout.write(f"Added {count:,} synthetic quote requests ({QuoteRequest.objects.count():,} in all).")

    def _coordinators(self) -> list:
        User = get_user_model()
        users = []
        for n in range(COORDINATORS):
            user, created = User.objects.get_or_create(
                username=f"bench-coordinator-{n}",
                defaults={"is_staff": True, "email": f"coord{n}@bench.example.invalid"},
            )
            if created:
                user.set_unusable_password()
                user.save(update_fields=["password"])
            users.append(user)
        return users

    # One batch -----------------------------------------------------------------------------------

    def _batch(self, first: int, size: int) -> None:
        rng = self.rng
        statuses, weights = zip(*FINAL_STATUSES, strict=True)
        requests, plans = [], []
        for n in range(first, first + size):
            final = rng.choices(statuses, weights)[0]
            # The newest are the open ones: a desk closes what is old.
            age_days = rng.uniform(0, 30) if final != S.CLOSED and rng.random() < 0.8 else rng.uniform(0, SPAN_DAYS)
            created = self.now - datetime.timedelta(days=age_days, minutes=rng.uniform(0, 600))
            path = list(PATHS[rng.choice([S.SUBMITTED, S.IN_REVIEW, S.SENT_TO_FACILITIES, S.QUOTED])])
            if final == S.CLOSED:
                path.append(S.CLOSED)
            else:
                path = list(PATHS[final])
            steps = [created]
            for _step in path[1:]:
                steps.append(min(self.now, steps[-1] + datetime.timedelta(hours=rng.uniform(2, 96))))
            replied = steps[1] if len(steps) > 1 else None
            # Some waiting ones are past their target: the "overdue" the dashboard counts.
            due = created + datetime.timedelta(hours=48)
            assignee = rng.choice(self.coordinators) if len(path) > 1 or rng.random() < 0.3 else None
            salt = secrets.token_hex(16)
            budget = rng.random() < 0.6
            requests.append(
                QuoteRequest(
                    reference=new_reference("MT-", self.used),
                    status=path[-1],
                    closed_reason=rng.choice(list(QuoteRequest.CloseReason.values)) if path[-1] == S.CLOSED else "",
                    assignee=assignee,
                    name=f"Bench patient {n}",
                    email=f"patient{n}@bench.example.invalid",
                    phone=f"+44 20 7{n % 1000:03d} {n // 1000 % 10000:04d}",
                    country_of_residence=rng.choice(COUNTRIES),
                    age_band=rng.choice(list(QuoteRequest.AgeBand.values)),
                    preferred_language_id=self.language_id,
                    procedure_id=rng.choice(self.procedures),
                    suggest_facilities=rng.random() < 0.7,
                    budget_amount=Decimal(rng.randrange(8_000, 40_000, 500)) if budget else None,
                    budget_currency=rng.choice(["USD", "EUR", "GBP"]) if budget else "",
                    condition=rng.choice(CONDITIONS),
                    consent_version="2026-11",
                    consent_language="en",
                    consent_health_data_at=created,
                    consent_sharing_at=created,
                    first_reply_due_at=due,
                    first_replied_at=replied,
                    closed_at=steps[-1] if path[-1] in (S.CLOSED, S.ACCEPTED) else None,
                    language="en",
                    status_salt=salt,
                    status_token_hash=hashlib.sha256(salt.encode()).hexdigest(),
                    submission_key=secrets.token_hex(32),
                    created_at=created,
                    updated_at=steps[-1],
                )
            )
            plans.append((path, steps, assignee))
        with _stamps_as_given(
            QuoteRequest, StatusChange, AssignmentChange, StaffNote, Message, FacilityCase, FacilityQuote
        ):
            QuoteRequest.objects.bulk_create(requests, batch_size=500)
            self._history(requests, plans)

    def _history(self, requests: list[QuoteRequest], plans: list) -> None:
        rng = self.rng
        changes, assignments, notes, messages, cases = [], [], [], [], []
        quoted: list[tuple[QuoteRequest, list[datetime.datetime], bool]] = []
        for quote_request, (path, steps, assignee) in zip(requests, plans, strict=True):
            previous = ""
            for status, moment in zip(path, steps, strict=True):
                actor = None if status == S.SUBMITTED else assignee or self.coordinators[0]
                changes.append(
                    StatusChange(
                        quote_request=quote_request,
                        from_status=previous,
                        to_status=status,
                        actor=actor,
                        created_at=moment,
                    )
                )
                previous = status
            if assignee is not None:
                assignments.append(
                    AssignmentChange(
                        quote_request=quote_request,
                        to_assignee=assignee,
                        actor=assignee,
                        created_at=steps[min(1, len(steps) - 1)],
                    )
                )
            for _n in range(rng.randint(0, 2)):
                notes.append(
                    StaffNote(
                        quote_request=quote_request,
                        author=assignee,
                        text="Called the patient; scans are on the way.",
                        created_at=steps[-1],
                    )
                )
            if rng.random() < 0.4:
                messages.append(
                    Message(
                        quote_request=quote_request,
                        channel=Message.Channel.PATIENT,
                        author_kind=Message.Author.PATIENT,
                        text="Thank you. Could you tell me how long I would need to stay after the operation?",
                        created_at=steps[-1],
                    )
                )
            if S.SENT_TO_FACILITIES in path:
                sent = steps[path.index(S.SENT_TO_FACILITIES)]
                has_quotes = S.QUOTED in path
                for facility_id in rng.sample(self.facilities, k=min(len(self.facilities), rng.randint(1, 3))):
                    cases.append(
                        FacilityCase(
                            reference=new_reference("HC-", self.used),
                            quote_request=quote_request,
                            facility_id=facility_id,
                            status=C.QUOTED if has_quotes else rng.choice([C.SENT, C.OPENED, C.QUESTION]),
                            shared_fields=["age_band", "country_of_residence", "condition"],
                            summary="A patient with lumbar pain asks for a quote.",
                            created_by=assignee,
                            created_at=sent,
                            updated_at=sent,
                            due_at=sent + datetime.timedelta(days=3),
                            remind_at=sent + datetime.timedelta(days=2),
                            opened_at=sent + datetime.timedelta(hours=5) if has_quotes else None,
                            quoted_at=sent + datetime.timedelta(days=1) if has_quotes else None,
                        )
                    )
                quoted.append((quote_request, steps, has_quotes))
        StatusChange.objects.bulk_create(changes, batch_size=1000)
        AssignmentChange.objects.bulk_create(assignments, batch_size=1000)
        StaffNote.objects.bulk_create(notes, batch_size=1000)
        FacilityCase.objects.bulk_create(cases, batch_size=1000)
        case_messages, quotes = [], []
        for case in cases:
            case_messages.append(
                Message(
                    quote_request=case.quote_request,
                    channel=Message.Channel.CASE,
                    case=case,
                    author_kind=Message.Author.FACILITY,
                    text="Could you send the latest MRI report?",
                    created_at=case.created_at + datetime.timedelta(hours=3),
                )
            )
            if case.status == C.QUOTED:
                accepted = case.quote_request.status == S.ACCEPTED
                quotes.append(
                    FacilityQuote(
                        quote_request=case.quote_request,
                        facility_id=case.facility_id,
                        case=case,
                        currency="USD",
                        valid_until=(case.created_at + datetime.timedelta(days=30)).date(),
                        status=FacilityQuote.Status.ACCEPTED if accepted else FacilityQuote.Status.SENT,
                        created_at=case.quoted_at,
                        submitted_at=case.quoted_at,
                        sent_at=case.quoted_at,
                    )
                )
        Message.objects.bulk_create(messages + case_messages, batch_size=1000)
        FacilityQuote.objects.bulk_create(quotes, batch_size=1000)
        items = []
        for quote in quotes:
            for category, share in (("surgeon", 0.4), ("implants", 0.25), ("hospital_nights", 0.2), ("tests", 0.05)):
                items.append(
                    FacilityQuoteItem(
                        quote=quote,
                        category=category,
                        amount=Decimal(round(12_000 * share * self.rng.uniform(0.8, 1.3))),
                    )
                )
            items.append(FacilityQuoteItem(quote=quote, category="hotel", state=FacilityQuoteItem.State.NOT_INCLUDED))
        FacilityQuoteItem.objects.bulk_create(items, batch_size=2000)


class _stamps_as_given:
    """Within it, ``auto_now``/``auto_now_add`` fields of ``models`` keep the values given to them."""

    def __init__(self, *models) -> None:
        self.fields = [
            field
            for model in models
            for field in model._meta.concrete_fields
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
        ]

    def __enter__(self):
        self.saved = [(field, field.auto_now, field.auto_now_add) for field in self.fields]
        for field in self.fields:
            field.auto_now = field.auto_now_add = False

    def __exit__(self, *exc) -> None:
        for field, auto_now, auto_now_add in self.saved:
            field.auto_now, field.auto_now_add = auto_now, auto_now_add
