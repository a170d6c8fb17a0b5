"""A bounded fuzz run of the API, driven by doc/source/openapi.yaml.

Hypothesis picks an operation of the OpenAPI document (plain or project-id
form) and fills it: path parameters are ids that exist or junk, query
parameters follow their documented schema or are junk, the microversion
header is valid or not, bodies follow the documented request schema (with
names of real hosts, so some requests succeed), are arbitrary JSON or are
not JSON at all. Against the real paste pipeline (noauth2, in-process HTTP
server, SQLite, the Nova simulator for host names, an RPC stand-in for the
engine) every answer must:

* not be a 5xx;
* be a documented status whose body validates against the document;
* when it is a 4xx, have changed nothing in the database (every row of
  every table is compared before and after).

It runs on PostgreSQL and MariaDB (``MASAKARI_FUZZ_BACKENDS``, also
``sqlite``), ``MASAKARI_FUZZ_EXAMPLES`` (default 200) examples on each, and
is reproducible: ``MASAKARI_FUZZ_SEED`` (default 0) seeds it. Inputs it
found that broke the API are kept as plain tests at the end.
"""

import datetime
import json
import os
import time
from urllib import parse

import pytest
import requests

from masakari.compute import client as nova_client
from masakari.conf import CONF
from masakari.db import api as db_api
from masakari import rpc
from masakari.simulator import server as simulator_server
from masakari.tests.functional.api import fixtures
from masakari.tests.functional import test_openapi

hypothesis = pytest.importorskip('hypothesis')
st = hypothesis.strategies

EXAMPLES = int(os.environ.get('MASAKARI_FUZZ_EXAMPLES', '200'))
SEED = int(os.environ.get('MASAKARI_FUZZ_SEED', '0'))
# The production databases: each rejects different odd input.
BACKENDS = os.environ.get('MASAKARI_FUZZ_BACKENDS',
                          'postgresql,mysql').split(',')
PROJECT_ID = 'c0ffee00' * 4
NOVA_HOSTS = tuple('fuzz%d' % i for i in range(1, 7))
# Registered in the seed segment; the others are free for POST .../hosts.
REGISTERED = NOVA_HOSTS[:3]
DOCUMENT = test_openapi.Document()
METHODS = ('get', 'put', 'post', 'delete')


def _operations():
    ops = []
    for path, item in sorted(DOCUMENT.doc['paths'].items()):
        if not path.startswith('/v1/') or path == '/v1/':
            continue
        for method in METHODS:
            if method in item:
                params = DOCUMENT.resolve(
                    item.get('parameters', []) +
                    item[method].get('parameters', []))
                ops.append((path, method, params))
    return ops


OPERATIONS = _operations()
_FORMATS = {
    # The API's own formats (masakari/api/validation.py).
    'name': st.text(min_size=1, max_size=20).map(str.strip).filter(bool),
    'description': st.text(max_size=30),
}
_ANY_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=3) |
    st.dictionaries(st.text(max_size=10), children, max_size=3),
    max_leaves=8)


def _schema_strategy(schema):
    return from_schema(test_openapi._strip(DOCUMENT.resolve(schema)))


def from_schema(schema):
    """Values valid for ``schema``, for the JSON-schema keywords the
    document uses (type, enum, const, pattern, lengths, minimum, format,
    properties, required, patternProperties, additionalProperties, anyOf
    of required lists, items)."""
    if 'enum' in schema:
        return st.sampled_from(schema['enum'])
    if 'const' in schema:
        return st.just(schema['const'])
    if 'anyOf' in schema:
        # Update bodies: "at least one of these properties".
        base = {k: v for k, v in schema.items() if k != 'anyOf'}
        return st.one_of(*[
            from_schema(dict(base, required=sorted(
                set(base.get('required', [])) | set(branch['required']))))
            for branch in schema['anyOf']])
    types = schema.get('type', ['string'])
    if isinstance(types, list):
        return st.one_of(*[from_schema(dict(schema, type=t))
                           for t in types])
    if types == 'null':
        return st.none()
    if types == 'boolean':
        return st.booleans()
    if types in ('integer', 'number'):
        return st.integers(min_value=schema.get('minimum'),
                           max_value=schema.get('maximum'))
    if types == 'array':
        return st.lists(from_schema(schema.get('items', {})), max_size=3)
    if types == 'object':
        return _object(schema)
    return _string(schema)


