"""The REST API (v1) of masakari.

``app.build_app()`` loads the paste pipeline of api-paste.ini: ``urlmap``
maps ``/`` to the version document, ``/v1`` to the pipeline of
``[DEFAULT] auth_strategy`` (``auth``) ending in ``router.APIRouter``, and
``/healthcheck`` to oslo.middleware's health check. ``router.ROUTES`` is the
whole API surface; ``handlers/`` serve it, ``schemas/`` validate bodies.
"""
