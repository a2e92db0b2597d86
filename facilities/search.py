"""The directory's text search: one function over PostgreSQL full-text search and SQLite FTS5.

``facility_search(queryset, query)`` keeps the facilities that match every word of what a patient
typed and annotates ``search_rank`` (higher is better; a match in the name counts most, then the
city, then the description). The last word matches as a prefix, so results appear while people are
still typing.

A word is found in the facility's name, city or description, or by what it names: a country (its
English name, its name in the page's language or in its own, "Turkey", "Türkiye", "México", see
``country_names``), an accreditation body ("JCI", "Joint Commission International", held today)
or a published procedure ("spinal fusion", by name or other name, offered). Words that name
something together count as one group ("spinal fusion turkey" is a procedure and a country,
``search_units``). Names are matched in Python, case- and accent-insensitively, against the
reference lists already read for the page; the database then only sees a list of country codes
and ``IN`` subqueries on the offer and accreditation indexes next to the full-text match, so the
cost does not grow with the directory beyond the text search itself.

The words are picked out of the query here and each one is quoted before it reaches a database,
so nothing typed (quotes, ``*``, ``NEAR``, ``AND``/``OR``, brackets, symbols) is ever read as
search syntax. Each database then splits and folds the words exactly as it did the stored text.

- PostgreSQL: a ``tsquery`` against ``facilities_facility.search_vector``, a stored generated
  column (name weighted A, city B, description C) with the GIN index ``facility_search_idx``, both
  made by migration 0003; PostgreSQL recomputes the column whenever a row changes. Ranked with
  ``ts_rank``. The ``simple`` configuration does no stemming and has no stop words, so names in any
  language match as written. The vector is stored rather than only indexed because a common word
  ("spine" is in nearly every facility) is answered by reading every row, and recomputing the
  vector for each of 100,000 rows took seconds where reading it takes a fraction of one.
- SQLite: the FTS5 table ``facilities_facility_fts`` (migration 0003), kept in step with
  ``facilities_facility`` by triggers, matched through ``id IN (SELECT rowid … MATCH …)``. FTS5's
  bm25() is only available to a query that joins the FTS table, which the ORM cannot write without
  ``extra()``, and in a per-row subquery it runs a full-text query per result (about 0.3 ms each,
  so seconds for a common word). The rank therefore counts where each word was found, name before
  city before description; each of those tests is an uncorrelated ``IN`` that SQLite works out
  once per query.
- Any other database: a case-insensitive substring match on each word, unranked.

Each of those full-text matches is made once per group of words, OR-ed with what the group
names; a query that names nothing is the single full-text match it always was.
"""

import functools
import operator
import unicodedata
from collections import defaultdict
from collections.abc import Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import reduce

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField
from django.db import connections
from django.db.models import Case, Expression, FloatField, IntegerField, Q, QuerySet, Value, When
from django.utils import translation
from django_countries import countries

from facilities.country_names import OTHER_COUNTRY_NAMES
from facilities.models import Accreditation, AccreditationBody, FacilityProcedure, Procedure
from facilities.translation import localized

# Migration 0003 builds the vector column and the FTS table for exactly these; change both together.
SEARCH_CONFIG = "simple"
VECTOR_COLUMN = "search_vector"

MAX_QUERY_LENGTH = 1_000
MAX_TERMS = 8
# PostgreSQL skips words over 2,047 bytes, which would make it find more than SQLite does.
MAX_TERM_LENGTH = 100
# The SQLite rank: each word found in the name adds NAME_WEIGHT, in the city CITY_WEIGHT; each
# group of words that names the facility's country, a body or a procedure it offers, NAMED_WEIGHT.
NAME_WEIGHT = 4
CITY_WEIGHT = 2
NAMED_WEIGHT = 1
# The same on PostgreSQL, on the scale of ts_rank: above a word or two of the description (about
# 0.1 to 0.2), below a word of the name (about 0.6).
NAMED_RANK = 0.3
# The last word names a country, body or procedure as a prefix from this length: "tur" is Türkiye
# while typing, "t" is not every country with a T.
MIN_NAME_PREFIX = 3
# Not enough to name anything alone, and never the start or end of a name in a query.
NAME_STOP_WORDS = frozenset({"and", "of", "the", "de", "del", "la", "y", "et", "und", "or"})