def _string(schema):
    low, high = schema.get('minLength', 0), schema.get('maxLength', 40)
    fmt = schema.get('format')
    if fmt == 'uuid':
        return st.uuids().map(str)
    if fmt == 'date-time':
        return st.datetimes().map(datetime.datetime.isoformat)
    if fmt in _FORMATS:
        text = _FORMATS[fmt]
    elif 'pattern' in schema:
        text = st.from_regex(schema['pattern'], fullmatch=True)
    else:
        text = st.text(max_size=min(high, 40))
    return text.filter(lambda value: low <= len(value) <= high)


def _object(schema):
    properties = schema.get('properties', {})
    required = schema.get('required', [])
    fixed = st.fixed_dictionaries(
        {name: from_schema(properties.get(name, {})) for name in required},
        optional={name: from_schema(value)
                  for name, value in properties.items()
                  if name not in required})
    patterns = schema.get('patternProperties', {})
    if not patterns:
        return fixed
    pattern, value = next(iter(patterns.items()))
    extra = st.dictionaries(st.from_regex(pattern, fullmatch=True),
                            from_schema(value), max_size=3)
    return st.tuples(fixed, extra).map(lambda pair: {**pair[1], **pair[0]})


_PAYLOADS = {
    name: _schema_strategy(
        DOCUMENT.doc['components']['schemas'][schema])
    for name, schema in (('COMPUTE_HOST', 'ComputeHostPayload'),
                         ('PROCESS', 'ProcessPayload'),
                         ('VM', 'VMPayload'))}


@st.composite
def _notification(draw):
    """A notification a monitor could send, from a real or unknown host."""
    kind = draw(st.sampled_from(sorted(_PAYLOADS)))
    when = datetime.datetime(2026, 1, 1) + datetime.timedelta(
        seconds=draw(st.integers(0, 10 ** 7)))
    return {'notification': {
        'type': kind,
        'hostname': draw(st.sampled_from(NOVA_HOSTS + ('nowhere',))),
        'generated_time': draw(st.sampled_from(
            [when.isoformat(), when.isoformat(sep=' '),
             when.strftime('%Y-%m-%dT%H:%M:%SZ')])),
        'payload': draw(_PAYLOADS[kind])}}


@st.composite
def _host(draw, update=False):
    fields = {'name': st.sampled_from(NOVA_HOSTS + ('nowhere',)),
              'type': st.sampled_from(['COMPUTE', 'compute', '']),
              'control_attributes': st.text(max_size=10),
              'reserved': st.sampled_from([True, False, 'yes', 'off']),
              'on_maintenance': st.sampled_from([True, False, '0'])}
    required = () if update else ('name', 'type', 'control_attributes')
    chosen = draw(st.fixed_dictionaries(
        {key: fields[key] for key in required},
        optional={key: fields[key] for key in fields
                  if key not in required}))
    return {'host': chosen}


def _body_strategy(path, method):
    schema = DOCUMENT.operation(path, method)['requestBody']['content'][
        'application/json']['schema']
    documented = _schema_strategy(schema)
    if path.endswith('/notifications'):
        realistic = _notification()
    elif path.endswith('/hosts'):
        realistic = _host()
    elif path.endswith('{host_id}'):
        realistic = _host(update=True)
    else:
        realistic = documented
    return st.one_of(
        realistic.map(lambda body: ('json', body)),
        documented.map(lambda body: ('json', body)),
        _ANY_JSON.map(lambda body: ('json', body)),
        st.binary(max_size=30).map(lambda raw: ('raw', raw)),
        st.just(('raw', b'')))


_BODIES = {(path, method): _body_strategy(path, method)
           for path, method, _params in OPERATIONS
           if method in ('post', 'put')}
