"""The upload spool: big uploads arrive in a private folder under MEDTOUR_DATA_DIR, never in /tmp,
and ``purge_upload_spool`` deletes what a killed worker left there."""

import io
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.files import uploadedfile
from django.core.management import CommandError, call_command
from django.urls import reverse

from tests.factories import PDF, form_data

ROOT = Path(__file__).resolve().parent.parent


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_spool_is_a_private_folder_under_the_data_folder(settings):
    spool = Path(settings.FILE_UPLOAD_TEMP_DIR)
    assert spool == Path(settings.DATA_DIR) / "upload-spool"
    assert spool.is_dir()
    assert mode(spool) == 0o700
    assert settings.UPLOAD_SPOOL_MAX_AGE_MINUTES == 60


@pytest.mark.subprocess
def test_settings_make_the_spool_private_also_when_it_exists_already(tmp_path):
    (tmp_path / "upload-spool").mkdir()
    os.chmod(tmp_path / "upload-spool", 0o755)  # noqa: S103 (the mode the settings must correct)
    fresh = tmp_path / "fresh"
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "MEDTOUR_"))}
    for data_dir in (tmp_path, fresh):
        result = subprocess.run(
            [sys.executable, "-c", "import django; django.setup(); from django.conf import settings; "
             "print(settings.FILE_UPLOAD_TEMP_DIR)"],
            env={**base, "DJANGO_SETTINGS_MODULE": "tourism.settings", "MEDTOUR_DATA_DIR": str(data_dir)},
            cwd=ROOT, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == str(data_dir / "upload-spool")
        assert mode(data_dir / "upload-spool") == 0o700


@pytest.mark.django_db
def test_a_big_upload_arrives_in_the_spool_and_does_not_stay_there(client, settings, monkeypatch):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024
    spooled = []
    make_temporary = uploadedfile.TemporaryUploadedFile.__init__

    def recording(self, *args, **kwargs):
        make_temporary(self, *args, **kwargs)
        path = Path(self.temporary_file_path())
        spooled.append((path, mode(path)))

    monkeypatch.setattr(uploadedfile.TemporaryUploadedFile, "__init__", recording)
    scan = PDF + b"%" + b"x" * 20_000 + b"\n"  # Well over the memory limit.
    # A form with a mistake: it comes back, keeping the file that passed its checks.
    data = form_data(email="not an address", files=[io.BytesIO(scan)])
    data["files"][0].name = "scan.pdf"
    response = client.post(reverse("quotes:request"), data)
    assert response.status_code == 200
    assert "scan.pdf" in response.content.decode()

    [(path, file_mode)] = spooled
    assert path.parent == Path(settings.DATA_DIR) / "upload-spool"
    assert file_mode == 0o600
    assert not path.exists()  # Moved into private storage, not left behind.
    kept = [p for p in Path(settings.PRIVATE_MEDIA_ROOT).rglob("*") if p.is_file()]
    assert [p.read_bytes() for p in kept] == [scan]


# Purging what killed workers left --------------------------------------------------------------


@pytest.fixture
def spool(settings, tmp_path) -> Path:
    folder = tmp_path / "upload-spool"
    folder.mkdir(mode=0o700)
    settings.FILE_UPLOAD_TEMP_DIR = str(folder)
    return folder


def spool_file(folder: Path, name: str, *, minutes_old: float) -> Path:
    path = folder / name
    path.write_bytes(b"%PDF- part of a patient's scan")
    then = time.time() - minutes_old * 60
    os.utime(path, (then, then))
    return path


def test_purge_deletes_spool_files_older_than_the_setting_and_keeps_fresh_ones(spool, settings):
    settings.UPLOAD_SPOOL_MAX_AGE_MINUTES = 60
    old = spool_file(spool, "tmpa1b2.upload.pdf", minutes_old=61)
    older = spool_file(spool, "tmpc3d4.upload", minutes_old=60 * 24 * 7)
    fresh = spool_file(spool, "tmpe5f6.upload.pdf", minutes_old=59)
    arriving = spool_file(spool, "tmpg7h8.upload.dcm", minutes_old=0)
    out = io.StringIO()
    call_command("purge_upload_spool", stdout=out)
    assert not old.exists() and not older.exists()
    assert fresh.exists() and arriving.exists()
    assert "Deleted 2 unfinished uploads older than 60 minutes" in out.getvalue()


def test_purge_follows_no_link_and_enters_no_folder(spool, tmp_path):
    elsewhere = spool_file(tmp_path, "precious.pdf", minutes_old=600)
    link = spool / "link.upload"
    link.symlink_to(elsewhere)
    then = time.time() - 600 * 60
    os.utime(link, (then, then), follow_symlinks=False)
    (spool / "folder").mkdir()
    inside = spool_file(spool / "folder", "inside.upload", minutes_old=600)
    call_command("purge_upload_spool", stdout=io.StringIO())
    assert elsewhere.exists() and link.is_symlink() and inside.exists()


def test_purge_takes_another_age_but_not_one_that_could_cut_a_slow_upload(spool):
    old = spool_file(spool, "tmpa1b2.upload", minutes_old=20)
    call_command("purge_upload_spool", "--minutes", "15", stdout=io.StringIO())
    assert not old.exists()
    with pytest.raises(CommandError, match="at least 10"):
        call_command("purge_upload_spool", "--minutes", "1", stdout=io.StringIO())


def test_purge_of_a_missing_spool_deletes_nothing(settings, tmp_path):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "never-made")
    out = io.StringIO()
    call_command("purge_upload_spool", stdout=out)
    assert "Deleted 0 unfinished uploads" in out.getvalue()
