"""OpenStackClient plugin ``instance_ha_ops``: this project's own
commands, next to python-masakariclient's ``openstack segment ...``.

Registered in setup.cfg (``openstack.cli.extension``); its commands are
the group ``openstack.instance_ha_ops.v1``. The client is openstacksdk's
``instance_ha`` proxy on the CLI's session: each command names the API
microversion it needs on the request itself, so the plugin adds no global
option (and cannot clash with ``--os-ha-api-version``).
"""

import logging

from keystoneauth1 import adapter
from keystoneauth1 import session as ks_session
from openstack import connection

LOG = logging.getLogger(__name__)

API_NAME = 'instance_ha_ops'
API_VERSION_OPTION = 'os_instance_ha_ops_api_version'
DEFAULT_API_VERSION = '1'
API_VERSIONS = ('1',)


def make_client(instance):
    """The ``instance_ha`` proxy (a keystoneauth adapter) of the CLI's
    session, region and interface."""
    LOG.debug('Instantiating the instance-ha client of %s', API_NAME)
    conn = connection.Connection(session=instance.session,
                                 interface=instance.interface,
                                 region_name=instance.region_name)
    return conn.instance_ha


def unauthenticated_client(url):
    """A client of the API at ``url`` (its root) without Keystone, as
    behind ``noauth2``: for tests and the all-in-one stack."""
    return adapter.Adapter(ks_session.Session(auth=None),
                           service_type='instance-ha',
                           endpoint_override=url.rstrip('/') + '/v1')


def build_option_parser(parser):
    """No global option: commands pick their microversion."""
    return parser
