"""Checks of a recovery's outcome on the simulator's own records."""


def evacuation_problems(sim, server_ids, source):
    """What is wrong, in Nova's own state, with servers that should have
    been evacuated from ``source``: each must be ACTIVE on another host
    and evacuated exactly once. An empty list means all is well."""
    problems = []
    for server_id in server_ids:
        info = sim.server(server_id)
        if info['host'] == source or info['status'] != 'ACTIVE':
            problems.append('%s is %s on %s' % (info['name'], info['status'],
                                                info['host']))
        if info['evacuations'] != 1:
            problems.append('%s was evacuated %d times'
                            % (info['name'], info['evacuations']))
    return problems
