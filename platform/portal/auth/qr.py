"""QR codes drawn on the server as inline SVG: no JavaScript, no third party."""

from __future__ import annotations

import qrcode
import qrcode.image.svg
from flask_babel import gettext as _
from markupsafe import Markup


def svg(data: str) -> Markup:
    """An ``<svg>`` element for ``data`` (our own markup: safe to embed)."""
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=4)
    markup = image.to_string(encoding="unicode")
    label = Markup('<svg role="img" aria-label="{}" ').format(_("QR code"))
    return Markup(markup.replace("<svg ", label, 1))
