"""Who is calling: the request context built from keystone or noauth2.

``pipeline_factory_v1`` picks the v1 pipeline named by ``[DEFAULT]
auth_strategy`` from api-paste.ini. Both middlewares leave the context in
``environ['masakari.context']``.
"""

import json
import logging

import webob.dec
import webob.exc

from masakari.api import faults
from masakari.api import middleware
from masakari.conf import CONF
from masakari import context as masakari_context
from masakari import policy

LOG = logging.getLogger(__name__)

CONTEXT_KEY = 'masakari.context'


def pipeline_factory_v1(loader, global_conf, **local_conf):
    """A paste pipeline chosen by ``auth_strategy`` (keystone, noauth2)."""
    names = local_conf[CONF.auth_strategy].split()
    app = loader.get_app(names[-1])
    for name in reversed(names[:-1]):
        app = loader.get_filter(name)(app)
    return app


def _remote_address(req):
    address = req.remote_addr
    if CONF.use_forwarded_for:
        address = req.headers.get('X-Forwarded-For', address)
    return address


class MasakariKeystoneContext(middleware.Middleware):
    """The context of a request that keystonemiddleware authenticated."""

    @webob.dec.wsgify
    def __call__(self, req):
        catalog = None
        catalog_header = req.headers.get('X-Service-Catalog')
        if catalog_header is not None:
            try:
                catalog = json.loads(catalog_header)
            except ValueError:
                return faults.fault_response(
                    500, 'Invalid service catalog json.')
        ctx = masakari_context.RequestContext.from_environ(
            req.environ, service_catalog=catalog)
        ctx.remote_address = _remote_address(req)
        if ctx.user_id is None:
            LOG.debug('Neither X_USER_ID nor X_USER found in request')
            return webob.exc.HTTPUnauthorized()
        ctx.is_admin = policy.check_is_admin(ctx)
        req.environ[CONTEXT_KEY] = ctx
        return req.get_response(self.application)


class NoAuthMiddleware(middleware.Middleware):
    """auth_strategy = noauth2: every caller is an administrator."""

    @webob.dec.wsgify
    def __call__(self, req):
        ctx = masakari_context.RequestContext.from_environ(
            req.environ, is_admin=True)
        ctx.remote_address = _remote_address(req)
        req.environ[CONTEXT_KEY] = ctx
        return req.get_response(self.application)
