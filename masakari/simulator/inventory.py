"""Compute services and host aggregates, changed with Nova's rules.

The operations behind ``PUT /os-services`` and ``/os-aggregates``: they
validate like Nova and mutate the host records under the state lock.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from masakari.simulator import errors
from masakari.simulator.models import Aggregate, ControlService, Host, utcnow

if TYPE_CHECKING:
    from masakari.simulator.state import CloudState

Service = Host | ControlService


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except (TypeError, ValueError, AttributeError):
        return False
    return True


def find_service(state: CloudState, service_uuid: str) -> Service:
    for host in state.hosts.values():
        if host.service_uuid == service_uuid:
            return host
    for service in state.control_services:
        if service.uuid == service_uuid:
            return service
    raise errors.NotFound('Service %s could not be found.' % service_uuid)


def all_services(state: CloudState) -> list[Service]:
    """Control services first, then computes, in id order like Nova."""
    return [*state.control_services, *state.hosts.values()]


def binary_of(service: Service) -> str:
    return 'nova-compute' if isinstance(service, Host) else service.binary


def host_of(service: Service) -> str:
    return service.name if isinstance(service, Host) else service.host


def _check_force_up(state: CloudState, host: Host) -> None:
    """Nova refuses to unset forced_down while evacuations are ``done``.

    Such records mean the source compute has not restarted since it was
    evacuated; bringing it back could run the same instances twice.
    """
    if host.forced_down and state.done_evacuations_from(host.name):
        raise errors.BadRequest(
            'Unable to unset forced_down on the compute service of host %s '
            "while 'done' evacuation migration records remain; restart "
            'the nova-compute service first.' % host.name)


def _rpc_wait(state: CloudState, host: Host) -> float:
    """Seconds the API blocks telling a dead-but-not-yet-down compute."""
    if not state.compute_alive(host) and state.service_is_up(host):
        return state.settings.rpc_response_timeout
    return 0.0


def update_service(state: CloudState, service_uuid: str,
                   body: dict[str, Any]) -> tuple[Host, float]:
    """PUT /os-services/{id} (2.53+): status, disabled_reason, forced_down.

    Returns the host and how long the API must still wait before it
    answers (see ``Settings.rpc_response_timeout``).
    """
    if not _is_uuid(service_uuid):
        raise errors.BadRequest('Invalid uuid %s' % service_uuid)
    status = body.get('status')
    if 'disabled_reason' in body and status != 'disabled':
        raise errors.BadRequest("Specifying 'disabled_reason' with status "
                                "other than 'disabled' is not allowed.")
    if 'status' not in body and 'forced_down' not in body:
        raise errors.BadRequest("No updates were requested. Fields 'status'"
                                " or 'forced_down' should be specified.")
    with state.lock:
        service = find_service(state, service_uuid)
        if not isinstance(service, Host):
            raise errors.BadRequest(
                'Updating a %s service is not supported. Only nova-compute '
                'services can be updated.' % service.binary)
        if body.get('forced_down') is False:
            _check_force_up(state, service)
        if 'forced_down' in body:
            service.forced_down = bool(body['forced_down'])
        delay = 0.0
        if 'status' in body:
            service.disabled = status == 'disabled'
            service.disabled_reason = (body.get('disabled_reason')
                                       if service.disabled else None)
            delay = _rpc_wait(state, service)
        return service, delay


def update_service_legacy(state: CloudState, action: str,
                          body: dict[str, Any]) -> tuple[dict, float]:
    """PUT /os-services/{enable,disable,disable-log-reason,force-down}."""
    with state.lock:
        host = state.hosts.get(body['host'])
        if host is None or body['binary'] != 'nova-compute':
            raise errors.NotFound(
                'Compute host %s with binary %s could not be found.'
                % (body['host'], body['binary']))
        out: dict[str, Any] = {'host': host.name, 'binary': 'nova-compute'}
        if action == 'force-down':
            if body['forced_down'] is False:
                _check_force_up(state, host)
            host.forced_down = body['forced_down']
            out['forced_down'] = host.forced_down
            return out, 0.0
        host.disabled = action != 'enable'
        host.disabled_reason = body.get('disabled_reason')
        out['status'] = 'disabled' if host.disabled else 'enabled'
        if action == 'disable-log-reason':
            out['disabled_reason'] = host.disabled_reason
        return out, _rpc_wait(state, host)


# -- aggregates --

def get_aggregate(state: CloudState, aggregate_id: str | int) -> Aggregate:
    try:
        aggregate = state.aggregates.get(int(aggregate_id))
    except (TypeError, ValueError):
        aggregate = None
    if aggregate is None:
        raise errors.NotFound('Aggregate %s could not be found.'
                              % aggregate_id)
    return aggregate


def create_aggregate(state: CloudState, name: str,
                     zone: str | None = None) -> Aggregate:
    with state.lock:
        if any(a.name == name for a in state.aggregates.values()):
            raise errors.Conflict('Aggregate %s already exists.' % name)
        aggregate = Aggregate(state._next('aggregate'), state.new_uuid(),
                              name)
        if zone:
            aggregate.metadata['availability_zone'] = zone
        state.aggregates[aggregate.id] = aggregate
        return aggregate


def delete_aggregate(state: CloudState, aggregate_id: str) -> None:
    with state.lock:
        aggregate = get_aggregate(state, aggregate_id)
        if aggregate.hosts:
            raise errors.BadRequest('Cannot remove aggregate %s. Reason: '
                                    'Host list is not empty.' % aggregate.id)
        del state.aggregates[aggregate.id]


def _zones_of(state: CloudState, host: str, skip: Aggregate) -> set[str]:
    return {a.availability_zone for a in state.aggregates.values()
            if a is not skip and host in a.hosts and a.availability_zone}


def add_host(state: CloudState, aggregate_id: str, host: str) -> Aggregate:
    """add_host: 404 unknown host, 409 member already or AZ conflict."""
    with state.lock:
        aggregate = get_aggregate(state, aggregate_id)
        state.get_host(host)
        if host in aggregate.hosts:
            raise errors.Conflict('Aggregate %s already has host %s.'
                                  % (aggregate.id, host))
        zone = aggregate.availability_zone
        if zone:
            others = _zones_of(state, host, aggregate)
            reason = None
            if others and others != {zone}:
                reason = ('One or more hosts already in availability '
                          'zone(s) %s' % sorted(others))
            elif not others and state.servers_on(host):
                reason = 'One or more hosts contain instances in this zone.'
            if reason:
                raise errors.Conflict('Cannot add host to aggregate %s. '
                                      'Reason: %s' % (aggregate.id, reason))
        aggregate.hosts.append(host)
        aggregate.updated_at = utcnow()
        return aggregate


def remove_host(state: CloudState, aggregate_id: str,
                host: str) -> Aggregate:
    with state.lock:
        aggregate = get_aggregate(state, aggregate_id)
        state.get_host(host)
        if host not in aggregate.hosts:
            raise errors.NotFound('Aggregate %s has no host %s.'
                                  % (aggregate.id, host))
        aggregate.hosts.remove(host)
        aggregate.updated_at = utcnow()
        return aggregate


def set_metadata(state: CloudState, aggregate_id: str,
                 metadata: dict[str, Any]) -> Aggregate:
    """set_metadata: None deletes a key; an AZ move with instances is 400."""
    with state.lock:
        aggregate = get_aggregate(state, aggregate_id)
        zone = metadata.get('availability_zone')
        if (zone and zone != aggregate.availability_zone and
                any(state.servers_on(h) for h in aggregate.hosts)):
            raise errors.BadRequest(
                'Cannot update metadata of aggregate %s. Reason: One or '
                'more hosts contain instances in this zone.' % aggregate.id)
        for key, value in metadata.items():
            if value is None:
                if key != 'availability_zone':
                    aggregate.metadata.pop(key, None)
            else:
                aggregate.metadata[key] = value
        aggregate.updated_at = utcnow()
        return aggregate
