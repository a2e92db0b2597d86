"""A Host header not in DJANGO_ALLOWED_HOSTS is a 400 on every path, never a 500 (issue 13, point 3):
scanners send them constantly, and without MEDTOUR_SITE_URL the pages used to ask for the host
while rendering the 400 page itself."""

import pytest

PATHS = ["/", "/healthz", "/facilities/", "/privacy/", "/contact/", "/quote/", "/partners/", "/account/sign-in/",
         "/no-such-page/", "/quote/status/" + "A" * 43 + "/"]  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("host", ["evil.example", "127.0.0.1:8000@evil.example", "a" * 300, "[::1"])
def test_an_unknown_host_gets_a_400_everywhere(client, settings, path, host):
    settings.SITE_URL = ""
    settings.DEBUG = False
    response = client.get(path, HTTP_HOST=host)
    assert response.status_code == 400, (path, host, response.status_code)
    assert host not in response.content.decode()  # Never echoed into links.


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["a" * 300 + ".jpg", "photos/" + "%E2%91%A0" * 120 + ".png", "x%00.jpg"])
def test_a_media_name_the_file_system_cannot_look_up_is_a_4xx(client, settings, tmp_path, name):
    """Issue 13, point 4: names over the file system's limits used to raise OSError (a 500)."""
    settings.SERVE_MEDIA = True
    settings.MEDIA_ROOT = tmp_path
    response = client.get("/media/" + name)
    assert 400 <= response.status_code < 500, (name, response.status_code)
