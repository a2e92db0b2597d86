"""Fixtures for every test: an empty cache, so no page or count cached by one test shows in another;
and a check that only tests marked ``subprocess`` (or ``e2e``) start other processes, so that
``make pytest-fast``, which leaves those out, never runs a slow one by mistake."""

import subprocess

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _processes_only_where_marked(request, monkeypatch):
    if request.node.get_closest_marker("subprocess") or request.node.get_closest_marker("e2e"):
        return

    def refuse(*args, **kwargs):
        raise AssertionError(
            f"{request.node.nodeid} starts a process: mark it @pytest.mark.subprocess "
            "(make pytest-fast leaves those out)"
        )

    # Inside Popen's own clean-up, so a refused start leaves no half-made process object behind.
    monkeypatch.setattr(subprocess.Popen, "_execute_child", refuse)
