"""The ``openstack storm brake ...`` and ``openstack recovery ...``
commands, run through their osc-lib classes against the real API, engine
and Nova simulator (the entry points are in setup.cfg)."""

import types

from masakari.cli import plugin
from masakari.cli import recovery
from masakari.cli import storm
from masakari.tests.functional.api.test_storm_brake import _cloud
from masakari.tests.functional.api.test_storm_brake import stack  # noqa


def run(command_class, client, *argv):
    app = types.SimpleNamespace(
        client_manager=types.SimpleNamespace(instance_ha_ops=client),
        options=None)
    command = command_class(app, None)
    parsed = command.get_parser('openstack').parse_args(list(argv))
    return command.take_action(parsed)


def test_pause_list_resume_and_brake_commands(stack):  # noqa: F811
    api, sim, segment, _placed = _cloud(stack, ['c1', 'c2', 'c3'])
    client = plugin.unauthenticated_client(stack.api_url)

    columns, row = run(recovery.PauseRecovery, client, '--reason', 'maint',
                       '--segment', segment['uuid'])
    assert dict(zip(columns, row, strict=True))['Segment'] == segment['uuid']
    uuids = []
    for name in ('c1', 'c2'):
        sim.fail_host(name)
        uuids.append(api.host_down(name))
        api.wait(uuids[-1], ('held',))
    _columns, rows = run(recovery.ListRecoveryPauses, client)
    assert [r[-1] for r in rows] == [2]

    _columns, resumed = run(recovery.ResumeRecovery, client, row[0])
    assert [r[0] for r in resumed] == uuids
    for uuid in uuids:
        assert api.wait(uuid, ('held',))['held_by'] == 'storm_brake'
    _columns, brakes = run(storm.ListStormBrakes, client)
    assert [(b[0], b[2]) for b in brakes] == [(segment['uuid'], 'c1, c2')]

    _columns, cancelled = run(storm.CancelStormBrake, client,
                              segment['uuid'], '--reason', 'partition',
                              '--notification', uuids[0])
    assert [(r[0], r[1]) for r in cancelled] == [(uuids[0], 'ignored')]
    _columns, released = run(storm.ReleaseStormBrake, client,
                             segment['uuid'])
    assert [r[0] for r in released] == [uuids[1]]
    assert api.wait(uuids[1], ('finished', 'error'))['status'] == 'finished'
