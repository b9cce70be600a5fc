"""Routes (being written)."""

from flask import Blueprint

oai_bp = Blueprint("oai", __name__)
