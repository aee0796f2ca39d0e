"""WSGI entry point: `gunicorn wsgi:app`, and FLASK_APP for the flask command."""
import logging

from app import create_app

logging.basicConfig(level=logging.INFO)  # the process's logging, set by the process, not the factory
app = create_app()
