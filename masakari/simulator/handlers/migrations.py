"""``GET /os-migrations``: the evacuation records, for inspection.

From microversion 2.59 ``changes-since`` keeps the records updated at or
after a time, as Nova does, so a poller need not read a host's whole
history each time.
"""

from __future__ import annotations

import datetime

from masakari.simulator import errors
from masakari.simulator import views

_FILTERS = {'host': ('source', 'dest'), 'source_compute': ('source',),
            'status': ('status',), 'migration_type': ('migration_type',),
            'instance_uuid': ('server_id',)}


def _changes_since(value: str) -> datetime.datetime:
    try:
        moment = datetime.datetime.fromisoformat(value.replace('Z', '+00:00'))
    except ValueError:
        raise errors.BadRequest("Invalid input for query parameters "
                                "changes-since. Value: %s. '%s' is not a "
                                "'date-time'" % (value, value))
    if moment.tzinfo is None:  # Nova reads a time without zone as UTC
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return moment


def index(ctx) -> tuple[int, dict]:
    query = ctx.req.GET
    since = None
    if ctx.mv >= (2, 59) and 'changes-since' in query:
        since = _changes_since(query.get('changes-since'))
    with ctx.state.lock:
        records = list(reversed(ctx.state.migrations))
        for name, fields in _FILTERS.items():
            if name in query:
                wanted = query.get(name)
                records = [m for m in records
                           if any(getattr(m, f) == wanted for f in fields)]
        if since is not None:
            records = [m for m in records if m.updated_at >= since]
        return 200, {'migrations': [views.migration(ctx, m)
                                    for m in records]}
