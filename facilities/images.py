"""Facility photo renditions, made once at upload with Pillow.

An uploaded photo is checked (size in bytes, that it is an image at all, the pixel count before
decoding so a decompression bomb is refused cheaply), turned upright from its EXIF orientation,
and saved as two JPEG renditions with no metadata: the camera's EXIF (GPS position, serial
numbers) never reaches the public site. The original is not kept.
"""

import io
import uuid
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

LARGE_MAX_SIZE = (1600, 1200)
THUMBNAIL_SIZE = (640, 427)
JPEG_QUALITY = 82
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF", "TIFF", "BMP", "MPO"}


@dataclass(frozen=True)
class Renditions:
    large: ContentFile
    thumbnail: ContentFile
    width: int
    height: int


def _jpeg(image: Image.Image, name: str) -> ContentFile:
    buffer = io.BytesIO()
    # Saving without the exif= argument writes no EXIF, ICC or comment blocks.
    image.save(buffer, format="JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return ContentFile(buffer.getvalue(), name=name)


def _flatten(image: Image.Image) -> Image.Image:
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        image = image.convert("RGBA")
        background = Image.new("RGB", image.size, (255, 255, 255))
        background.paste(image, mask=image.getchannel("A"))
        return background
    return image.convert("RGB")


def make_renditions(upload) -> Renditions:
    """Check an uploaded file and return its renditions, or raise ValidationError."""
    max_bytes = settings.PHOTO_MAX_UPLOAD_BYTES
    max_pixels = settings.PHOTO_MAX_PIXELS
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        raise ValidationError(
            _("This file is %(size)s MB; photos can be at most %(limit)s MB."),
            code="file_too_large",
            params={"size": round(size / 1_048_576, 1), "limit": round(max_bytes / 1_048_576, 1)},
        )
    if size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                width, height = image.size
                if width * height > max_pixels:
                    raise ValidationError(
                        _("This image is %(width)s × %(height)s pixels; the limit is %(limit)s million pixels."),
                        code="too_many_pixels",
                        params={"width": width, "height": height, "limit": max_pixels // 1_000_000},
                    )
                if image.format not in ACCEPTED_FORMATS:
                    raise ValidationError(_("Upload a JPEG, PNG or WebP photo."), code="unsupported_format")
                image.load()
                upright = ImageOps.exif_transpose(image)
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ValidationError(
            _("This image has too many pixels to be processed safely."), code="too_many_pixels"
        ) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ValidationError(
            _("This file is not an image we can read. Upload a JPEG, PNG or WebP photo."), code="not_an_image"
        ) from exc
    finally:
        upload.seek(0)

    upright = _flatten(upright)
    stem = uuid.uuid4().hex
    large = upright.copy()
    large.thumbnail(LARGE_MAX_SIZE, Image.Resampling.LANCZOS)
    thumbnail = ImageOps.fit(upright, THUMBNAIL_SIZE, Image.Resampling.LANCZOS)
    return Renditions(
        large=_jpeg(large, f"{stem}-large.jpg"),
        thumbnail=_jpeg(thumbnail, f"{stem}-thumb.jpg"),
        width=large.width,
        height=large.height,
    )
