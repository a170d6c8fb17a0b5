"""Everything masakari asks Nova, and the only module importing novaclient.

One novaclient per process (per configuration) talks to Nova through a
keystoneauth1 session built from the ``[nova]`` group: standard auth,
session and adapter options, so ``auth_type = none`` plus
``endpoint_override`` reaches a Nova (or the simulator) without Keystone.
When ``[nova] auth_type`` is unset the legacy ``[DEFAULT]
os_privileged_user_*`` password options of upstream are used; when those are
unset too, the caller's token and service catalog are.

Every call:

* is pinned to ``[nova] api_microversion`` (2.53 by default);
* times out after ``[nova] call_timeout`` seconds;
* is retried ``[nova] call_retries`` times, with a growing back-off, when
  Nova could not be reached. A call that changes something (an action on a
  server) is not retried after a *timeout*, since Nova may have done it; the
  engine re-reads the state instead;
* logs one line saying what it asks Nova and for which request;
* turns novaclient/keystoneauth errors into ``masakari.exception`` ones:
  400 → InvalidInput, 403 → Forbidden, 404 → NotFound (InstanceNotFound for
  a server), 409 → Conflict, unreachable/timeout/502/503/504 →
  NovaUnavailable.

Results are small immutable records (``Server``, ``Service``,
``Aggregate``) so callers never depend on novaclient's resource classes.
"""

import dataclasses
import threading
import time
import weakref

from keystoneauth1 import exceptions as ks_exc
from keystoneauth1 import loading as ks_loading
from keystoneauth1 import session as ks_session
from keystoneauth1 import token_endpoint
from novaclient import api_versions
from novaclient import client as nova_client
from novaclient import exceptions as nova_exc
from oslo_log import log as logging
from oslo_utils import strutils

from masakari.conf import CONF
from masakari import exception

LOG = logging.getLogger(__name__)

NOVA_GROUP = 'nova'
# First back-off between two attempts of a call; doubles on every retry.
RETRY_BASE_DELAY = 0.5
RETRY_MAX_DELAY = 8.0
# Nova's power_state for a powered-off server.
POWER_STATE_SHUTDOWN = 4

_UNAVAILABLE_STATUS = (502, 503, 504)
# The first compute API version whose os-migrations takes changes-since.
CHANGES_SINCE_MICROVERSION = api_versions.APIVersion('2.59')


# --- results ---------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class Server:
    """The attributes of a Nova server that recovery decisions need."""

    id: str
    name: str = ''
    metadata: dict = dataclasses.field(default_factory=dict)
    locked: bool = False
    vm_state: str | None = None
    task_state: str | None = None
    power_state: int | None = None
    host: str | None = None
    hypervisor_hostname: str | None = None
    status: str | None = None
    fault: str | None = None

    @classmethod
    def from_dict(cls, info):
        fault = info.get('fault') or None
        if isinstance(fault, dict):
            fault = fault.get('message') or str(fault)
        hypervisor = info.get('OS-EXT-SRV-ATTR:hypervisor_hostname')
        return cls(
            id=info['id'],
            name=info.get('name') or '',
            metadata=dict(info.get('metadata') or {}),
            locked=bool(info.get('locked', False)),
            vm_state=info.get('OS-EXT-STS:vm_state'),
            task_state=info.get('OS-EXT-STS:task_state'),
            power_state=info.get('OS-EXT-STS:power_state'),
            # The compute service host is what masakari host names are
            # validated against; the hypervisor name is the fallback.
            host=info.get('OS-EXT-SRV-ATTR:host') or hypervisor,
            hypervisor_hostname=hypervisor,
            status=info.get('status'),
            fault=fault)

    def metadata_flag(self, key):
        """True when metadata ``key`` reads as true (lenient, like oslo)."""
        return strutils.bool_from_string(self.metadata.get(key, False))


