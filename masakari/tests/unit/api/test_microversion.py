"""Reading ``OpenStack-API-Version: instance-ha X.Y``."""

import pytest
import webob

from masakari.api import microversion
from masakari import exception


def _version(value):
    headers = webob.Request.blank('/').headers
    if value is not None:
        headers['OpenStack-API-Version'] = value
    return microversion.from_headers(headers)


@pytest.mark.parametrize('value,expected', [
    (None, (1, 0)),
    ('instance-ha 1.0', (1, 0)),
    ('instance-ha 1.3', (1, 3)),
    ('instance-ha 1.4', (1, 4)),
    ('instance-ha 1.5', (1, 5)),
    ('instance-ha latest', (1, 5)),
    ('instance-ha LATEST', (1, 5)),
    ('Instance-HA 1.2', (1, 2)),
    ('compute 2.53, instance-ha 1.1', (1, 1)),
    ('instance-ha 1.1, compute 2.53, instance-ha 1.2', (1, 2)),
    ('compute 2.53', (1, 0)),
    ('instance-ha  1.2 ', (1, 2)),
])
def test_supported(value, expected):
    version = _version(value)
    assert version == expected
    assert str(version) == '%d.%d' % expected


@pytest.mark.parametrize('value', [
    'instance-ha 1', 'instance-ha 1.x', 'instance-ha 01.0',
    'instance-ha 1.01', 'instance-ha 0.9', 'instance-ha v1.1',
    'instance-ha 1.1.1', 'instance-ha -1.0'])
def test_malformed_is_400(value):
    with pytest.raises(exception.InvalidAPIVersionString) as info:
        _version(value)
    assert info.value.code == 400


@pytest.mark.parametrize('value', ['instance-ha 1.6', 'instance-ha 2.0',
                                   'instance-ha 1.10'])
def test_out_of_range_is_406(value):
    with pytest.raises(exception.InvalidGlobalAPIVersion) as info:
        _version(value)
    assert info.value.code == 406
    assert info.value.format_message().endswith(
        'is not supported by the API. Minimum is 1.0 and maximum is 1.5.')


def test_at_least_and_headers():
    version = microversion.Version(1, 2)
    assert version.at_least('1.1') and version.at_least('1.2')
    assert not version.at_least('1.3')
    assert microversion.Version(1, 10) > microversion.Version(1, 9)
    assert microversion.response_headers(version) == [
        ('OpenStack-API-Version', 'instance-ha 1.2'),
        ('Vary', 'OpenStack-API-Version')]
