"""Fixtures for every test: an empty cache, so no page or count cached by one test shows in another."""

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()
