"""Database helpers that work the same on SQLite and PostgreSQL."""

from django.db.models import Aggregate, CharField


class GroupConcat(Aggregate):
    """Joins the values of a group into one string, separated by ``GroupConcat.SEPARATOR``.

    Used in subquery annotations so a list page can show a small per-row list (such as the
    languages a facility speaks) without a query per row or an extra prefetch query.
    The order of the parts is not guaranteed; sort them where they are shown.
    """

    SEPARATOR = "|"
    function = "GROUP_CONCAT"
    template = "%(function)s(%(expressions)s, '|')"
    output_field = CharField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            function="STRING_AGG",
            template="%(function)s((%(expressions)s)::text, '|')",
            **extra_context,
        )