def _words(text: str) -> Iterator[str]:
    """Runs of letters, marks and digits; everything else separates words and is dropped."""
    word: list[str] = []
    for char in unicodedata.normalize("NFC", text) + " ":
        if unicodedata.category(char)[0] in "LMN":
            word.append(char)
        elif word:
            yield "".join(word)
            word = []


def search_terms(query: str) -> list[str]:
    """The words of a query: runs of letters, marks and digits in its first ``MAX_QUERY_LENGTH``
    characters; ``MAX_TERMS`` words at most, each cut to ``MAX_TERM_LENGTH``.

    Marks are kept inside words because many scripts (Devanagari, Thai, …) write vowels with them.
    Everything else separates words and is dropped.
    """
    terms: list[str] = []
    for word in _words(query[:MAX_QUERY_LENGTH]):
        terms.append(word[:MAX_TERM_LENGTH])
        if len(terms) == MAX_TERMS:
            break
    return terms


# Letters that carry their accent inside them, so that NFKD does not separate it.
_UNACCENTED = str.maketrans(
    {"ł": "l", "ø": "o", "đ": "d", "ħ": "h", "ı": "i", "ŀ": "l", "æ": "ae", "œ": "oe"}
    # Arabic alif with hamza or madda (as NFKD leaves them: a bare alif and a combining sign, which
    # _dropped_mark removes) and the wasla alif, read as a plain alif.
    | {"\u0671": "\u0627"}
)


def fold(word: str) -> str:
    """A word as the name look-ups compare it: case- and accent-insensitive ("Türkiye" = "TURKIYE",
    "fusión" = "fusion"), and in Arabic without the optional short-vowel signs, the stretching
    tatweel and the hamza forms of alif ("الفِقْرات" = "الفقرات", "أ" = "ا").

    Only those accents and signs are dropped: the vowel signs of Thai, Devanagari and other scripts
    are marks too, and are part of their words.
    """
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    bare = "".join(char for char in decomposed if not _dropped_mark(char))
    return unicodedata.normalize("NFC", bare.translate(_UNACCENTED))


def _dropped_mark(char: str) -> bool:
    return "\u0300" <= char <= "\u036f" or "\u064b" <= char <= "\u065f" or char in "\u0670\u0640"


class NameIndex:
    """Names (of countries, bodies, procedures) by the words in them, to turn query words into keys.

    A group of query words finds a name when every one of its words is a word of that one name, in
    any order; with ``prefix_last`` the last may be the start of a word.
    """

    def __init__(self, names: Iterable[tuple[Hashable, str]]) -> None:
        self._keys: list[Hashable] = []
        self._postings: dict[str, set[int]] = defaultdict(set)
        for key, name in names:
            words = {fold(word) for word in _words(name)} - NAME_STOP_WORDS
            if not words:
                continue
            for word in words:
                self._postings[word].add(len(self._keys))
            self._keys.append(key)

    def find(self, words: Sequence[str], *, prefix_last: bool = False) -> set:
        """The keys of the names holding all of these (folded) words."""
        if not words or words[0] in NAME_STOP_WORDS or words[-1] in NAME_STOP_WORDS:
            return set()
        matches: set[int] | None = None
        for position, word in enumerate(words):
            if word in NAME_STOP_WORDS:
                continue
            if prefix_last and position == len(words) - 1 and len(word) >= MIN_NAME_PREFIX:
                found = set().union(*(ids for known, ids in self._postings.items() if known.startswith(word)))
            else:
                found = self._postings.get(word, set())
            matches = found if matches is None else matches & found
            if not matches:
                return set()
        return {self._keys[n] for n in matches or ()}


