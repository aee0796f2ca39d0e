"""WSGI entry point: `gunicorn wsgi:app`, and FLASK_APP for the flask command."""
from app import create_app
from marketplace.logs import configure_logging

app = create_app()
configure_logging(app)  # the process's logging, set by the process, not the factory
