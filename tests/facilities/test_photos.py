"""Facility photos: validation of uploads and the renditions made from them."""

import io

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from facilities.images import make_renditions
from tests.factories import image_bytes, make_facility, make_photo, make_upload, png_claiming_size

pytestmark = pytest.mark.django_db


def exif_with_orientation(orientation: int) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = orientation  # Orientation
    exif[0x010F] = "CameraMaker"  # Make
    exif[0x0131] = "SecretPhoneSoftware"  # Software
    return exif.tobytes()


def open_file(field) -> Image.Image:
    field.open("rb")
    try:
        image = Image.open(io.BytesIO(field.read()))
        image.load()
        return image
    finally:
        field.close()


def codes(exc: ValidationError) -> list[str]:
    return [error.code for error in exc.error_list]


def test_renditions_are_jpegs_of_fixed_sizes():
    photo = make_photo(upload=make_upload(content=image_bytes(size=(3000, 2000))))
    large, thumb = open_file(photo.large), open_file(photo.thumbnail)
    assert large.format == thumb.format == "JPEG"
    assert large.size == (1600, 1067)
    assert (photo.width, photo.height) == (1600, 1067)
    assert thumb.size == (640, 427)


def test_small_photos_are_not_enlarged():
    photo = make_photo(upload=make_upload(content=image_bytes(size=(400, 300))))
    assert open_file(photo.large).size == (400, 300)


def test_exif_orientation_is_applied_and_metadata_removed():
    # Orientation 6: the camera was turned; the stored pixels are landscape, the photo is portrait.
    content = image_bytes(size=(1200, 800), exif=exif_with_orientation(6))
    assert b"SecretPhoneSoftware" in content
    photo = make_photo(upload=make_upload(content=content))
    large = open_file(photo.large)
    assert large.size == (800, 1200)
    assert not large.getexif()
    for field in (photo.large, photo.thumbnail):
        field.open("rb")
        data = field.read()
        field.close()
        assert b"SecretPhoneSoftware" not in data
        assert b"Exif" not in data


def test_png_with_transparency_becomes_jpeg_on_white():
    buffer = io.BytesIO()
    Image.new("RGBA", (100, 100), (0, 0, 0, 0)).save(buffer, format="PNG")
    photo = make_photo(upload=make_upload("logo.png", buffer.getvalue(), "image/png"))
    assert open_file(photo.large).getpixel((50, 50)) == (255, 255, 255)


def test_renditions_have_unguessable_names_not_the_upload_name():
    photo = make_photo(upload=make_upload(name="patient-john-smith.jpg"))
    assert "john" not in photo.large.name
    assert photo.large.name.startswith("facility-photos/")
    assert photo.large.name != photo.thumbnail.name


def test_not_an_image_is_refused():
    with pytest.raises(ValidationError) as exc:
        make_renditions(make_upload("notes.jpg", b"This is just some text pretending to be a photo."))
    assert codes(exc.value) == ["not_an_image"]


def test_pdf_renamed_to_jpg_is_refused():
    with pytest.raises(ValidationError) as exc:
        make_renditions(make_upload("scan.jpg", b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n"))
    assert codes(exc.value) == ["not_an_image"]


def test_truncated_image_is_refused():
    content = image_bytes(size=(800, 600))
    with pytest.raises(ValidationError) as exc:
        make_renditions(make_upload(content=content[: len(content) // 3]))
    assert codes(exc.value) == ["not_an_image"]


def test_empty_file_is_refused():
    with pytest.raises(ValidationError) as exc:
        make_renditions(make_upload(content=b""))
    assert codes(exc.value) == ["empty"]


def test_oversized_file_is_refused(settings):
    settings.PHOTO_MAX_UPLOAD_BYTES = 10_000
    with pytest.raises(ValidationError) as exc:
        make_renditions(make_upload(content=image_bytes(size=(400, 300)) + b"\x00" * 20_000))
    assert codes(exc.value) == ["file_too_large"]


def test_image_over_the_pixel_limit_is_refused(settings):
    settings.PHOTO_MAX_PIXELS = 1_000_000
    with pytest.raises(ValidationError) as exc:
        make_renditions(make_upload(content=image_bytes(size=(1500, 1000))))
    assert codes(exc.value) == ["too_many_pixels"]


@pytest.mark.parametrize("side", [20_000, 100_000])
def test_decompression_bomb_is_refused_without_decoding(side):
    bomb = png_claiming_size(side, side)
    assert len(bomb) < 100_000
    with pytest.raises(ValidationError) as exc:
        make_renditions(make_upload("bomb.png", bomb, "image/png"))
    assert codes(exc.value) == ["too_many_pixels"]


def test_svg_is_refused():
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    with pytest.raises(ValidationError) as exc:
        make_renditions(make_upload("logo.svg", svg, "image/svg+xml"))
    assert codes(exc.value) == ["not_an_image"]


def test_detail_page_shows_gallery_in_position_order(client):
    facility = make_facility()
    second = make_photo(facility=facility, alt_text="Second photo", position=2)
    first = make_photo(facility=facility, alt_text="First photo", position=1)
    html = client.get(facility.get_absolute_url()).content.decode()
    assert html.index('alt="First photo"') < html.index('alt="Second photo"')
    assert first.large.url in html
    assert second.thumbnail.url in html
