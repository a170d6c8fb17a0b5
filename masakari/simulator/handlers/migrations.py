"""``GET /os-migrations``: the evacuation records, for inspection."""

from __future__ import annotations

from masakari.simulator import views

_FILTERS = {'host': ('source', 'dest'), 'source_compute': ('source',),
            'status': ('status',), 'migration_type': ('migration_type',),
            'instance_uuid': ('server_id',)}


def index(ctx) -> tuple[int, dict]:
    query = ctx.req.GET
    with ctx.state.lock:
        records = list(reversed(ctx.state.migrations))
        for name, fields in _FILTERS.items():
            if name in query:
                wanted = query.get(name)
                records = [m for m in records
                           if any(getattr(m, f) == wanted for f in fields)]
        return 200, {'migrations': [views.migration(ctx, m)
                                    for m in records]}
