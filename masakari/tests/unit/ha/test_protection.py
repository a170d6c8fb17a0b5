"""The protection check's fitting rules (masakari.ha.protection), as
tables: a segment's hosts in, which losses are absorbed out."""

import pytest

from masakari.ha import protection
from masakari.ha.protection import HostState
from masakari.ha.protection import Instance
from masakari.ha.protection import Resources

ONE = protection.Ratios(vcpu=1.0, memory=1.0, disk=1.0)
SMALL = Resources(1, 2048, 20)
MEDIUM = Resources(2, 4096, 40)


def vms(prefix, *needs, priority=0):
    return tuple(Instance('%s-%d' % (prefix, index), priority=priority,
                          need=need)
                 for index, need in enumerate(needs))


def host(name, total=(8, 16384, 400), instances=(), reserved=False,
         used=None, **flags):
    """A host whose usage is its own instances unless ``used`` says."""
    if used is None:
        used = sum((i.need for i in instances if i.need), Resources())
    else:
        used = Resources(*used)
    return HostState(name=name, total=Resources(*total), used=used,
                     instances=tuple(instances), reserved=reserved, **flags)


def evaluate(hosts, method='auto', ratios=ONE, k=1):
    return protection.evaluate(hosts, method, ratios, k)


def unplaced(report, name):
    """{instance id: reason} of ``name``'s own loss."""
    return {item.instance.id: item.reason
            for item in report.single[name].unplaced}


# (description, hosts, method, expected {host: set of unplaced ids})
CASES = [
    ('auto: each loss spread over the two others',
     [host('c1', instances=vms('a', SMALL, SMALL)),
      host('c2', instances=vms('b', SMALL, SMALL)),
      host('c3', instances=vms('c', SMALL, SMALL))],
     'auto', {'c1': set(), 'c2': set(), 'c3': set()}),
    ('auto: two full hosts cannot take each other',
     [host('c1', total=(4, 8192, 100), instances=vms('a', MEDIUM, SMALL)),
      host('c2', total=(4, 8192, 100), instances=vms('b', MEDIUM, SMALL))],
     'auto', {'c1': {'a-0'}, 'c2': {'b-0'}}),
    ('auto: a disabled host takes nothing',
     [host('c1', instances=vms('a', SMALL)),
      host('c2', service_enabled=False)],
     'auto', {'c1': {'a-0'}, 'c2': set()}),
    ('auto: a down host takes nothing',
     [host('c1', instances=vms('a', SMALL)), host('c2', service_up=False)],
     'auto', {'c1': {'a-0'}, 'c2': set()}),
    ('auto: a reserved host is not an auto target',
     [host('c1', instances=vms('a', SMALL)), host('r1', reserved=True)],
     'auto', {'c1': {'a-0'}, 'r1': set()}),
    ('reserved_host: the spare takes everything',
     [host('c1', instances=vms('a', MEDIUM, MEDIUM)),
      host('c2', instances=vms('b', MEDIUM)),
      host('r1', reserved=True)],
     'reserved_host', {'c1': set(), 'c2': set(), 'r1': set()}),
    ('reserved_host: other hosts are not targets',
     [host('c1', instances=vms('a', SMALL)), host('c2')],
     'reserved_host', {'c1': {'a-0'}, 'c2': set()}),
    ('reserved_host: a spare disabled in Nova counts (the engine enables '
     'it)',
     [host('c1', instances=vms('a', SMALL)),
      host('r1', reserved=True, service_enabled=False)],
     'reserved_host', {'c1': set(), 'r1': set()}),
    ('reserved_host: a spare that is down does not',
     [host('c1', instances=vms('a', SMALL)),
      host('r1', reserved=True, service_up=False)],
     'reserved_host', {'c1': {'a-0'}, 'r1': set()}),
    ('reserved_host: a spare on maintenance does not',
     [host('c1', instances=vms('a', SMALL)),
      host('r1', reserved=True, on_maintenance=True)],
     'reserved_host', {'c1': {'a-0'}}),
    ('reserved_host: overflow goes to the next spare',
     [host('c1', instances=vms('a', MEDIUM, MEDIUM, MEDIUM)),
      host('r1', total=(4, 8192, 80), reserved=True),
      host('r2', total=(2, 4096, 40), reserved=True)],
     'reserved_host', {'c1': set(), 'r1': set(), 'r2': set()}),
    ('rh_priority: spares first, then the other hosts',
     [host('c1', instances=vms('a', MEDIUM, MEDIUM)),
      host('c2', total=(2, 4096, 40)),
      host('r1', total=(2, 4096, 40), reserved=True)],
     'rh_priority', {'c1': set(), 'c2': set(), 'r1': set()}),
    ('auto_priority: the other hosts first, then the spares',
     [host('c1', instances=vms('a', MEDIUM, MEDIUM)),
      host('c2', total=(2, 4096, 40)),
      host('r1', total=(2, 4096, 40), reserved=True)],
     'auto_priority', {'c1': set(), 'c2': set(), 'r1': set()}),
    ('a host on maintenance never fails and takes nothing',
     [host('c1', instances=vms('a', SMALL)),
      host('c2', on_maintenance=True, instances=vms('b', SMALL))],
     'auto', {'c1': {'a-0'}}),
    ('a host Nova reports no capacity for takes nothing',
     [host('c1', instances=vms('a', SMALL)),
      HostState(name='c2')],
     'auto', {'c1': {'a-0'}, 'c2': set()}),
]


