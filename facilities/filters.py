"""The public directory's filters, facets and sorting (django-filter).

Every value is validated by its form field; a value that does not validate is left out of the
query and reported on the page (``FacilityFilter.problems``), so a bad query string gives a normal
page with a message, never an error.

The reference lists behind the drop-downs (procedures, accreditation bodies, languages) are read
once per request and used both to validate and to render, so the page's query count does not
depend on which filters are chosen.
"""

from collections.abc import Iterable
from dataclasses import dataclass

import django_filters
from django import forms
from django.db.models import Count, Exists, F, OuterRef, QuerySet
from django.db.models.functions import Lower
from django.http import QueryDict
from django.utils.functional import cached_property
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from facilities import figures as kept_figures
from facilities.models import Accreditation, AccreditationBody, Facility, Language, Procedure
from facilities.search import facility_search, search_terms
from tourism import money
from tourism.pagecache import cached_data

MAX_TEXT = 100
MAX_PRICE = 10_000_000
# How much of a search the summary of active filters repeats.
SUMMARY_TEXT_CHARS = 40


class Sort:
    RELEVANCE = "relevance"
    NAME = "name"
    PRICE = "price"
    NEWEST = "newest"
    choices = [(NAME, _("Name (A–Z)")), (PRICE, _("Lowest price for the procedure")), (NEWEST, _("Newest listed"))]
    # Offered, first and as the default, only when there is a text search to rank by.
    relevance_choice = (RELEVANCE, _("Best match"))
    # In the summary of active filters, shown only when not the default.
    summaries = {
        RELEVANCE: _("best match first"),
        NAME: _("sorted by name"),
        PRICE: _("sorted by price"),
        NEWEST: _("newest first"),
    }


@dataclass(frozen=True)
class ActiveFilter:
    """One filter in force, as the summary shows it: what it is, and the query string without it."""

    label: str
    query_without: str  # "?country=TR&…", or "" when nothing is left.


def has_search_words(value) -> bool:
    """Whether a text query has anything to search for (a query of punctuation has not)."""
    return isinstance(value, str) and bool(search_terms(value))


class FacilityFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_text",
        max_length=MAX_TEXT,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Hospital name, city or treatment")}),
    )
    procedure = django_filters.ChoiceFilter(
        label=_("Procedure"), method="filter_procedure", empty_label=_("Any procedure")
    )
    country = django_filters.ChoiceFilter(label=_("Country"), field_name="country", empty_label=_("Any country"))
    city = django_filters.CharFilter(label=_("City"), field_name="city", lookup_expr="iexact", max_length=MAX_TEXT)
    body = django_filters.ChoiceFilter(
        label=_("Accredited by"), method="filter_body", empty_label=_("Any accreditation")
    )
    language = django_filters.ChoiceFilter(
        label=_("Language spoken"), method="filter_language", empty_label=_("Any language")
    )
    # In the visitor's currency (``price_currency``), compared with the prices' dollar figures.
    price_min = django_filters.NumberFilter(
        label=_("Price from"), method="filter_price", min_value=0, max_value=MAX_PRICE, decimal_places=0
    )
    price_max = django_filters.NumberFilter(
        label=_("Price up to"), method="filter_price", min_value=0, max_value=MAX_PRICE, decimal_places=0
    )
    services = django_filters.MultipleChoiceFilter(
        label=_("Services for international patients"),
        choices=Facility.Service.choices,
        method="filter_services",
        widget=forms.CheckboxSelectMultiple,
    )
    sort = django_filters.ChoiceFilter(label=_("Sort by"), choices=Sort.choices, method="filter_sort", empty_label=None)

    class Meta:
        model = Facility
        fields: list[str] = []

    def __init__(
        self, data=None, queryset=None, *, public: bool = False, currency: str = money.REFERENCE, rates=None, **kwargs
    ):
        searching = data is not None and has_search_words(data.get("q"))
        if data is not None and data.get("sort") == Sort.RELEVANCE and not searching:
            # A "best match" left over from a search box since emptied: sort by name, no complaint.
            data = data.copy()
            data.pop("sort")
        super().__init__(data, queryset, **kwargs)
        # Filtering Facility.objects.listed(), as the public directory does: facet counts may be cached.
        self.public = public
        self.filters["sort"].extra["choices"] = [Sort.relevance_choice, *Sort.choices] if searching else Sort.choices
        self.procedures = {
            p.slug: p
            for p in Procedure.objects.published().select_related("category").order_by("category__position", "name")
        }
        self.bodies = {b.slug: b for b in AccreditationBody.objects.order_by("abbreviation")}
        self.languages = {lang.code: lang for lang in Language.objects.order_by("name")}
        self.filters["procedure"].extra["choices"] = self._procedure_choices()
        self.filters["body"].extra["choices"] = [(slug, str(body)) for slug, body in self.bodies.items()]
        self.filters["language"].extra["choices"] = [(code, lang.name) for code, lang in self.languages.items()]
        self.filters["country"].extra["choices"] = [(code, name) for code, name in countries]
        # Prices typed in the visitor's currency when it converts today, else in US dollars.
        self.rates = rates if rates is not None else {}
        self.price_currency = money.usable_display(currency, self.rates)
        for name, label in (
            ("price_min", _("Price from (%(currency)s)")),
            ("price_max", _("Price up to (%(currency)s)")),
        ):
            self.filters[name].label = label % {"currency": self.price_currency}

    def _procedure_choices(self) -> list:
        groups: dict[str, list[tuple[str, str]]] = {}
        for slug, procedure in self.procedures.items():
            groups.setdefault(procedure.category.name, []).append((slug, procedure.name))
        return list(groups.items())

    # Filter methods ---------------------------------------------------------------------------

    def filter_text(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # Full-text search in the name, city and description, and the names of countries, bodies and
        # procedures (read from the lists above: no query of their own); annotates ``search_rank``.
        return facility_search(queryset, value, procedures=self.procedures.values(), bodies=self.bodies.values())

    def filter_procedure(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # A join, not a look-up per facility: a facility offers a procedure at most once, so each
        # facility stays one row, and sorting by price can follow the offers' price index.
        return queryset.filter(offered_procedures__procedure=self.procedures[value]).annotate(
            procedure_price_from=F("offered_procedures__price_from"),
            procedure_price_to=F("offered_procedures__price_to"),
            procedure_usd_from=F("offered_procedures__usd_from"),
            procedure_usd_to=F("offered_procedures__usd_to"),
        )

    def filter_body(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        current = Accreditation.objects.current().filter(facility=OuterRef("pk"), body=self.bodies[value])
        return queryset.filter(Exists(current))

    def filter_language(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        spoken = Facility.languages.through.objects.filter(facility=OuterRef("pk"), language=self.languages[value])
        return queryset.filter(Exists(spoken))

    def filter_price(self, queryset: QuerySet, name: str, value) -> QuerySet:
        # Prices are per procedure: without one chosen a range means nothing (see ``problems``).
        if not self.form.cleaned_data.get("procedure"):
            return queryset
        dollars = money.from_display(value, self.price_currency, self.rates)
        if name == "price_min":
            return queryset.filter(procedure_usd_to__gte=dollars)
        return queryset.filter(procedure_usd_from__lte=dollars)

    def filter_services(self, queryset: QuerySet, name: str, value: list[str]) -> QuerySet:
        return queryset.filter(**{Facility.SERVICE_FIELDS[service]: True for service in value})

    def filter_sort(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset  # Ordering is applied in ``results`` once every annotation is in place.

    # Results ----------------------------------------------------------------------------------

    def _cleaned(self) -> dict:
        if not self.is_bound:
            return {}
        self.form.is_valid()
        return self.form.cleaned_data

    def _apply(self, queryset: QuerySet, skip: Iterable[str] = ()) -> QuerySet:
        for name, value in self._cleaned().items():
            if name not in skip:
                queryset = self.filters[name].filter(queryset, value)
        return queryset

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        return self._apply(queryset)

    @property
    def chosen_procedure(self) -> Procedure | None:
        slug = self._cleaned().get("procedure")
        return self.procedures.get(slug) if slug else None

    @property
    def searching(self) -> bool:
        """Whether a text search applies, so that results carry a ``search_rank``."""
        return has_search_words(self._cleaned().get("q"))

    @property
    def sort_key(self) -> str:
        key = self._cleaned().get("sort") or (Sort.RELEVANCE if self.searching else Sort.NAME)
        if key == Sort.PRICE and not self.chosen_procedure:
            return Sort.NAME
        if key == Sort.RELEVANCE and not self.searching:
            return Sort.NAME
        return key

    @property
    def results(self) -> QuerySet:
        queryset = self.qs
        key = self.sort_key
        if key == Sort.RELEVANCE:
            return queryset.order_by(F("search_rank").desc(), Lower("name"), "pk")
        if key == Sort.PRICE:
            return queryset.order_by(F("procedure_usd_from").asc(nulls_last=True), Lower("name"), "pk")
        if key == Sort.NEWEST:
            return queryset.order_by("-created_at", "-pk")
        return queryset.order_by(Lower("name"), "pk")

    @cached_property
    def country_facets(self) -> dict[str, int]:
        """How many results each country would have with every other filter kept, in one query.

        Cached until the directory changes, per combination of the other filters: this is the one
        query of the page that counts every matching facility.
        """
        chosen = tuple(sorted((name, repr(value)) for name, value in self._cleaned().items() if name != "country"))
        # A price typed in euros is another range of dollars than the same number typed in pounds.
        chosen = (*chosen, self.price_currency)

        def compute() -> dict[str, int]:
            rows = self._apply(self.queryset.all(), skip={"country"}).order_by().values_list("country")
            return dict(rows.annotate(n=Count("pk")))

        if self.public:
            # The whole listing, or everyone offering one procedure: the directory's kept figures
            # (facilities.figures) already hold these counts.
            others = {
                name
                for name, value in self._cleaned().items()
                if name not in {"country", "sort"} and value not in (None, "", [], ())
            }
            if not others:
                return kept_figures.listed_per_country()
            if others == {"procedure"} and self.chosen_procedure:
                return kept_figures.offers_per_country(self.chosen_procedure.pk)
        # The key holds the filters but not the base queryset: only the public listing is cached.
        return cached_data("country-facets", chosen, compute) if self.public else compute()

    @property
    def total(self) -> int:
        chosen = self._cleaned().get("country")
        facets = self.country_facets
        return facets.get(chosen, 0) if chosen else sum(facets.values())

    def offer_countries_with_counts(self) -> None:
        """Show only the destinations that have results, with their counts, in the country list."""
        facets = self.country_facets
        chosen = self._cleaned().get("country")
        options = [(code, f"{countries.name(code)} ({n})") for code, n in facets.items()]
        if chosen and chosen not in facets:
            options.append((chosen, f"{countries.name(chosen)} (0)"))
        options.sort(key=lambda option: option[1])
        # The field puts its own empty choice, "Any country", first.
        self.form.fields["country"].choices = options

    def active_filters(self) -> list[ActiveFilter]:
        """The filters that apply, in the form's order, each with the query string that drops it.

        Only values that were used: an invalid value, or a price without a procedure, was ignored
        (and said so in ``problems``), so it is not in force. Read from what is in memory already.
        """
        if not self.is_bound:
            return []
        data = self._cleaned()
        procedure = self.chosen_procedure
        active: list[ActiveFilter] = []

        def add(label: str, name: str, value: str | None = None) -> None:
            active.append(ActiveFilter(str(label), self._query_without(name, value)))

        if self.searching:
            add(_("“%(words)s”") % {"words": Truncator(data["q"].strip()).chars(SUMMARY_TEXT_CHARS)}, "q")
        if procedure:
            add(procedure.name, "procedure")
        if data.get("country"):
            add(countries.name(data["country"]), "country")
        if data.get("city"):
            add(data["city"], "city")
        if data.get("body"):
            add(self.bodies[data["body"]].abbreviation, "body")
        if data.get("language"):
            add(self.languages[data["language"]].name, "language")
        if procedure and data.get("price_min") is not None:
            add(_("from %(price)s") % {"price": self._price(data["price_min"])}, "price_min")
        if procedure and data.get("price_max") is not None:
            add(_("up to %(price)s") % {"price": self._price(data["price_max"])}, "price_max")
        service_labels = dict(Facility.Service.choices)
        for service in data.get("services") or ():
            add(service_labels[service], "services", service)
        default_sort = Sort.RELEVANCE if self.searching else Sort.NAME
        if data.get("sort") and self.sort_key != default_sort:
            add(Sort.summaries[self.sort_key], "sort")
        return active

    def _price(self, value) -> str:
        return money.amount_text(int(value), self.price_currency)

    def _query_without(self, name: str, value: str | None = None) -> str:
        if isinstance(self.data, QueryDict):
            remaining = self.data.copy()
        else:
            remaining = QueryDict(mutable=True)
            for key, values in self.data.items():
                remaining.setlist(key, values if isinstance(values, list | tuple) else [values])
        remaining.pop("page", None)
        if value is None:
            remaining.pop(name, None)
        else:
            remaining.setlist(name, [kept for kept in remaining.getlist(name) if kept != value])
        encoded = remaining.urlencode()
        return f"?{encoded}" if encoded else ""

    @property
    def problems(self) -> list[str]:
        """Plain-language notes on filters that were ignored, for the results page."""
        notes: list[str] = []
        if not self.is_bound:
            return notes
        data = self._cleaned()
        for field_name in self.form.errors:
            label = self.form.fields[field_name].label if field_name in self.form.fields else field_name
            notes.append(_("We ignored the “%(label)s” filter because its value was not valid.") % {"label": label})
        if (data.get("price_min") is not None or data.get("price_max") is not None) and not data.get("procedure"):
            notes.append(_("Choose a procedure to filter by price: prices are given per procedure."))
        elif data.get("sort") == Sort.PRICE and not data.get("procedure"):
            notes.append(_("Choose a procedure to sort by price; the results are sorted by name."))
        low, high = data.get("price_min"), data.get("price_max")
        if low is not None and high is not None and low > high:
            notes.append(_("The lowest price you gave is above the highest, so nothing can match."))
        return notes
