"""List parameters: limit, marker, sort keys and directions, filters."""

import pytest
import webob

from masakari.api import common
from masakari import exception


def _params(query):
    return webob.Request.blank('/?' + query).GET


def test_limit_and_marker(conf):
    assert common.limit_and_marker(_params('')) == (1000, None)
    assert common.limit_and_marker(_params('limit=5&marker=7')) == (5, '7')
    assert common.limit_and_marker(_params('limit=0')) == (0, None)
    assert common.limit_and_marker(_params('limit=5000')) == (1000, None)
    conf.set_override('osapi_max_limit', 10)
    assert common.limit_and_marker(_params('limit=50')) == (10, None)
    assert common.limit_and_marker(_params('page_size=3')) == (10, None)


@pytest.mark.parametrize('query', ['limit=-1', 'limit=x', 'limit=1.5',
                                   'limit=', 'page_size=-2', 'page_size=a'])
def test_bad_limits(conf, query):
    with pytest.raises(exception.InvalidInput):
        common.limit_and_marker(_params(query))


# The DB layer appends the tie-breakers created_at and id (see
# test_db_api.test_sort_tie_breakers_keep_pages_stable).
@pytest.mark.parametrize('query,keys,dirs', [
    ('', ['created_at'], ['desc']),
    ('sort_key=name', ['name'], ['desc']),
    ('sort_key=name&sort_dir=asc', ['name'], ['asc']),
    ('sort_key=name&sort_key=type&sort_dir=asc', ['name', 'type'],
     ['asc'] * 2),
    ('sort_key=name&sort_key=id&sort_dir=desc&sort_dir=asc',
     ['name', 'id'], ['desc', 'asc']),
    ('sort_dir=asc', ['created_at'], ['asc']),
    ('sort_key=%20name%20', ['name'], ['desc']),
])
def test_sort_params(query, keys, dirs):
    assert common.sort_params(_params(query)) == (keys, dirs)


@pytest.mark.parametrize('query,message', [
    ('sort_dir=up', "Unknown sort direction, must be 'asc' or 'desc'"),
    ('sort_key=name&sort_dir=asc&sort_dir=desc',
     'Sort direction size exceeds sort key size'),
    ('sort_dir=asc&sort_dir=asc', 'Sort direction size exceeds sort key '
                                  'size'),
])
def test_bad_sort_params(query, message):
    with pytest.raises(exception.InvalidInput) as info:
        common.sort_params(_params(query))
    assert message in info.value.format_message()


def test_bool_filter():
    for value, expected in (('True', True), ('false', False), ('1', True),
                            ('off', False), ('yes', True), ('t', True)):
        assert common.bool_filter(_params('reserved=' + value),
                                  'reserved') is expected
    with pytest.raises(exception.Invalid) as info:
        common.bool_filter(_params('reserved=maybe'), 'reserved')
    assert info.value.code == 400
    assert info.value.format_message().startswith(
        'Invalid value for reserved: ')
