"""The directory's text search: one function over PostgreSQL full-text search and SQLite FTS5.

``facility_search(queryset, query)`` keeps the facilities that match every word of what a patient
typed, in the name, city or description, and annotates ``search_rank`` (higher is better; a match
in the name counts most, then the city, then the description). The last word matches as a prefix,
so results appear while people are still typing.

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
"""

import operator
import unicodedata
from functools import reduce

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField
from django.db import connections
from django.db.models import Case, Expression, IntegerField, Q, QuerySet, Value, When

# Migration 0003 builds the vector column and the FTS table for exactly these; change both together.
SEARCH_CONFIG = "simple"
VECTOR_COLUMN = "search_vector"

MAX_QUERY_LENGTH = 1_000
MAX_TERMS = 8
# PostgreSQL skips words over 2,047 bytes, which would make it find more than SQLite does.
MAX_TERM_LENGTH = 100
# The SQLite rank: each word found in the name adds NAME_WEIGHT, in the city CITY_WEIGHT.
NAME_WEIGHT = 4
CITY_WEIGHT = 2


def search_terms(query: str) -> list[str]:
    """The words of a query: runs of letters, marks and digits in its first ``MAX_QUERY_LENGTH``
    characters; ``MAX_TERMS`` words at most, each cut to ``MAX_TERM_LENGTH``.

    Marks are kept inside words because many scripts (Devanagari, Thai, …) write vowels with them.
    Everything else separates words and is dropped.
    """
    terms: list[str] = []
    word: list[str] = []
    for char in unicodedata.normalize("NFC", query[:MAX_QUERY_LENGTH]) + " ":
        if unicodedata.category(char)[0] in "LMN":
            word.append(char)
        elif word:
            terms.append("".join(word)[:MAX_TERM_LENGTH])
            word = []
            if len(terms) == MAX_TERMS:
                break
    return terms


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


def facility_search(queryset: QuerySet, query: str) -> QuerySet:
    """Facilities in ``queryset`` matching every word of ``query``, annotated with ``search_rank``.

    The rank is a number to sort on, higher first; it is not comparable between databases. A query
    without any word (empty, or only punctuation) leaves the queryset as it is, every rank 0.
    """
    terms = search_terms(query)
    if not terms:
        return queryset.annotate(search_rank=Value(0))
    vendor = connections[queryset.db].vendor
    if vendor == "postgresql":
        return _postgresql(queryset, terms)
    if vendor == "sqlite":
        return _sqlite(queryset, terms)
    return _substring(queryset, terms)


def _postgresql(queryset: QuerySet, terms: list[str]) -> QuerySet:
    search_query = SearchQuery(tsquery(terms), config=SEARCH_CONFIG, search_type="raw")
    return (
        queryset.alias(search_vector=StoredSearchVector())
        .filter(search_vector=search_query)
        .annotate(search_rank=SearchRank(StoredSearchVector(), search_query))
    )


def _sqlite(queryset: QuerySet, terms: list[str]) -> QuerySet:
    every_word = fts5_match(terms)
    # Each test repeats the whole query, so FTS5 reads only the matching rows, not every row that
    # has a common word such as "hospital" in its name.
    found_in = [
        Case(
            When(pk__in=FtsMatches(f"({every_word}) AND {column} : {fts5_phrase(term, prefix=last)}"), then=weight),
            default=0,
        )
        for term, last in _with_last(terms)
        for column, weight in (("name", NAME_WEIGHT), ("city", CITY_WEIGHT))
    ]
    return queryset.filter(pk__in=FtsMatches(every_word)).annotate(search_rank=reduce(operator.add, found_in))


def _with_last(terms: list[str]):
    return ((term, position == len(terms) - 1) for position, term in enumerate(terms))


def _substring(queryset: QuerySet, terms: list[str]) -> QuerySet:
    for term in terms:
        queryset = queryset.filter(Q(name__icontains=term) | Q(city__icontains=term) | Q(description__icontains=term))
    return queryset.annotate(search_rank=Value(0))