_JUNK = st.text(max_size=12)
# Mostly versions that pass, so that requests reach the handlers.
_MICROVERSIONS = st.one_of(
    st.sampled_from([None, 'instance-ha 1.0', 'instance-ha 1.1',
                     'instance-ha 1.2', 'instance-ha 1.3',
                     'instance-ha 1.4', 'instance-ha 1.5', 'instance-ha 1.6',
                     'instance-ha latest', 'compute 2.1']),
    st.sampled_from(['instance-ha 1.7', 'instance-ha 2.0', 'instance-ha 1',
                     'instance-ha 01.1', 'instance-ha']),
    st.just(None), st.just('instance-ha 1.3'))


class Pools:
    """Ids of what exists, refreshed from the database before each
    example, so path parameters often name real resources."""

    def refresh(self):
        self.segments = [s.uuid for s in db_api.segment_get_all()]
        self.hosts = [h.uuid for h in db_api.host_get_all()]
        self.notifications = [n.notification_uuid
                              for n in db_api.notification_get_all()]
        self.vmoves = [v.uuid for v in db_api.vmove_get_all()]
        return self

    def ids(self, name):
        return {'segment_id': self.segments, 'host_id': self.hosts,
                'notification_id': self.notifications,
                'vmove_id': self.vmoves,
                'alias': ['segments', 'vmoves', 'os-hosts']}.get(name, [])


def _value(draw, parameter, pools):
    """A parameter value: an id that exists, junk, or (for a query
    parameter) one following its documented schema.

    The same draws are made whatever exists, so that Hypothesis can replay
    an example although the database has changed since.
    """
    name = parameter['name']
    if name == 'project_id':
        return draw(st.sampled_from([PROJECT_ID, PROJECT_ID,
                                     'badc0ffee', 'NOT-HEX']))
    kind = draw(st.integers(0, 3))
    index = draw(st.integers(0, 1000))
    junk = draw(_JUNK)
    if parameter['in'] == 'query' and kind == 3:
        return draw(_schema_strategy(parameter['schema']))
    known = pools.ids(name)
    if kind < 2 and known:
        return known[index % len(known)]
    return junk


@pytest.fixture
def running_api(conf, database):
    """The API over HTTP, with a segment, hosts, notifications and a vmove
    to aim at."""
    simulator = simulator_server.NovaSimulator().start()
    for name in NOVA_HOSTS:
        simulator.state.add_host(name)
    CONF.set_override('auth_strategy', 'noauth2')
    CONF.set_override('auth_type', 'none', 'nova')
    CONF.set_override('endpoint_override', simulator.url, 'nova')
    CONF.set_override('call_retries', 0, 'nova')
    CONF.set_override('duplicate_notification_detection_interval', 0)
    nova_client.reset_clients()
    engine = fixtures.EngineRecorder()
    server = fixtures.ApiServer()
    _seed(server)
    yield server
    server.stop()
    engine.stop()
    rpc.cleanup()
    nova_client.reset_clients()
    fixtures.stop_in_background(simulator)


def _seed(server):
    segment = server.post('/segments', {'segment': {
        'name': 'fuzz', 'recovery_method': 'auto',
        'service_type': 'COMPUTE'}}).json()['segment']
    for name in REGISTERED:
        assert server.post('/segments/%s/hosts' % segment['uuid'], {
            'host': {'name': name, 'type': 'COMPUTE',
                     'control_attributes': 'SSH'}}).status_code == 201
    uuids = []
    for kind, payload in (
            ('COMPUTE_HOST', {'event': 'STOPPED', 'host_status': 'NORMAL'}),
            ('PROCESS', {'event': 'STOPPED',
                         'process_name': 'nova-compute'})):
        answer = server.post('/notifications', {'notification': {
            'type': kind, 'hostname': REGISTERED[0],
            'generated_time': '2026-01-01T00:00:00', 'payload': payload}})
        assert answer.status_code == 202, answer.text
        uuids.append(answer.json()['notification']['notification_uuid'])
    db_api.vmove_create_many([{
        'notification_uuid': uuids[0],
        'instance_uuid': '6a9c8b2e-3f4d-4e5f-8a7b-1c2d3e4f5a6b',
        'instance_name': 'vm', 'source_host': REGISTERED[0],
        'type': 'evacuation', 'status': 'pending'}])


