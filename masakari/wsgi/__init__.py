"""WSGI entry points for uWSGI, mod_wsgi and gunicorn."""
