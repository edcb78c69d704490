from flask import Blueprint

bp = Blueprint("offers", __name__)

from portal.offers import views  # noqa: E402,F401