@functools.lru_cache(maxsize=16)
def country_index(language: str) -> NameIndex:
    """Every country by its English name, its name in ``language`` and the names in ``country_names``."""
    names: list[tuple[str, str]] = []
    for name_language in dict.fromkeys(["en", language]):
        with translation.override(name_language):
            names.extend((code, str(name)) for code, name in countries)
    names.extend((code, name) for code, others in OTHER_COUNTRY_NAMES.items() for name in others)
    return NameIndex(names)


def procedure_index(procedures: Iterable[Procedure]) -> NameIndex:
    """Procedures by their name and each of their other names (``also_known_as``, split at ";"), in
    every language: a patient may search in theirs on any page ("fusión lumbar" on the English
    one), and the English names are known everywhere."""
    return NameIndex((procedure.pk, name) for procedure in procedures for name in procedure_names(procedure))


def procedure_names(procedure: Procedure) -> list[str]:
    """A procedure's names and other names in every language (the columns modeltranslation adds)."""
    names: list[str] = []
    for code, _name in settings.LANGUAGES:
        names.append(getattr(procedure, localized("name", code)) or "")
        names.extend((getattr(procedure, localized("also_known_as", code)) or "").split(";"))
    return [name for name in dict.fromkeys(name.strip() for name in names) if name]


def body_index(bodies: Iterable[AccreditationBody]) -> NameIndex:
    return NameIndex((body.pk, name) for body in bodies for name in (body.name, body.abbreviation))


@dataclass(frozen=True)
class SearchUnit:
    """Words of a query that must be found together: in the facility's text, or, when they name a
    country, an accreditation body or a procedure, by the facility being there, accredited by it or
    offering it."""

    terms: tuple[str, ...]
    prefix_last: bool = False  # The last of ``terms`` is the query's last word, matched as a prefix.
    countries: frozenset[str] = frozenset()
    bodies: frozenset[int] = frozenset()
    procedures: frozenset[int] = frozenset()

    @property
    def names_something(self) -> bool:
        return bool(self.countries or self.bodies or self.procedures)


def search_units(
    terms: list[str], *, procedures: Iterable[Procedure], bodies: Iterable[AccreditationBody]
) -> list[SearchUnit]:
    """The query's words grouped: the longest run of words from the left that names a country, a body
    or a procedure becomes one unit ("spinal fusion", "costa rica"), and so on along the query; the
    words that name nothing come last, together, in one unit of plain text.

    Pure Python over the small reference lists: no query, whatever the size of the directory.
    """
    indexes = (
        ("countries", country_index(translation.get_language() or "en")),
        ("bodies", body_index(bodies)),
        ("procedures", procedure_index(procedures)),
    )
    folded = [fold(term) for term in terms]
    units: list[SearchUnit] = []
    plain: list[str] = []
    start = 0
    while start < len(terms):
        for end in range(len(terms), start, -1):
            prefix_last = end == len(terms)
            found = {kind: index.find(folded[start:end], prefix_last=prefix_last) for kind, index in indexes}
            if any(found.values()):
                units.append(
                    SearchUnit(
                        tuple(terms[start:end]),
                        prefix_last=prefix_last,
                        **{kind: frozenset(keys) for kind, keys in found.items()},
                    )
                )
                start = end
                break
        else:
            plain.append(terms[start])
            start += 1
    if plain:
        units.append(SearchUnit(tuple(plain), prefix_last=not any(unit.prefix_last for unit in units)))
    return units


def fts5_phrase(term: str, *, prefix: bool = False) -> str:
    """One word as an FTS5 phrase: inside double quotes nothing is syntax, only text to split."""
    return '"{}"{}'.format(term.replace('"', '""'), "*" if prefix else "")


def fts5_match(terms: list[str]) -> str:
    """An FTS5 MATCH expression: every word required, the last one a prefix."""
    return " ".join(fts5_phrase(term, prefix=last) for term, last in _with_last(terms))


def tsquery_lexeme(term: str, *, prefix: bool = False) -> str:
    """One word as a quoted ``tsquery`` lexeme; inside single quotes operators are only text."""
    return "'{}'{}".format(term.replace("\\", "\\\\").replace("'", "''"), ":*" if prefix else "")


