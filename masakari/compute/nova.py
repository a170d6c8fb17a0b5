"""Everything masakari asks Nova: ``API``, over the client of ``client``.

The ``masakari.compute`` package is the only one importing novaclient.
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

Results are the records of ``compute.resources`` (``Server``,
``Service``, ``Hypervisor``, ``Aggregate``, ``Evacuation``).
"""

import time

from keystoneauth1 import exceptions as ks_exc
from novaclient import api_versions
from novaclient import exceptions as nova_exc
from oslo_log import log as logging

from masakari.compute.client import at_least
from masakari.compute.client import at_most
from masakari.compute.client import get_client
from masakari.compute.client import NOVA_GROUP
from masakari.compute.resources import Aggregate
from masakari.compute.resources import Evacuation
from masakari.compute.resources import Hypervisor
from masakari.compute.resources import Server
from masakari.compute.resources import Service
from masakari.conf import CONF
from masakari.metrics import engine as engine_metrics
from masakari import exception

LOG = logging.getLogger(__name__)

# First back-off between two attempts of a call; doubles on every retry.
RETRY_BASE_DELAY = 0.5
RETRY_MAX_DELAY = 8.0

_UNAVAILABLE_STATUS = (502, 503, 504)
# The first compute API version whose os-migrations takes changes-since.
CHANGES_SINCE_MICROVERSION = api_versions.APIVersion('2.59')
# The last compute API version whose os-hypervisors reports capacity and
# usage (2.88 dropped them for Placement's inventories).
HYPERVISOR_STATISTICS_MICROVERSION = api_versions.APIVersion('2.87')


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


def _fields(resource):
    """A novaclient resource's fields as Nova sent them. ``to_dict()``
    deep-copies them, which cost more CPU than anything else the engine
    does per listed record; the resources types only read them."""
    info = getattr(resource, '_info', None)
    return info if isinstance(info, dict) else resource.to_dict()


def _request_id(context):
    return getattr(context, 'request_id', None) or '-'


def _call(context, what, func, *args, idempotent=True, instance_id=None,
          quiet=False, **kwargs):
    """Run one novaclient call with logging, retries and translation.

    ``quiet`` logs the call at debug level: for reads, which change nothing
    in Nova and come several per recovered instance (and polls many times a
    second); their failures are still logged as warnings.
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
            engine_metrics.nova_call(func, 'ok')
            return result
        if not retriable or attempt > retries:
            LOG.warning('Nova call failed: %s: %s', what, error.message)
            engine_metrics.nova_call(func, 'error')
            raise error
        engine_metrics.nova_call(func, 'retried')
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
        return [Service.from_dict(_fields(s)) for s in services]

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
                               reason=None, binary='nova-compute',
                               service=None):
        """Enable or disable a service (``service``: the one of
        ``host_name`` as just read, which saves reading it again).

        A disable is not retried after a timeout: Nova stores it at once but
        may answer only after its call to a dead compute times out, so the
        caller checks the service state instead.
        """
        client = get_client(context)
        service = service or self._service(context, host_name, binary)
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
                           binary='nova-compute', service=None):
        client = get_client(context)
        service = service or self._service(context, host_name, binary)
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
        return [Server.from_dict(_fields(s)) for s in servers]

    def get_server(self, context, uuid):
        client = get_client(context)
        server = _call(context, 'get server %s' % uuid, client.servers.get,
                       uuid, instance_id=uuid, quiet=True)
        return Server.from_dict(_fields(server))

    def get_evacuations(self, context, source_host, changes_since=None):
        """Nova's evacuation records (migrations) from ``source_host``;
        with ``changes_since`` (an ISO time, Nova's clock) only those
        updated since then.

        Asked at compute API 2.59 at least, the first to filter by
        ``changes-since``; an older Nova refuses it.
        """
        client = at_least(get_client(context), CHANGES_SINCE_MICROVERSION)
        filters = {'source_compute': source_host,
                   'migration_type': 'evacuation'}
        if changes_since:
            filters['changes_since'] = changes_since
        migrations = _call(context, 'list evacuations from %s%s' % (
            source_host, ' since %s' % changes_since if changes_since
            else ''), client.migrations.list, quiet=True, **filters)
        return [Evacuation.from_dict(_fields(m)) for m in migrations]

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

    # --- hypervisors -------------------------------------------------------
    def get_hypervisors(self, context):
        """Every compute node with its capacity and usage, across all
        pages; asked at compute API 2.87 at most, the last to report
        them."""
        client = at_most(get_client(context),
                         HYPERVISOR_STATISTICS_MICROVERSION)
        hypervisors = _call(context, 'list hypervisors with statistics',
                            client.hypervisors.list, detailed=True)
        return [Hypervisor.from_dict(_fields(h)) for h in hypervisors]

    # --- aggregates --------------------------------------------------------
    def get_aggregate_list(self, context):
        client = get_client(context)
        aggregates = _call(context, 'list aggregates',
                           client.aggregates.list)
        return [Aggregate.from_dict(_fields(a)) for a in aggregates]

    def add_host_to_aggregate(self, context, host, aggregate):
        client = get_client(context)
        aggregate_id = getattr(aggregate, 'id', aggregate)
        _call(context, 'add host %s to aggregate %s' % (host, aggregate_id),
              client.aggregates.add_host, aggregate_id, host)
