"""Routes (being written)."""

from flask import Blueprint

presentation_bp = Blueprint("presentation", __name__)
