"""The process-wide novaclient, built from the ``[nova]`` options.

One novaclient per process (per configuration) talks to Nova through a
keystoneauth1 session built from the ``[nova]`` group: standard auth,
session and adapter options, so ``auth_type = none`` plus
``endpoint_override`` reaches a Nova (or the simulator) without Keystone.
When ``[nova] auth_type`` is unset the legacy ``[DEFAULT]
os_privileged_user_*`` password options of upstream are used; when those
are unset too, the caller's token and service catalog are.
"""

import threading
import weakref

from keystoneauth1.identity import generic
from keystoneauth1 import loading as ks_loading
from keystoneauth1 import session as ks_session
from keystoneauth1 import token_endpoint
from novaclient import api_versions
from novaclient import client as nova_client
from oslo_log import log as logging

from masakari.compute import http_session
from masakari.compute import http_transport
from masakari.conf import CONF
from masakari import exception

LOG = logging.getLogger(__name__)

NOVA_GROUP = 'nova'
# The newest compute API version whose answers the engine reads right.
# From 2.95 an evacuated server that was active lands stopped: the engine
# would record it recovered while it is off.
MAX_MICROVERSION = api_versions.APIVersion('2.94')


_CLIENTS = {}
_CLIENTS_LOCK = threading.Lock()


def reset_clients():
    """Forget cached clients (after the ``[nova]`` options changed)."""
    with _CLIENTS_LOCK:
        _CLIENTS.clear()


def _static_key():
    """What a cached client depends on; a change builds a new client."""
    nova = CONF[NOVA_GROUP]
    names = ('auth_type', 'auth_section', 'endpoint_override', 'region_name',
             'valid_interfaces', 'interface', 'service_type', 'service_name',
             'api_microversion', 'call_timeout', 'insecure', 'cafile')
    key = [repr(nova.get(name)) for name in names]
    key += [repr(CONF.get(name)) for name in (
        'os_privileged_user_name', 'os_privileged_user_tenant',
        'os_privileged_user_auth_url', 'os_user_domain_name',
        'os_project_domain_name', 'os_system_scope', 'os_region_name',
        'nova_catalog_admin_info', 'nova_ca_certificates_file',
        'nova_api_insecure')]
    return tuple(key)


def _interface():
    nova = CONF[NOVA_GROUP]
    interfaces = nova.valid_interfaces or []
    if interfaces:
        return interfaces[0]
    return nova.get('interface') or 'public'


def microversion():
    """The compute API version every call asks for: ``[nova]
    api_microversion``, capped at ``MAX_MICROVERSION``."""
    version = api_versions.APIVersion(CONF[NOVA_GROUP].api_microversion)
    if version > MAX_MICROVERSION:
        LOG.warning('[nova] api_microversion %s is newer than the %s whose '
                    'evacuation semantics masakari handles; asking for %s',
                    version.get_string(), MAX_MICROVERSION.get_string(),
                    MAX_MICROVERSION.get_string())
        return MAX_MICROVERSION
    return version


def _configured_client():
    """A client from ``[nova]`` options, or from the legacy ones."""
    nova = CONF[NOVA_GROUP]
    version = microversion()
    if nova.auth_type:
        auth = ks_loading.load_auth_from_conf_options(CONF, NOVA_GROUP)
        session = ks_loading.load_session_from_conf_options(
            CONF, NOVA_GROUP, auth=auth, timeout=nova.call_timeout,
            session=_http_session())
        return nova_client.Client(
            version, session=session,
            endpoint_override=nova.endpoint_override,
            region_name=nova.region_name, endpoint_type=_interface(),
            service_type=nova.service_type or 'compute',
            service_name=nova.service_name)
    if not CONF.os_privileged_user_name:
        return None
    # Legacy upstream options: a password user and a catalog lookup.
    auth = generic.Password(
        auth_url=CONF.os_privileged_user_auth_url,
        username=CONF.os_privileged_user_name,
        password=CONF.os_privileged_user_password,
        project_name=(None if CONF.os_system_scope
                      else CONF.os_privileged_user_tenant),
        user_domain_name=CONF.os_user_domain_name,
        project_domain_name=CONF.os_project_domain_name,
        system_scope=CONF.os_system_scope)
    session = _legacy_session(auth)
    service_type, service_name, interface = _legacy_catalog_info()
    return nova_client.Client(
        version, session=session,
        endpoint_override=nova.endpoint_override,
        region_name=CONF.os_region_name, endpoint_type=interface,
        service_type=service_type, service_name=service_name or None)


