"""Routes (being written)."""

from flask import Blueprint

portal_bp = Blueprint("portal", __name__)
