"""Downloads of what the user may see: CSV, interchange JSON, IATI XML."""

from __future__ import annotations

import json
import re

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.auth.access import is_donor_focal_point
from portal.database import utcnow
from portal.exports import iati, services
from portal.extensions import db

bp = Blueprint("exports", __name__)

#: An IATI organisation identifier: registration agency prefix, a dash, the number.
ORG_REF_RE = re.compile(r"^[A-Za-z]{2}(-[A-Za-z0-9._]+)+$")
MAX_ORG_REF_LENGTH = 100


def _download(body: str | bytes, name: str, extension: str, mimetype: str) -> Response:
    filename = f"{name}-{utcnow():%Y-%m-%d}.{extension}"
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _csv(body: str, name: str) -> Response:
    # The byte order mark makes spreadsheets read UTF-8 (Arabic, Chinese, Russian).
    return _download("\ufeff" + body, name, "csv", "text/csv")  # Flask adds charset=utf-8


def _json(records, name: str) -> Response:
    return _download(json.dumps(records, ensure_ascii=False, indent=2) + "\n", name, "json",
                     "application/json")


@bp.route("/")
@login_required
def index():
    return render_template("exports/index.html", show_iati=is_donor_focal_point(current_user)
                           or current_user.is_coordinator,
                           org_ref_placeholder=iati.placeholder_ref(current_user.organisation))


@bp.route("/needs.csv")
@login_required
def needs_csv():
    return _csv(services.needs_csv(current_user), "needs")


@bp.route("/needs.json")
@login_required
def needs_json():
    return _json(services.needs_json(current_user), "requests")


@bp.route("/offers.csv")
@login_required
def offers_csv():
    return _csv(services.offers_csv(current_user), "offers")


@bp.route("/offers.json")
@login_required
def offers_json():
    return _json(services.offers_json(current_user), "offers")


@bp.route("/matches.csv")
@login_required
def matches_csv():
    return _csv(services.matches_csv(current_user), "matches")


@bp.route("/matches.json")
@login_required
def matches_json():
    return _json(services.matches_json(current_user), "matches")


@bp.route("/offers.iati.xml")
@login_required
def offers_iati():
    """The user's offers as IATI activities; a donor may give its IATI organisation identifier."""
    org_ref = (request.args.get("org_ref") or "").strip()
    refs = {}
    if org_ref:
        if len(org_ref) > MAX_ORG_REF_LENGTH or not ORG_REF_RE.match(org_ref):
            flash(_("The IATI organisation identifier must look like XM-DAC-7 or GB-COH-123456: "
                    "letters, digits, dots and underscores, separated by dashes."), "error")
            return redirect(url_for("exports.index"))
        refs[current_user.organisation_id] = org_ref
    offers = db.session.scalars(services.offers_for(current_user))
    return _download(iati.activities_xml(offers, refs), "offers-iati", "xml", "application/xml")
