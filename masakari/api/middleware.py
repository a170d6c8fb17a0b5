"""masakari's own WSGI filters of the API pipeline (api-paste.ini).

* ``FaultWrapper`` turns any exception escaping the inner pipeline into a
  fault body, so no traceback ever reaches a client.
* ``RequestBodySizeLimiter`` is oslo.middleware's limiter, answering 413
  with a fault body (``overLimit``) instead of webob's error page.
* ``CORS`` is oslo.middleware's CORS filter reading ``[cors]`` from the
  service's own configuration (the files given with --config-file or the
  WSGI config directory).
"""

import logging

from oslo_middleware import cors
from oslo_middleware import sizelimit
import webob.dec

from masakari.api import faults
from masakari.conf import CONF

LOG = logging.getLogger(__name__)

TOO_LARGE = 'Request is too large. Larger than max_request_body_size (%s).'


class Middleware:
    """A paste filter: ``factory`` gives the callable that wraps an app."""

    def __init__(self, application, **local_conf):
        self.application = application
        self.local_conf = local_conf

    @classmethod
    def factory(cls, global_config, **local_conf):
        def _filter(app):
            return cls(app, **local_conf)
        return _filter


class FaultWrapper(Middleware):
    """Any exception below becomes a fault response."""

    def __call__(self, environ, start_response):
        try:
            return self.application(environ, start_response)
        except Exception as exc:  # every error must become a fault body
            return faults.from_exception(exc)(environ, start_response)


class RequestBodySizeLimiter(sizelimit.RequestBodySizeLimiter):
    """Bodies over ``[oslo_middleware] max_request_body_size`` get 413."""

    @webob.dec.wsgify
    def __call__(self, req):
        max_size = self._conf_get('max_request_body_size')
        if req.content_length is not None and req.content_length > max_size:
            LOG.info('Request body of %d bytes refused: limit is %d',
                     req.content_length, max_size)
            return faults.fault_response(413, TOO_LARGE % max_size)
        if req.content_length is None:
            # A body without a length is cut while it is read; the reader
            # raises HTTPRequestEntityTooLarge, which the API turns into
            # the same fault.
            req.body_file = sizelimit.LimitingReader(req.body_file,
                                                     max_size)
        return req.get_response(self.application)


class CORS(cors.CORS):
    """oslo.middleware CORS configured from the global CONF ``[cors]``."""

    @classmethod
    def factory(cls, global_conf, **local_conf):
        def _filter(app):
            return cls(app, CONF)
        return _filter
