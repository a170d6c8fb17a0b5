"""Microversion header parsing, as Nova does it."""

import pytest

from masakari.simulator import errors
from masakari.simulator import microversion


@pytest.mark.parametrize('headers, expected', [
    ({}, (2, 1)),
    ({'X-OpenStack-Nova-API-Version': '2.53'}, (2, 53)),
    ({'OpenStack-API-Version': 'compute 2.60'}, (2, 60)),
    ({'OpenStack-API-Version': 'identity 3.0, COMPUTE 2.11'}, (2, 11)),
    ({'OpenStack-API-Version': 'compute 2.20',
      'X-OpenStack-Nova-API-Version': '2.5'}, (2, 20)),
    ({'OpenStack-API-Version': 'compute latest'}, microversion.MAX_VERSION),
])
def test_requested(headers, expected):
    assert microversion.requested(headers) == expected


def test_invalid_format_is_400():
    with pytest.raises(errors.BadRequest) as info:
        microversion.requested({'X-OpenStack-Nova-API-Version': '2.x'})
    assert 'is of invalid format' in info.value.message


@pytest.mark.parametrize('value', ['2.0', '2.999', '3.1'])
def test_unsupported_is_406(value):
    with pytest.raises(errors.NotAcceptable) as info:
        microversion.requested({'X-OpenStack-Nova-API-Version': value})
    assert info.value.message == (
        'Version %s is not supported by the API. Minimum is 2.1 and '
        'maximum is 2.96.' % value)


def test_response_headers_echo_both_forms():
    headers = dict(microversion.response_headers((2, 53)))
    assert headers['OpenStack-API-Version'] == 'compute 2.53'
    assert headers['X-OpenStack-Nova-API-Version'] == '2.53'
