"""A paginator for long staff lists whose count and last page stay as cheap as the first page.

Django's admin counts every matching row (twice, with ``show_full_result_count``) and reaches page
N with ``OFFSET``: at 200,000 quote requests the count alone read the whole table and the last
page skipped 199,950 rows. ``CappedPaginator`` counts no further than ``cap`` rows and offers only
the pages within them; when there are more, the list says "more than <cap>" and the filters and
search narrow it. (Keyset pages would suit a feed better, but the admin's numbered pages and
sortable columns need an offset: the cap keeps it bounded.)
"""

from django.core.paginator import Paginator
from django.utils.functional import cached_property

DEFAULT_CAP = 2_000


class CappedPaginator(Paginator):
    cap = DEFAULT_CAP

    @cached_property
    def _counted(self) -> int:
        # At most cap + 1 rows, unsorted and by primary key only: one bounded index read.
        return self.object_list.order_by().values("pk")[: self.cap + 1].count()

    @cached_property
    def count(self) -> int:
        return min(self._counted, self.cap)

    @property
    def more(self) -> bool:
        """Whether rows beyond the cap match too (the count says "more than")."""
        return self._counted > self.cap