@dataclasses.dataclass(frozen=True)
class Service:
    id: str
    host: str
    binary: str
    status: str
    state: str
    forced_down: bool = False
    disabled_reason: str | None = None

    @classmethod
    def from_dict(cls, info):
        return cls(id=str(info['id']), host=info.get('host'),
                   binary=info.get('binary'), status=info.get('status'),
                   state=info.get('state'),
                   forced_down=bool(info.get('forced_down', False)),
                   disabled_reason=info.get('disabled_reason'))

    @property
    def disabled(self):
        return self.status == 'disabled'

    @property
    def down(self):
        return self.forced_down or self.state == 'down'


@dataclasses.dataclass(frozen=True)
class Aggregate:
    id: int
    name: str
    hosts: tuple = ()
    availability_zone: str | None = None

    @classmethod
    def from_dict(cls, info):
        return cls(id=info['id'], name=info.get('name'),
                   hosts=tuple(info.get('hosts') or ()),
                   availability_zone=info.get('availability_zone'))


@dataclasses.dataclass(frozen=True)
class Evacuation:
    """One evacuation record of Nova (a migration of type evacuation)."""

    id: int
    instance_uuid: str
    status: str
    updated_at: str | None = None

    # Nova's statuses of an evacuation that is over, for good or bad.
    FINAL_STATUSES = ('done', 'completed', 'failed', 'error')

    @classmethod
    def from_dict(cls, info):
        return cls(id=info['id'], instance_uuid=info.get('instance_uuid'),
                   status=info.get('status'),
                   updated_at=info.get('updated_at'))

    @property
    def over(self):
        return self.status in self.FINAL_STATUSES


# --- the client ------------------------------------------------------------
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


def _configured_client():
    """A client from ``[nova]`` options, or from the legacy ones."""
    nova = CONF[NOVA_GROUP]
    version = api_versions.APIVersion(nova.api_microversion)
    if nova.auth_type:
        auth = ks_loading.load_auth_from_conf_options(CONF, NOVA_GROUP)
        session = ks_loading.load_session_from_conf_options(
            CONF, NOVA_GROUP, auth=auth, timeout=nova.call_timeout)
        return nova_client.Client(
            version, session=session,
            endpoint_override=nova.endpoint_override,
            region_name=nova.region_name, endpoint_type=_interface(),
            service_type=nova.service_type or 'compute',
            service_name=nova.service_name)
    if not CONF.os_privileged_user_name:
        return None
    # Legacy upstream options: a password user and a catalog lookup.
    from keystoneauth1.identity import generic

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
                              timeout=CONF[NOVA_GROUP].call_timeout)


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
    return nova_client.Client(
        api_versions.APIVersion(CONF[NOVA_GROUP].api_microversion),
        session=session, endpoint_override=endpoint)


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


def _at_least(client, version):
    """``client``, or one on the same session and endpoint asking for
    compute API ``version`` when ``client``'s own is older."""
    if client.api_version >= version:
        return client
    with _CLIENTS_LOCK:
        derived = _DERIVED.get(client)
        if derived is None:
            adapter = client.client
            derived = nova_client.Client(
                version, session=adapter.session,
                endpoint_override=adapter.endpoint_override,
                region_name=adapter.region_name,
                endpoint_type=adapter.interface,
                service_type=adapter.service_type,
                service_name=adapter.service_name)
            _DERIVED[client] = derived
        return derived


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


# --- error translation and retries ------------------------------------------
def _nova_message(exc):
    message = getattr(exc, 'message', None) or str(exc)
    return '%s (HTTP %s)' % (message, getattr(exc, 'code', '?'))


def _translate(exc, what, instance_id=None):
    """A masakari exception for a novaclient error answer."""
    code = getattr(exc, 'code', None)
    text = 'Nova refused to %s: %s' % (what, _nova_message(exc))
    if code == 400:
        return exception.InvalidInput(reason=text)
    if code == 401:
        return exception.NovaUnavailable(
            reason='Nova rejected the credentials of masakari while trying '
                   'to %s' % what)
    if code == 403:
        return exception.Forbidden(message=text)
    if code == 404:
        if instance_id is not None:
            return exception.InstanceNotFound(instance_id=instance_id)
        return exception.NotFound(message=text)
    if code == 409:
        return exception.Conflict(message=text)
    if code in _UNAVAILABLE_STATUS:
        return exception.NovaUnavailable(reason=text)
    return exception.MasakariException(message=text)