@pytest.mark.parametrize('hosts,method,expected',
                         [case[1:] for case in CASES],
                         ids=[case[0] for case in CASES])
def test_single_host_losses(hosts, method, expected):
    report = evaluate(hosts, method)
    assert {name: set(unplaced(report, name))
            for name in report.single} == expected
    assert report.protected is not any(expected.values())
    assert report.checked == len(expected)
    assert {o.failed for o in report.failed_sets} == {
        (name,) for name, ids in expected.items() if ids}


def test_reasons_and_messages():
    report = evaluate([
        host('c1', total=(4, 8192, 100), instances=vms('a', MEDIUM, SMALL)),
        host('c2', total=(4, 8192, 100), instances=vms('b', MEDIUM, SMALL)),
    ])
    [item] = report.single['c1'].unplaced
    assert (item.instance.id, item.host, item.reason) == (
        'a-0', 'c1', protection.NO_ROOM)
    # c2 has 1 vCPU, 2048 MiB, 40 GiB free: a-0 comes first and does not
    # fit, a-1 does.
    assert item.message == (
        'needs 2 vCPU, 4096 MiB RAM, 40 GiB disk; no target host has room '
        'left (the closest, c2, lacks vcpus, memory_mb: 1 vCPU, 2048 MiB '
        'RAM, 40 GiB disk free)')
    assert report.single['c1'].placed == {'a-1': 'c2'}

    report = evaluate([host('c1', instances=vms('a', SMALL))],
                      'reserved_host')
    [item] = report.single['c1'].unplaced
    assert (item.reason, item.message) == (
        protection.NO_TARGET, 'no host can take it: no reserved host is '
                              'available')


def test_unknown_size_never_fits():
    report = evaluate([host('c1', instances=(Instance('x'),)), host('c2')])
    [item] = report.single['c1'].unplaced
    assert item.reason == protection.UNKNOWN_SIZE


def test_restart_order_decides_who_gets_the_last_room():
    # Room for one MEDIUM on c2: the first instance in the engine's order
    # (the higher priority one, listed first) takes it.
    high = Instance('high', priority=3, need=MEDIUM)
    low = Instance('low', priority=0, need=MEDIUM)
    report = evaluate([host('c1', instances=(high, low)),
                       host('c2', total=(2, 4096, 40))])
    assert report.single['c1'].placed == {'high': 'c2'}
    assert unplaced(report, 'c1') == {'low': protection.NO_ROOM}


