"""The BMC inventory file: its format, its errors, its secrets."""

import os

import pytest

from masakari.fencing import drivers
from masakari.fencing.errors import InventoryError
from masakari.fencing import inventory

SECRET = 'pa55-w0rd-xyz'
REDFISH = {'driver': 'redfish', 'address': 'https://10.0.0.1',
           'username': 'admin', 'password': SECRET}


def test_no_file_configured_means_no_fencing(conf):
    assert inventory.lookup('compute1') is None


def test_listed_hosts_and_defaults(bmc_inventory):
    bmc_inventory({
        'compute1': REDFISH,
        'compute2': {'driver': 'ipmi', 'address': '10.0.0.2', 'port': 6230,
                     'username': 'root', 'password': SECRET},
        'compute3': {'driver': 'noop'},
    })
    first = inventory.lookup('compute1')
    assert (first.host, first.driver, first.address, first.verify,
            first.system_id) == ('compute1', 'redfish', 'https://10.0.0.1',
                                 True, None)
    assert inventory.lookup('compute2').port == 6230
    assert inventory.lookup('compute3').driver == 'noop'
    assert inventory.lookup('compute9') is None


def test_kdump_addresses(bmc_inventory):
    bmc_inventory({
        'compute1': dict(REDFISH, kdump_addresses=['10.0.1.1',
                                                   '::ffff:10.0.1.2',
                                                   'fe80::1%eth0']),
        'compute2': dict(REDFISH, kdump_addresses=[]),
        'compute3': REDFISH,
    })
    assert inventory.lookup('compute1').kdump_addresses == (
        '10.0.1.1', '10.0.1.2', 'fe80::1')
    assert inventory.lookup('compute2').kdump_addresses == ()
    assert inventory.lookup('compute3').kdump_addresses is None


def test_password_never_shown(bmc_inventory):
    bmc_inventory({'compute1': REDFISH})
    bmc = inventory.lookup('compute1')
    assert bmc.password == SECRET
    for text in (repr(bmc), str(bmc), '%s' % [bmc]):
        assert SECRET not in text
    assert "password='****'" in repr(bmc)


@pytest.mark.parametrize('entry, complaint', [
    ({'driver': 'pdu', 'password': SECRET}, "'driver' must be one of"),
    ({'driver': 'redfish', 'password': SECRET}, "needs an 'address'"),
    (dict(REDFISH, pasword=SECRET), 'unknown keys pasword'),
    (dict(REDFISH, port='623'), "'port' must be an integer"),
    (dict(REDFISH, port=70000), "'port' must be an integer"),
    (dict(REDFISH, verify=''), "'verify' must be true, false"),
    (dict(REDFISH, password=[SECRET]), "'password' must be a string"),
    ('redfish ' + SECRET, 'the entry must be a mapping'),
    (dict(REDFISH, kdump_addresses=SECRET), "'kdump_addresses' must be a"),
    (dict(REDFISH, kdump_addresses=['10.0.0.5', SECRET]),
     "'kdump_addresses' must be a list of IP addresses"),
    (dict(REDFISH, kdump_addresses=[1]), "'kdump_addresses' must be a"),
])
def test_malformed_entry_names_file_and_host_not_values(
        bmc_inventory, entry, complaint):
    path = bmc_inventory({'broken': entry, 'fine': REDFISH})
    with pytest.raises(InventoryError) as caught:
        inventory.lookup('broken')
    message = str(caught.value)
    assert complaint in message
    assert path in message and "'broken'" in message
    assert SECRET not in message
    # the other hosts of the file are still usable
    assert inventory.lookup('fine').address == 'https://10.0.0.1'


def test_invalid_yaml_fails_every_host_without_quoting_it(conf, tmp_path):
    path = tmp_path / 'bmcs.yaml'
    path.write_text('hosts:\n  compute1:\n    password: "%s\n  x: [\n'
                    % SECRET)
    conf.set_override('bmc_inventory_file', str(path), 'fencing')
    with pytest.raises(InventoryError) as caught:
        inventory.lookup('compute1')
    assert 'is not valid YAML at line' in str(caught.value)
    assert SECRET not in str(caught.value)


@pytest.mark.parametrize('text', ['- a list\n', 'hosts: [compute1]\n'])
def test_wrong_shape(conf, tmp_path, text):
    path = tmp_path / 'bmcs.yaml'
    path.write_text(text)
    conf.set_override('bmc_inventory_file', str(path), 'fencing')
    with pytest.raises(InventoryError, match="a 'hosts' mapping"):
        inventory.lookup('compute1')


def test_missing_file_fails_rather_than_skipping_fencing(conf, tmp_path):
    conf.set_override('bmc_inventory_file', str(tmp_path / 'gone.yaml'),
                      'fencing')
    with pytest.raises(InventoryError, match='cannot be read'):
        inventory.lookup('compute1')


def test_empty_file_lists_nobody(conf, tmp_path):
    path = tmp_path / 'bmcs.yaml'
    path.write_text('')
    conf.set_override('bmc_inventory_file', str(path), 'fencing')
    assert inventory.lookup('compute1') is None


def test_file_read_again_when_changed_only(bmc_inventory, monkeypatch):
    path = bmc_inventory({'compute1': REDFISH})
    assert inventory.lookup('compute1').address == 'https://10.0.0.1'
    parses = []
    real_parse = inventory._parse_file
    monkeypatch.setattr(inventory, '_parse_file',
                        lambda p: parses.append(p) or real_parse(p))
    inventory.lookup('compute1')
    assert parses == []  # unchanged: one stat, no parse

    bmc_inventory({'compute1': dict(REDFISH, address='https://10.0.0.9')})
    assert inventory.lookup('compute1').address == 'https://10.0.0.9'
    assert parses == [path]

    # same size and inode, newer mtime: still noticed
    with open(path) as handle:
        text = handle.read()
    with open(path, 'w') as handle:
        handle.write(text.replace('10.0.0.9', '10.0.0.8'))
    stat = os.stat(path)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1000))
    assert inventory.lookup('compute1').address == 'https://10.0.0.8'


def test_driver_names_come_from_the_entry_points():
    assert {'redfish', 'ipmi', 'noop'} <= drivers.names()
    assert drivers.get('noop').fences is False
    assert drivers.get('redfish').fences is True
