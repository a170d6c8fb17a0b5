"""Host selection: filters (capacity, disabled, down, source) and weighing."""

import pytest

from masakari.simulator import errors
from masakari.simulator import flavors
from masakari.simulator import scheduler
from masakari.simulator.models import Host

SMALL = flavors.find('m1.small')  # 1 vCPU, 2048 MB


def host(name, vcpus=4, memory_mb=8192, disabled=False):
    return Host(name=name, vcpus=vcpus, memory_mb=memory_mb, local_gb=100,
                service_uuid='s-' + name, service_num=1,
                node_uuid='n-' + name, node_num=1, disabled=disabled)


def always_up(_host):
    return True


def test_picks_host_with_most_free_ram():
    hosts = [host('a'), host('b'), host('c')]
    usage = {'a': (1, 2048), 'c': (1, 1024)}
    chosen = scheduler.select_host(hosts, usage, SMALL, is_up=always_up)
    assert chosen.name == 'b'


def test_ties_break_by_name():
    hosts = [host('b'), host('a')]
    assert scheduler.select_host(hosts, {}, SMALL,
                                 is_up=always_up).name == 'a'


def test_host_without_room_is_skipped():
    hosts = [host('a', vcpus=1), host('b', memory_mb=4096)]
    usage = {'a': (1, 0), 'b': (0, 1024)}
    assert scheduler.select_host(hosts, usage, SMALL,
                                 is_up=always_up).name == 'b'
    usage['b'] = (0, 3000)
    with pytest.raises(errors.NoValidHost):
        scheduler.select_host(hosts, usage, SMALL, is_up=always_up)


def test_disabled_host_is_excluded():
    hosts = [host('a', disabled=True), host('b', memory_mb=2048)]
    assert scheduler.select_host(hosts, {}, SMALL,
                                 is_up=always_up).name == 'b'


def test_down_host_is_excluded():
    hosts = [host('a', memory_mb=65536), host('b')]
    chosen = scheduler.select_host(hosts, {}, SMALL,
                                   is_up=lambda h: h.name != 'a')
    assert chosen.name == 'b'


def test_source_is_excluded():
    hosts = [host('a', memory_mb=65536), host('b')]
    assert scheduler.select_host(hosts, {}, SMALL, is_up=always_up,
                                 exclude={'a'}).name == 'b'


def test_no_valid_host_message():
    with pytest.raises(errors.NoValidHost) as info:
        scheduler.select_host([], {}, SMALL, is_up=always_up)
    assert str(info.value) == ('No valid host was found. There are not '
                               'enough hosts available.')


def test_requested_host_must_pass_the_filters():
    hosts = [host('a', memory_mb=65536), host('b', vcpus=0)]
    assert scheduler.select_host(hosts, {}, SMALL, is_up=always_up,
                                 requested='a').name == 'a'
    with pytest.raises(errors.NoValidHost):
        scheduler.select_host(hosts, {}, SMALL, is_up=always_up,
                              requested='b')