def tsquery(terms: list[str]) -> str:
    """A raw ``to_tsquery`` string: every word required, the last one a prefix."""
    return " & ".join(tsquery_lexeme(term, prefix=last) for term, last in _with_last(terms))


class FtsMatches(Expression):
    """``(SELECT rowid FROM facilities_facility_fts WHERE … MATCH %s)``: ids of matching facilities."""

    template = "(SELECT rowid FROM facilities_facility_fts WHERE facilities_facility_fts MATCH %s)"
    output_field = IntegerField()

    def __init__(self, match: str) -> None:
        super().__init__()
        self.match = match

    def as_sql(self, compiler, connection):
        # The expression travels as a bound parameter; only the fixed table name is in the SQL.
        return self.template, (self.match,)


class StoredSearchVector(Expression):
    """The facility's ``search_vector`` column (PostgreSQL only, so not a field of the model)."""

    output_field = SearchVectorField()

    def __init__(self, alias: str | None = None) -> None:
        super().__init__()
        self.alias = alias

    def resolve_expression(self, query=None, allow_joins=True, reuse=None, summarize=False, for_save=False):
        if self.alias is not None:
            # Already bound to its facility table; Django resolves a subquery's expressions again
            # against the outer query, whose first table is not that one.
            return self
        clone = self.copy()
        clone.alias = query.get_initial_alias()
        return clone

    def relabeled_clone(self, change_map):
        # Follows the table's new alias when the queryset becomes a subquery.
        clone = self.copy()
        clone.alias = change_map.get(self.alias, self.alias)
        return clone

    def as_sql(self, compiler, connection):
        return f"{compiler.quote_name_unless_alias(self.alias)}.{connection.ops.quote_name(VECTOR_COLUMN)}", []


def facility_search(
    queryset: QuerySet,
    query: str,
    *,
    procedures: Iterable[Procedure] | None = None,
    bodies: Iterable[AccreditationBody] | None = None,
) -> QuerySet:
    """Facilities in ``queryset`` matching every word of ``query``, annotated with ``search_rank``.

    Each word must be found somewhere: in the name, city or description, or, for the words that
    name a country (in English or its own language), an accreditation body (name or abbreviation)
    or a published procedure (name or other name), as the facility's country, a current
    accreditation or an offer (see ``search_units``). ``procedures`` and ``bodies`` are the
    reference lists to read names from; the directory passes those it has read already, anyone
    else lets them be read here (two small queries).

    The rank is a number to sort on, higher first; it is not comparable between databases. A query
    without any word (empty, or only punctuation) leaves the queryset as it is, every rank 0.
    """
    terms = search_terms(query)
    if not terms:
        return queryset.annotate(search_rank=Value(0))
    if procedures is None:
        procedures = Procedure.objects.published()
    if bodies is None:
        bodies = AccreditationBody.objects.all()
    units = search_units(terms, procedures=procedures, bodies=bodies)
    vendor = connections[queryset.db].vendor
    if vendor == "postgresql":
        return _postgresql(queryset, units)
    if vendor == "sqlite":
        return _sqlite(queryset, units)
    return _substring(queryset, units)


def named_q(unit: SearchUnit) -> Q:
    """Facilities in the countries, accredited today by the bodies, or offering the procedures a
    unit names. Uncorrelated ``IN`` lists read from indexes, so each is worked out once per query."""
    found: list[Q] = []
    if unit.countries:
        found.append(Q(country__in=sorted(unit.countries)))
    if unit.bodies:
        accredited = Accreditation.objects.current().filter(body__in=sorted(unit.bodies))
        found.append(Q(pk__in=accredited.values("facility")))
    if unit.procedures:
        offering = FacilityProcedure.objects.filter(procedure__in=sorted(unit.procedures))
        found.append(Q(pk__in=offering.values("facility")))
    return reduce(operator.or_, found)


def _found(unit: SearchUnit, in_text: Q) -> Q:
    return in_text | named_q(unit) if unit.names_something else in_text


