"""Routes (being written)."""

from flask import Blueprint

image_bp = Blueprint("image", __name__)