def _request_id(context):
    return getattr(context, 'request_id', None) or '-'


def _call(context, what, func, *args, idempotent=True, instance_id=None,
          quiet=False, **kwargs):
    """Run one novaclient call with logging, retries and translation.

    ``quiet`` logs the call at debug level: for polls repeated many times a
    second, whose failures are still logged as warnings.
    """
    retries = CONF[NOVA_GROUP].call_retries
    attempt = 0
    while True:
        attempt += 1
        LOG.log(logging.DEBUG if quiet else logging.INFO,
                'Nova call: %s (request %s, attempt %d)', what,
                _request_id(context), attempt)
        started = time.monotonic()
        try:
            result = func(*args, **kwargs)
        except ks_exc.ConnectFailure as exc:
            # The request did not reach Nova: always safe to repeat.
            error = exception.NovaUnavailable(
                reason='cannot connect to Nova to %s: %s' % (what, exc))
            retriable = True
        except ks_exc.ConnectTimeout as exc:
            error = exception.NovaUnavailable(
                reason='Nova did not answer within %ss to %s: %s'
                       % (CONF[NOVA_GROUP].call_timeout, what, exc))
            retriable = idempotent
        except (ks_exc.ConnectionError, ks_exc.EndpointNotFound,
                ks_exc.DiscoveryFailure, ks_exc.MissingAuthPlugin,
                ks_exc.AuthorizationFailure, ks_exc.Unauthorized) as exc:
            error = exception.NovaUnavailable(
                reason='cannot %s: %s' % (what, exc))
            retriable = False
        except nova_exc.ClientException as exc:
            error = _translate(exc, what, instance_id=instance_id)
            retriable = idempotent and exc.code in _UNAVAILABLE_STATUS
        else:
            LOG.debug('Nova call done in %.3fs: %s',
                      time.monotonic() - started, what)
            return result
        if not retriable or attempt > retries:
            LOG.warning('Nova call failed: %s: %s', what, error.message)
            raise error
        delay = min(RETRY_BASE_DELAY * 2 ** (attempt - 1), RETRY_MAX_DELAY)
        LOG.warning('Nova call failed, retrying in %.1fs: %s: %s', delay,
                    what, error.message)
        time.sleep(delay)


