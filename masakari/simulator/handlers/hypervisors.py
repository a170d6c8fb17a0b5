"""``/os-hypervisors``: one hypervisor (compute node) per host."""

from __future__ import annotations

import uuid

from masakari.simulator import errors
from masakari.simulator import validation
from masakari.simulator import views


def index(ctx) -> tuple[int, dict]:
    return _list(ctx, detail=False)


def detail(ctx) -> tuple[int, dict]:
    return _list(ctx, detail=True)


def _node_id(host, mv) -> str:
    return host.node_uuid if mv >= (2, 53) else str(host.node_num)


def _list(ctx, detail: bool) -> tuple[int, dict]:
    """2.53+: ``hypervisor_hostname_pattern`` and ``with_servers``."""
    query = ctx.req.GET
    pattern = with_servers = None
    if ctx.mv >= (2, 53):
        pattern = query.get('hypervisor_hostname_pattern')
        with_servers = validation.bool_param('with_servers',
                                             query.get('with_servers'))
        if pattern is not None and ('limit' in query or 'marker' in query):
            raise errors.BadRequest(
                'Paging over hypervisors with the '
                'hypervisor_hostname_pattern query parameter is not '
                'supported.')
    limit, marker = ctx.state.settings.max_limit, None
    if ctx.mv >= (2, 33):
        limit, marker = validation.paging(query, limit)
    with ctx.state.lock:
        hosts = list(ctx.state.hosts.values())
        if pattern is not None:
            hosts = [h for h in hosts if pattern in h.name]
            if not hosts:
                raise errors.NotFound("No hypervisor matching '%s' could "
                                      "be found." % pattern)
        if marker:
            ids = [_node_id(h, ctx.mv) for h in hosts]
            if marker not in ids:
                raise errors.BadRequest('marker [%s] not found' % marker)
            hosts = hosts[ids.index(marker) + 1:]
        page = hosts[:limit]
        body = {'hypervisors': [
            views.hypervisor(ctx, ctx.state, h, detail=detail,
                             servers=bool(with_servers)) for h in page]}
    if ctx.mv >= (2, 33) and page and len(page) == limit:
        body['hypervisors_links'] = [{
            'rel': 'next',
            'href': '%s?limit=%d&marker=%s' % (
                ctx.url('os-hypervisors/detail' if detail
                        else 'os-hypervisors'),
                limit, _node_id(page[-1], ctx.mv))}]
    return 200, body


def show(ctx, hypervisor_id: str) -> tuple[int, dict]:
    if ctx.mv >= (2, 53):
        try:
            uuid.UUID(hypervisor_id)
        except ValueError:
            raise errors.BadRequest('Invalid uuid %s' % hypervisor_id)
        with_servers = validation.bool_param(
            'with_servers', ctx.req.GET.get('with_servers'))
    else:
        with_servers = False
    with ctx.state.lock:
        for host in ctx.state.hosts.values():
            if _node_id(host, ctx.mv) == hypervisor_id:
                return 200, {'hypervisor': views.hypervisor(
                    ctx, ctx.state, host, detail=True,
                    servers=with_servers)}
    raise errors.NotFound('Hypervisor with ID %s could not be found.'
                          % hypervisor_id)


def _search(ctx, pattern: str, servers: bool) -> tuple[int, dict]:
    if ctx.mv >= (2, 53):  # replaced by query parameters
        raise errors.NotFound('The resource could not be found.')
    with ctx.state.lock:
        hosts = [h for h in ctx.state.hosts.values() if pattern in h.name]
        if not hosts:
            raise errors.NotFound("No hypervisor matching '%s' could be "
                                  "found." % pattern)
        return 200, {'hypervisors': [
            views.hypervisor(ctx, ctx.state, h, detail=False,
                             servers=servers) for h in hosts]}


def search(ctx, pattern: str) -> tuple[int, dict]:
    """Before 2.53: ``/os-hypervisors/{pattern}/search``."""
    return _search(ctx, pattern, servers=False)


def servers(ctx, pattern: str) -> tuple[int, dict]:
    """Before 2.53: ``/os-hypervisors/{pattern}/servers``."""
    return _search(ctx, pattern, servers=True)
