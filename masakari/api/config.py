"""Library defaults masakari changes (``oslo.config.opts.defaults`` entry
point, so the sample config shows them too)."""

from oslo_middleware import cors


def set_lib_defaults():
    """CORS headers the API and its clients use."""
    cors.set_defaults(
        allow_headers=['X-Auth-Token', 'X-Openstack-Request-Id',
                       'X-Identity-Status', 'X-Roles', 'X-Service-Catalog',
                       'X-User-Id', 'X-Tenant-Id'],
        expose_headers=['X-Auth-Token', 'X-Openstack-Request-Id',
                        'X-Subject-Token', 'X-Service-Token'],
        allow_methods=['GET', 'PUT', 'POST', 'DELETE', 'PATCH'])