class API:
    """Nova operations used by the engine and the API's host validation.

    Each method takes the request context first and asks ``get_client``
    for the process-wide novaclient itself.
    """

    # --- services ----------------------------------------------------------
    def _services(self, context, host, binary):
        client = get_client(context)
        services = _call(context, 'list %s services of host %s'
                         % (binary, host), client.services.list,
                         host=host, binary=binary)
        return [Service.from_dict(s.to_dict()) for s in services]

    def find_compute_service(self, context, compute_name):
        """The nova-compute service of ``compute_name``, or
        ComputeNotFoundByName."""
        services = self._services(context, compute_name, 'nova-compute')
        if not services:
            raise exception.ComputeNotFoundByName(compute_name=compute_name)
        return services[0]

    def _service(self, context, host_name, binary):
        services = self._services(context, host_name, binary)
        if not services:
            if binary == 'nova-compute':
                raise exception.ComputeNotFoundByName(compute_name=host_name)
            raise exception.NotFound(
                message='Nova has no %s service on host %s'
                        % (binary, host_name))
        return services[0]

    def get_service(self, context, host_name, binary='nova-compute'):
        return self._service(context, host_name, binary)

    def enable_disable_service(self, context, host_name, enable=False,
                               reason=None, binary='nova-compute'):
        """Enable or disable a service.

        A disable is not retried after a timeout: Nova stores it at once but
        may answer only after its call to a dead compute times out, so the
        caller checks the service state instead.
        """
        client = get_client(context)
        service = self._service(context, host_name, binary)
        if enable:
            what = 'enable %s on %s' % (binary, host_name)
            _call(context, what, client.services.enable, service.id)
        elif reason:
            what = 'disable %s on %s (reason: %s)' % (binary, host_name,
                                                     reason)
            _call(context, what, client.services.disable_log_reason,
                  service.id, reason, idempotent=False)
        else:
            what = 'disable %s on %s' % (binary, host_name)
            _call(context, what, client.services.disable, service.id,
                  idempotent=False)

    def force_down_service(self, context, host_name, forced_down=True,
                           binary='nova-compute'):
        client = get_client(context)
        service = self._service(context, host_name, binary)
        _call(context, 'set forced_down=%s on %s of %s'
              % (forced_down, binary, host_name),
              client.services.force_down, service.id, forced_down)

    def is_service_disabled(self, context, host_name, binary):
        return self._service(context, host_name, binary).disabled

    def is_service_down(self, context, host_name, binary='nova-compute'):
        """True when Nova considers the service down (or forced down)."""
        return self._service(context, host_name, binary).down

    # --- servers -----------------------------------------------------------
    def get_servers(self, context, host):
        """Every server on ``host``, of every project, across all pages."""
        client = get_client(context)
        servers = _call(context, 'list servers of host %s' % host,
                        client.servers.list, detailed=True,
                        search_opts={'host': host, 'all_tenants': True},
                        limit=-1)
        return [Server.from_dict(s.to_dict()) for s in servers]

    def get_server(self, context, uuid):
        client = get_client(context)
        server = _call(context, 'get server %s' % uuid, client.servers.get,
                       uuid, instance_id=uuid)
        return Server.from_dict(server.to_dict())

    def get_evacuations(self, context, source_host, changes_since=None):
        """Nova's evacuation records (migrations) from ``source_host``;
        with ``changes_since`` (an ISO time, Nova's clock) only those
        updated since then.

        Asked at compute API 2.59 at least, the first to filter by
        ``changes-since``; an older Nova refuses it.
        """
        client = _at_least(get_client(context), CHANGES_SINCE_MICROVERSION)
        filters = {'source_compute': source_host,
                   'migration_type': 'evacuation'}
        if changes_since:
            filters['changes_since'] = changes_since
        migrations = _call(context, 'list evacuations from %s%s' % (
            source_host, ' since %s' % changes_since if changes_since
            else ''), client.migrations.list, quiet=True, **filters)
        return [Evacuation.from_dict(m.to_dict()) for m in migrations]

    def evacuate_instance(self, context, uuid, target=None):
        client = get_client(context)
        what = 'evacuate server %s%s' % (
            uuid, ' to %s' % target if target else '')
        _call(context, what, client.servers.evacuate, uuid, host=target,
              idempotent=False, instance_id=uuid)

    def reset_instance_state(self, context, uuid, status='error'):
        client = get_client(context)
        _call(context, 'reset state of server %s to %s' % (uuid, status),
              client.servers.reset_state, uuid, status, instance_id=uuid)

    def stop_server(self, context, uuid):
        client = get_client(context)
        _call(context, 'stop server %s' % uuid, client.servers.stop, uuid,
              idempotent=False, instance_id=uuid)

    def start_server(self, context, uuid):
        client = get_client(context)
        _call(context, 'start server %s' % uuid, client.servers.start, uuid,
              idempotent=False, instance_id=uuid)

    def lock_server(self, context, uuid):
        client = get_client(context)
        _call(context, 'lock server %s' % uuid, client.servers.lock, uuid,
              instance_id=uuid)

    def unlock_server(self, context, uuid):
        client = get_client(context)
        _call(context, 'unlock server %s' % uuid, client.servers.unlock,
              uuid, instance_id=uuid)

    # --- aggregates --------------------------------------------------------
    def get_aggregate_list(self, context):
        client = get_client(context)
        aggregates = _call(context, 'list aggregates',
                           client.aggregates.list)
        return [Aggregate.from_dict(a.to_dict()) for a in aggregates]

    def add_host_to_aggregate(self, context, host, aggregate):
        client = get_client(context)
        aggregate_id = getattr(aggregate, 'id', aggregate)
        _call(context, 'add host %s to aggregate %s' % (host, aggregate_id),
              client.aggregates.add_host, aggregate_id, host)
