"""Fault bodies: ``{"<faultName>": {"code": <int>, "message": "<text>"}}``.

Every error the API answers with goes through ``fault_response``; the
exception-to-status mapping lives in ``from_exception``, in one place.
"""

import json
import logging

import webob
import webob.exc

from masakari import exception
from masakari.common.fault_names import FAULT_NAMES
from masakari.db import api as db_api

LOG = logging.getLogger(__name__)

DEFAULT_FAULT_NAME = 'masakariFault'

UNEXPECTED_MESSAGE = (
    'Unexpected API Error. Please report this at '
    'https://bugs.launchpad.net/masakari/ and attach the Masakari API log '
    'if possible.\n%s')

JSON_CONTENT_TYPE = 'application/json'



def fault_response(code, message, headers=None,
                   content_type=JSON_CONTENT_TYPE):
    """A webob response carrying the fault body for ``code``."""
    name = FAULT_NAMES.get(code, DEFAULT_FAULT_NAME)
    fault = {'code': code, 'message': message}
    headers = dict(headers or {})
    retry_after = headers.get('Retry-After')
    if code in (413, 429) and retry_after is not None:
        fault['retryAfter'] = str(retry_after)
    response = webob.Response(status=code, charset=None)
    response.content_type = content_type
    for key, value in headers.items():
        response.headers[key] = str(value)
    response.body = json.dumps({name: fault}).encode('utf-8')
    return response


def from_exception(exc, content_type=JSON_CONTENT_TYPE):
    """The fault response for any exception raised while handling a request.

    * masakari exceptions carry their status and message;
    * webob HTTP errors (e.g. a body over the size limit) keep theirs;
    * a database that cannot be reached is a 503, never a traceback;
    * anything else is a 500 with upstream's "Unexpected API Error" text.
    """
    if isinstance(exc, exception.MasakariException):
        code = exc.code or 500
        if code >= 500:
            LOG.error('API request failed: %s', exc.format_message())
        else:
            LOG.info('API request failed with HTTP %d: %s', code,
                     exc.format_message())
        return fault_response(code, exc.format_message(),
                              headers=getattr(exc, 'headers', None),
                              content_type=content_type)
    if isinstance(exc, webob.exc.HTTPException) and exc.code >= 400:
        message = exc.explanation or exc.title
        return fault_response(exc.code, message,
                              headers=_retry_after(exc),
                              content_type=content_type)
    if isinstance(exc, db_api.UNAVAILABLE_ERRORS):
        LOG.error('The database could not be reached: %s', exc)
        unavailable = exception.ServiceUnavailable(
            reason='the database could not be reached.')
        return fault_response(503, unavailable.format_message(),
                              content_type=content_type)
    LOG.exception('Unexpected exception in API method')
    return fault_response(500, UNEXPECTED_MESSAGE % type(exc),
                          content_type=content_type)


def _retry_after(exc):
    value = exc.headers.get('Retry-After') if exc.headers else None
    return {'Retry-After': value} if value is not None else None


def bare_not_found():
    """The plain webob 404 of a path that matches no route."""
    return webob.exc.HTTPNotFound()