def test_auto_spreads_to_the_host_with_most_free_memory():
    report = evaluate([host('c1', instances=vms('a', SMALL, SMALL)),
                       host('c2', total=(8, 8192, 400)),
                       host('c3', total=(8, 16384, 400))])
    assert report.single['c1'].placed == {'a-0': 'c3', 'a-1': 'c3'}
    report = evaluate([host('c1', instances=vms('a', SMALL, SMALL)),
                       host('c2', total=(8, 4096, 400)),
                       host('c3', total=(8, 4096, 400))])
    assert sorted(report.single['c1'].placed.values()) == ['c2', 'c3']


@pytest.mark.parametrize('ratios,fits', [
    (ONE, False),
    (protection.Ratios(vcpu=4.0, memory=1.0, disk=1.0), True),
    (protection.Ratios(vcpu=4.0, memory=0.5, disk=1.0), False),
])
def test_allocation_ratios(ratios, fits):
    # c2 has 2 physical vCPUs, all used, and 5 GiB of its 8 GiB RAM free;
    # c1's server needs one more vCPU and 2 GiB.
    hosts = [host('c1', instances=vms('a', SMALL)),
             host('c2', total=(2, 8192, 100), used=(2, 3072, 20))]
    assert evaluate(hosts, ratios=ratios).protected is fits


def test_usage_reported_by_nova_counts_not_only_the_instances():
    # Nova's memory_mb_used includes the host's reserved memory.
    hosts = [host('c1', instances=vms('a', SMALL)),
             host('c2', total=(8, 4096, 100), used=(0, 2560, 0))]
    assert evaluate(hosts).protected is False


@pytest.mark.parametrize('method,spares,absorbed', [
    # Two hosts lost at once: each needs a spare of its own, since a
    # spare taken into use is no longer reserved.
    ('reserved_host', 1, False),
    ('reserved_host', 2, True),
    ('auto', 0, True),
])
def test_two_host_failures(method, spares, absorbed):
    hosts = [host('c%d' % n, instances=vms('c%d' % n, SMALL))
             for n in (1, 2, 3, 4)]
    hosts += [host('r%d' % n, reserved=True) for n in range(spares)]
    report = evaluate(hosts, method, k=2)
    candidates = 4 + spares
    assert report.checked == candidates * (candidates - 1) // 2
    assert report.protected is absorbed
    # One lost host alone is absorbed in every case.
    assert all(outcome.fits for outcome in report.single.values())


def test_k_failures_name_the_sets_not_absorbed():
    hosts = [host('c1', total=(4, 8192, 100), instances=vms('a', MEDIUM)),
             host('c2', total=(4, 8192, 100), instances=vms('b', MEDIUM)),
             host('c3', total=(2, 4096, 100))]
    report = evaluate(hosts, k=2)
    failed = {o.failed: {i.instance.id for i in o.unplaced}
              for o in report.failed_sets}
    # c1+c2 lost: c3 takes one MEDIUM only.
    assert failed == {('c1', 'c2'): {'b-0'}}
    assert report.single['c1'].fits and report.single['c2'].fits


def test_too_many_failure_sets():
    hosts = [host('c%d' % n) for n in range(40)]
    assert protection.count_failure_sets(hosts, 2) == 780
    evaluate(hosts, k=2)
    with pytest.raises(protection.TooManyFailureSets):
        evaluate(hosts, k=3)


def test_nothing_to_check_is_not_protected():
    report = evaluate([host('c1', on_maintenance=True)])
    assert report.checked == 0
    assert report.protected is False
    assert 'nothing to check' in report.warnings[0]


@pytest.mark.parametrize('flags,reason', [
    ({}, None),
    ({'on_maintenance': True}, 'the host is on maintenance'),
    ({'service_up': False}, 'its compute service is down'),
    ({'service_enabled': False}, 'its compute service is disabled'),
    ({'service_enabled': False, 'reserved': True}, None),
])
def test_refusal(flags, reason):
    assert protection.refusal(host('c1', **flags)) == reason
    assert protection.refusal(HostState('c9')) == (
        'Nova reports no capacity for this host')
