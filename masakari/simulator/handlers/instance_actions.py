"""``/servers/{id}/os-instance-actions``: what was done to a server."""

from __future__ import annotations

from masakari.simulator import errors
from masakari.simulator import views


def index(ctx, server_id: str) -> tuple[int, dict]:
    with ctx.state.lock:
        server = ctx.state.get_server(server_id)
        actions = [views.instance_action(ctx, server.id, a)
                   for a in reversed(server.actions)]
    return 200, {'instanceActions': actions}


def show(ctx, server_id: str, request_id: str) -> tuple[int, dict]:
    with ctx.state.lock:
        server = ctx.state.get_server(server_id)
        for action in server.actions:
            if action.request_id == request_id:
                return 200, {'instanceAction': views.instance_action(
                    ctx, server.id, action, events=True)}
    raise errors.NotFound('Action for request_id %s on instance %s not '
                          'found' % (request_id, server_id))
