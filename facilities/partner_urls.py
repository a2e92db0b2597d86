"""The facility's own pages in the partner portal (its profile, its colleagues); included in the
``partners`` namespace by ``quotes.partner_urls``."""

urlpatterns = []
