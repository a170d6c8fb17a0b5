"""``masakari-nova-simulator`` argument parsing and cloud building."""

import pytest

from masakari.cmd import simulator as cli
from masakari.simulator import NovaSimulator
from masakari.simulator.settings import Duration


def test_defaults():
    args = cli.build_parser().parse_args([])
    assert (args.host, args.port, args.hosts) == ('127.0.0.1', 18774, 3)
    assert args.evacuate_seconds == Duration(1.0, 1.0)


def test_flags_and_populate():
    args = cli.build_parser().parse_args([
        '--host-spec', 'big:32:65536', '--host-spec', 'small:2',
        '--servers-per-host', '2', '--server-metadata', 'HA_Enabled=True',
        '--evacuate-seconds', '2:5', '--service-down-time', '10'])
    assert args.evacuate_seconds == Duration(2.0, 5.0)
    sim = NovaSimulator()
    cli.populate(sim, args)
    big, small = sim.state.host_info('big'), sim.state.host_info('small')
    assert (big['vcpus'], big['memory_mb']) == (32, 65536)
    assert (small['vcpus'], small['memory_mb']) == (2, 32768)
    assert len(big['servers']) == 2
    server = sim.state.server_info(big['servers'][0])
    assert server['metadata'] == {'HA_Enabled': 'True'}


@pytest.mark.parametrize('argv', [
    ['--host-spec', ':4'], ['--evacuate-seconds', '5:1'],
    ['--server-metadata', 'novalue'],
])
def test_bad_flags(argv):
    with pytest.raises(SystemExit):
        cli.build_parser().parse_args(argv)


def test_refuses_a_public_address(capsys):
    assert cli.main(['--host', '0.0.0.0', '--port', '0']) == 2
    assert 'loopback' in capsys.readouterr().err
