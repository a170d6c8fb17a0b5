"""The ``openstack`` client plugin for this project's own API additions.

Entry point group ``openstack.cli.extension``: ``instance_ha_ops =
masakari.cli.plugin``; its commands are in ``openstack.instance_ha_ops.v1``.
python-masakariclient keeps ``openstack segment|notification ...``; these
commands use other names so that both plugins load together.
"""

from keystoneauth1 import session as ks_session

API_NAME = 'instance_ha_ops'
API_VERSION_OPTION = 'os_instance_ha_ops_api_version'
API_VERSIONS = {'1': 'masakari.cli.plugin.Client'}
DEFAULT_API_VERSION = '1'
SERVICE_TYPE = 'instance-ha'
MICROVERSION = '1.6'


class Client:
    """JSON over a keystoneauth session to ``/v1`` of masakari-api, at
    microversion 1.6."""

    def __init__(self, session, endpoint_override=None, interface=None,
                 region_name=None):
        self.session = session
        self.endpoint_override = endpoint_override
        self.filter = {'service_type': SERVICE_TYPE, 'interface': interface,
                       'region_name': region_name}

    def request(self, method, path, body=None):
        kwargs = {'headers': {'OpenStack-API-Version': 'instance-ha %s'
                              % MICROVERSION}}
        if body is not None:
            kwargs['json'] = body
        if self.endpoint_override:
            kwargs['endpoint_override'] = self.endpoint_override
        else:
            kwargs['endpoint_filter'] = self.filter
        answer = self.session.request(path, method, **kwargs)
        return answer.json() if answer.content else {}


def make_client(instance):
    """The client of the ``openstack`` command's ``instance``."""
    endpoint = instance.get_endpoint_for_service_type(
        SERVICE_TYPE, region_name=instance.region_name,
        interface=instance.interface)
    return Client(instance.session, endpoint_override=endpoint.rstrip('/')
                  + ('' if endpoint.rstrip('/').endswith('/v1') else '/v1'))


def unauthenticated_client(url):
    """A client of the API at ``url`` (its root) without Keystone, as
    behind ``noauth2``; for tests and the all-in-one stack."""
    return Client(ks_session.Session(auth=None),
                  endpoint_override=url.rstrip('/') + '/v1')


def build_option_parser(parser):
    parser.add_argument('--os-instance-ha-ops-api-version',
                        metavar='<version>', default=DEFAULT_API_VERSION,
                        help='Version of the instance_ha_ops API (1).')
    return parser
