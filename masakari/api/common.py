"""Query parameters every list shares: limit, marker, sort_key, sort_dir.

``list_params(req)`` returns the keyword arguments of the ``*_get_all``
functions of the DB API; the DB layer validates sort keys and markers and
appends the tie-breakers (``created_at``, ``id``) that keep pages stable.
"""

from masakari.conf import CONF
from masakari import exception
from masakari import utils

SORT_DIRS = ('asc', 'desc')
DEFAULT_SORT_KEY = 'created_at'
DEFAULT_SORT_DIR = 'desc'


def _non_negative_int(params, name):
    value = params[name]
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise exception.InvalidInput(reason='%s must be an integer' % name)
    if number < 0:
        raise exception.InvalidInput(reason='%s must be >= 0' % name)
    return number


def limit_and_marker(params):
    """``(limit, marker)``; limit is capped by ``[DEFAULT] osapi_max_limit``.

    ``page_size`` is checked like ``limit`` and otherwise ignored, as
    upstream does.
    """
    max_limit = CONF.osapi_max_limit
    limit = max_limit
    if 'limit' in params:
        limit = min(_non_negative_int(params, 'limit'), max_limit)
    if 'page_size' in params:
        _non_negative_int(params, 'page_size')
    marker = params.get('marker')
    return limit, marker


def sort_params(params):
    """``(sort_keys, sort_dirs)`` as requested, ``created_at`` when no key
    is given; keys without a direction take the first given direction
    (``desc`` when none is given)."""
    keys = [key.strip() for key in params.getall('sort_key')]
    dirs = [direction.strip() for direction in params.getall('sort_dir')]
    if not keys:
        keys = [DEFAULT_SORT_KEY]
    for direction in dirs:
        if direction not in SORT_DIRS:
            raise exception.InvalidInput(
                reason="Unknown sort direction, must be 'asc' or 'desc'")
    if len(dirs) > len(keys):
        raise exception.InvalidInput(
            reason='Sort direction size exceeds sort key size')
    default_dir = dirs[0] if dirs else DEFAULT_SORT_DIR
    dirs += [default_dir] * (len(keys) - len(dirs))
    return keys, dirs


def list_params(req):
    """Keyword arguments for a DB ``*_get_all`` call: paging and sorting."""
    limit, marker = limit_and_marker(req.params)
    sort_keys, sort_dirs = sort_params(req.params)
    return {'limit': limit, 'marker': marker, 'sort_keys': sort_keys,
            'sort_dirs': sort_dirs}


def bool_filter(params, name):
    """A boolean query filter, strictly parsed; 400 when invalid."""
    try:
        return utils.strict_bool(params[name])
    except ValueError as exc:
        raise exception.Invalid('Invalid value for %s: %s' % (name, exc))


def exact_filters(params, names):
    """The filters of ``names`` present in the query, taken as given."""
    return {name: params[name] for name in names if name in params}


def _storable(value):
    """Whether every backend can hold ``value`` in a text column: no NUL
    (PostgreSQL refuses it), nothing beyond the Basic Multilingual Plane
    (MySQL's utf8 tables cannot compare with it; the API stores no such
    character)."""
    return not isinstance(value, str) or (
        '\x00' not in value and all(ord(char) <= 0xFFFF for char in value))


def matches_nothing(filters):
    """True when a filter value cannot be stored, so no row can match: the
    list is empty without asking the database (which would fail)."""
    return not all(_storable(value) for value in filters.values())