def _legacy_session(auth):
    verify = CONF.nova_ca_certificates_file or not CONF.nova_api_insecure
    return ks_session.Session(auth=auth, verify=verify,
                              timeout=CONF[NOVA_GROUP].call_timeout,
                              session=_http_session())


def _http_session():
    """The HTTP session under keystoneauth, keeping enough idle
    connections for the engine's evacuation threads (two per evacuation
    in Nova): each one beyond the pool would be a new TCP (and TLS)
    connection per call."""
    return http_session.EnvironmentOnceSession(
        pool_maxsize=max(http_transport.DEFAULT_POOLSIZE,
                         2 * CONF.host_failure_recovery_threads))


def _legacy_catalog_info():
    """``compute:nova:publicURL`` → ('compute', 'nova', 'public')."""
    parts = (CONF.nova_catalog_admin_info or 'compute:nova:publicURL').split(
        ':')
    parts += [''] * (3 - len(parts))
    service_type, service_name, endpoint_type = parts[:3]
    interface = endpoint_type[:-3] if endpoint_type.endswith(
        'URL') else endpoint_type
    return service_type or 'compute', service_name, interface or 'public'


def _context_client(context):
    """Last resort: the caller's own token and service catalog."""
    token = getattr(context, 'auth_token', None)
    if not token:
        raise exception.NovaUnavailable(
            reason='no credentials for Nova are configured: set [nova] '
                   'auth_type (and its options) or the [DEFAULT] '
                   'os_privileged_user_* options')
    endpoint = CONF[NOVA_GROUP].endpoint_override or _catalog_endpoint(
        context)
    auth = token_endpoint.Token(endpoint, token)
    session = _legacy_session(auth)
    return nova_client.Client(microversion(), session=session,
                              endpoint_override=endpoint)


def _catalog_endpoint(context):
    service_type, service_name, interface = _legacy_catalog_info()
    region = CONF.os_region_name or CONF[NOVA_GROUP].region_name
    for entry in getattr(context, 'service_catalog', None) or []:
        if entry.get('type') != service_type:
            continue
        if service_name and entry.get('name') not in (None, service_name):
            continue
        for endpoint in entry.get('endpoints', []):
            if region and endpoint.get('region') not in (None, region):
                continue
            if endpoint.get('interface', interface) != interface:
                continue
            if endpoint.get('url'):
                return endpoint['url']
            url = endpoint.get(interface + 'URL')
            if url:
                return url
    raise exception.NovaUnavailable(
        reason='no %s endpoint in the service catalog' % service_type)


_DERIVED = weakref.WeakKeyDictionary()


def at_least(client, version):
    """``client``, or one on the same session and endpoint asking for
    compute API ``version`` when ``client``'s own is older."""
    if client.api_version >= version:
        return client
    return _at_version(client, version)


def at_most(client, version):
    """``client``, or one on the same session and endpoint asking for
    compute API ``version`` when ``client``'s own is newer: for answers a
    later version dropped (hypervisor statistics, gone from 2.88)."""
    if client.api_version <= version:
        return client
    return _at_version(client, version)


def _at_version(client, version):
    with _CLIENTS_LOCK:
        derived = _DERIVED.setdefault(client, {})
        found = derived.get(str(version))
        if found is None:
            adapter = client.client
            found = nova_client.Client(
                version, session=adapter.session,
                endpoint_override=adapter.endpoint_override,
                region_name=adapter.region_name,
                endpoint_type=adapter.interface,
                service_type=adapter.service_type,
                service_name=adapter.service_name)
            derived[str(version)] = found
        return found


def get_client(context=None):
    """The process-wide novaclient (thread-safe to share)."""
    key = _static_key()
    with _CLIENTS_LOCK:
        client = _CLIENTS.get(key)
        if client is None:
            client = _configured_client()
            if client is not None:
                _CLIENTS.clear()
                _CLIENTS[key] = client
    if client is None:
        return _context_client(context)
    return client