def _request(data, pools):
    path, method, parameters = data.draw(st.sampled_from(OPERATIONS))
    values, query = {}, {}
    for parameter in parameters:
        if parameter['in'] == 'path':
            values[parameter['name']] = _value(data.draw, parameter, pools)
        elif parameter['in'] == 'query' and data.draw(st.booleans()):
            query[parameter['name']] = _value(data.draw, parameter, pools)
    url = path.format(**{name: parse.quote(str(value), safe='')
                         for name, value in values.items()})
    headers = {'X-Project-Id': PROJECT_ID}
    version = data.draw(_MICROVERSIONS)
    if version:
        headers['OpenStack-API-Version'] = version
    kwargs = {'params': query, 'headers': headers}
    if method in ('post', 'put'):
        kind, body = data.draw(_BODIES[(path, method)])
        if kind == 'json':
            kwargs['data'] = json.dumps(body).encode('utf-8')
        else:
            kwargs['data'] = body
        headers['Content-Type'] = data.draw(st.sampled_from(
            ['application/json'] * 4 + [
                'text/plain', 'application/json; charset=UTF-8',
                'application/vnd.openstack.masakari+json', 'text/html']))
    return path, method, url, kwargs


@pytest.mark.parametrize('backend', BACKENDS, indirect=True)
def test_fuzz_api(running_api):
    session = requests.Session()
    pools = Pools()
    seen = {}
    started = time.monotonic()

    @hypothesis.settings(
        max_examples=EXAMPLES, deadline=None, database=None,
        derandomize=False, print_blob=True,
        suppress_health_check=list(hypothesis.HealthCheck))
    @hypothesis.seed(SEED)
    @hypothesis.given(data=st.data())
    def fuzz(data):
        path, method, url, kwargs = _request(data, pools.refresh())
        before = fixtures.dump_database()
        answer = session.request(method, running_api.url + url, timeout=30,
                                 **kwargs)
        status = answer.status_code
        key = (path, method, status)
        seen[key] = seen.get(key, 0) + 1
        assert status < 500, (method, url, kwargs, answer.text)
        if 400 <= status < 500:
            assert fixtures.dump_database() == before, (
                'a %d changed the database: %s %s %s'
                % (status, method, url, kwargs))
        if answer.headers.get('Content-Type', '').startswith('text/html'):
            # A path that matches no route (e.g. a path parameter holding
            # an encoded slash): webob's bare 404, as documented.
            assert status == 404, answer.text
        elif status == 405:
            assert answer.json()['badMethod']['code'] == 405
        else:
            DOCUMENT.check(path, method, answer)

    fuzz()
    elapsed = time.monotonic() - started
    statuses = sorted({status for _p, _m, status in seen})
    print('fuzz: %d requests in %.1fs, statuses %s'
          % (sum(seen.values()), elapsed, statuses))
    # The run did reach past validation: successes and client errors.
    assert any(200 <= status < 300 for status in statuses), seen
    assert any(400 <= status < 500 for status in statuses), seen


# --- what the fuzzing found -------------------------------------------------
@pytest.mark.parametrize('backend', ['postgresql', 'mysql', 'sqlite'],
                         indirect=True)
@pytest.mark.parametrize('value', ['\x00', 'a\x00b', '\U00010000'])
def test_filter_values_no_row_can_hold(running_api, value):
    """A NUL (PostgreSQL: 500) or a character beyond the BMP (MariaDB's
    utf8 tables: 503 "database could not be reached") in a list filter:
    nothing can match, the list is empty."""
    segment = db_api.segment_get_all()[0].uuid
    notification = db_api.notification_get_all(
        filters={'type': 'COMPUTE_HOST'})[0].notification_uuid
    for path, names in (
            ('/segments', ('service_type',)),
            ('/segments/%s/hosts' % segment,
             ('type', 'name', 'control_attributes')),
            ('/notifications', ('source_host_uuid', 'type')),
            ('/notifications/%s/vmoves' % notification, ('status', 'type'))):
        for name in names:
            answer = running_api.get(path, params={name: value})
            assert answer.status_code == 200, (path, name, answer.text)
            assert list(answer.json().values()) == [[]], (path, name)
