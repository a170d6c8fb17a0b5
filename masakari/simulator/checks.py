"""Checks of a recovery's outcome on the simulator's own records.

The records are the simulator's server dicts (``CloudState.server_info``,
or ``GET /simulator/servers/<id>`` of the admin API): the same fields
in-process and over HTTP.
"""


def evacuation_problems(servers, source=None, *, unlocked=False):
    """What is wrong with ``servers`` (records) that should each have been
    evacuated once: ACTIVE on another host than ``source`` (when given),
    evacuated exactly once, and, with ``unlocked``, no longer locked.
    One line per problem, naming the server; an empty list means all is
    well."""
    problems = []
    for info in servers:
        if info['status'] != 'ACTIVE' or (
                source is not None and info['host'] == source):
            problems.append('%s (%s) is %s on %s' % (
                info['name'], info['id'], info['status'], info['host']))
        if info['evacuations'] != 1:
            problems.append('%s (%s) was evacuated %d times' % (
                info['name'], info['id'], info['evacuations']))
        if unlocked and info['locked']:
            problems.append('%s (%s) is still locked' % (info['name'],
                                                         info['id']))
    return problems
