"""WSGI entry point: `gunicorn wsgi:app`, and FLASK_APP for the flask command."""
from marketplace import create_app

app = create_app()