def _named_bonus(units: list[SearchUnit], weight, output_field) -> list[Case]:
    return [
        Case(When(named_q(unit), then=Value(weight)), default=Value(0 * weight), output_field=output_field)
        for unit in units
        if unit.names_something
    ]


def _terms_of(unit: SearchUnit):
    return ((term, unit.prefix_last and last) for term, last in _with_last(list(unit.terms)))


def _postgresql(queryset: QuerySet, units: list[SearchUnit]) -> QuerySet:
    def text_query(unit: SearchUnit, joiner: str = " & ") -> SearchQuery:
        raw = joiner.join(tsquery_lexeme(term, prefix=prefix) for term, prefix in _terms_of(unit))
        return SearchQuery(raw, config=SEARCH_CONFIG, search_type="raw")

    queryset = queryset.alias(search_vector=StoredSearchVector())
    for unit in units:
        queryset = queryset.filter(_found(unit, Q(search_vector=text_query(unit))))
    if len(units) == 1 and not units[0].names_something:
        # Plain words only: ranked by the very query that found them.
        return queryset.annotate(search_rank=SearchRank(StoredSearchVector(), text_query(units[0])))
    # Some rows may have been found by a country, body or procedure rather than their text: rank
    # the text by any of the words, plus a step for each named thing the facility has.
    lexemes = [tsquery_lexeme(term, prefix=prefix) for unit in units for term, prefix in _terms_of(unit)]
    any_word = SearchQuery(" | ".join(lexemes), config=SEARCH_CONFIG, search_type="raw")
    text_rank = SearchRank(StoredSearchVector(), any_word)
    named = _named_bonus(units, NAMED_RANK, FloatField())
    return queryset.annotate(search_rank=reduce(operator.add, [text_rank, *named]))


def _sqlite(queryset: QuerySet, units: list[SearchUnit]) -> QuerySet:
    found_in: list[Expression] = []
    for unit in units:
        in_text = " ".join(fts5_phrase(term, prefix=prefix) for term, prefix in _terms_of(unit))
        queryset = queryset.filter(_found(unit, Q(pk__in=FtsMatches(in_text))))
        # Each test repeats the unit's whole text query, so FTS5 reads only the matching rows, not
        # every row that has a common word such as "hospital" in its name.
        found_in.extend(
            Case(
                When(pk__in=FtsMatches(f"({in_text}) AND {column} : {fts5_phrase(term, prefix=prefix)}"), then=weight),
                default=0,
            )
            for term, prefix in _terms_of(unit)
            for column, weight in (("name", NAME_WEIGHT), ("city", CITY_WEIGHT))
        )
    found_in.extend(_named_bonus(units, NAMED_WEIGHT, IntegerField()))
    return queryset.annotate(search_rank=reduce(operator.add, found_in))


def _with_last(terms: list[str]):
    return ((term, position == len(terms) - 1) for position, term in enumerate(terms))


def _substring(queryset: QuerySet, units: list[SearchUnit]) -> QuerySet:
    for unit in units:
        in_text = reduce(
            operator.and_,
            (Q(name__icontains=term) | Q(city__icontains=term) | Q(description__icontains=term) for term in unit.terms),
        )
        queryset = queryset.filter(_found(unit, in_text))
    return queryset.annotate(search_rank=Value(0))


def procedures_matching(procedures: Iterable[Procedure], query: str) -> list[Procedure]:
    """The procedures whose names (in any language), summary (in the page's language) or category
    name hold every word of ``query``, the last one as a prefix: the procedure list's search.

    Done in Python on the published procedures (a short list, read for the page anyway), so that
    "fusion lumbar" finds "Fusión lumbar" and "الفقرات" finds "الفِقرات" on every database, with the
    same queries in every language.
    """
    terms = [fold(term) for term in search_terms(query)]
    if not terms:
        return list(procedures)
    found = []
    for procedure in procedures:
        texts = [*procedure_names(procedure), procedure.summary or "", procedure.category.name]
        words = {fold(word) for text in texts for word in _words(text)}
        *whole, last = terms
        if all(term in words for term in whole) and any(word.startswith(last) for word in words):
            found.append(procedure)
    return found
