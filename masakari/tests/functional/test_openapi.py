"""doc/source/openapi.yaml against the code and the running API.

* Every route of the route table (``masakari.api.router.ROUTES``), in both
  its plain and its project-id form, is a path of the document with the
  same methods, and the document has no other path.
* The documented request bodies are the API's own JSON schemas.
* Real answers of a running API (the all-in-one stack: the paste pipeline
  with noauth2, the real engine on the fake transport, the Nova simulator)
  to good and bad requests of every operation have a documented status and
  validate against the documented body schema and headers.
"""

import copy
import datetime
import pathlib
import re
import time

import jsonschema
import pytest
import requests
import yaml

from masakari.api.router import ROUTES
from masakari.api.schemas import hosts as host_schemas
from masakari.api.schemas import notifications as notification_schemas
from masakari.api.schemas import segments as segment_schemas
from masakari import rpc

DOCUMENT = (pathlib.Path(__file__).parents[3] / 'doc' / 'source' /
            'openapi.yaml')
METHODS = ('get', 'put', 'post', 'delete', 'patch', 'head', 'options',
           'trace')
PROJECT = 'PROJECT'
# Keywords that only document: not part of what the API validates.
DOC_ONLY = ('description', 'examples', 'example', 'title')


def load():
    with open(DOCUMENT) as handle:
        return yaml.safe_load(handle)


class Document:
    """The OpenAPI document, with a validator for its schemas."""

    def __init__(self, document=None):
        self.doc = document or load()

    def operation(self, path, method):
        return self.doc['paths'][path].get(method.lower())

    def resolve(self, node):
        """``node`` with every local ``$ref`` replaced by its target."""
        if isinstance(node, list):
            return [self.resolve(item) for item in node]
        if not isinstance(node, dict):
            return node
        if '$ref' in node:
            target = self.doc
            for part in node['$ref'].lstrip('#/').split('/'):
                target = target[part.replace('~1', '/').replace('~0', '~')]
            merged = dict(self.resolve(target))
            merged.update({key: self.resolve(value)
                           for key, value in node.items() if key != '$ref'})
            return merged
        return {key: self.resolve(value) for key, value in node.items()}

    def validator(self, schema):
        """A Draft 2020-12 validator whose $refs resolve in the document."""
        root = dict(schema, components=self.doc['components'])
        return jsonschema.Draft202012Validator(root)

    def response(self, path, method, status):
        operation = self.operation(path, method)
        assert operation is not None, '%s %s is not documented' % (method,
                                                                    path)
        response = operation['responses'].get(str(status))
        assert response is not None, (
            '%s %s answered %s, not documented (documented: %s)'
            % (method, path, status, sorted(operation['responses'])))
        return self.resolve(response)

    def check(self, path, method, answer):
        """Assert ``answer`` (a requests response) is documented."""
        documented = self.response(path, method, answer.status_code)
        content = documented.get('content')
        if content is None:
            assert not answer.content or answer.status_code == 401, (
                path, method, answer.status_code, answer.text)
        else:
            media = answer.headers['Content-Type'].split(';')[0]
            assert media in content or (
                media == 'application/vnd.openstack.masakari+json' and
                'application/json' in content), (path, method, media)
            schema = content.get(media, content.get('application/json'))[
                'schema']
            body = answer.json() if 'json' in media else answer.text
            errors = sorted(self.validator(schema).iter_errors(body),
                            key=str)
            assert not errors, '%s %s %s: %s\n%s' % (
                method, path, answer.status_code,
                '\n'.join('%s at %s' % (e.message, list(e.absolute_path))
                          for e in errors[:5]), answer.text[:2000])
        for name, header in documented.get('headers', {}).items():
            if header.get('required'):
                assert name in answer.headers, (path, method, name)
            if name in answer.headers:
                jsonschema.validate(answer.headers[name], header['schema'])


def _strip(node):
    """A schema without documentation-only keywords and extensions."""
    if isinstance(node, list):
        return [_strip(item) for item in node]
    if not isinstance(node, dict):
        return node
    return {key: _strip(value) for key, value in node.items()
            if key not in DOC_ONLY and not key.startswith('x-')}


def _without(schema, field):
    """A segment request schema without ``field`` (the pre-1.2 one)."""
    schema = copy.deepcopy(schema)
    inner = schema['properties']['segment']
    del inner['properties'][field]
    if 'anyOf' in inner:
        inner['anyOf'].remove({'required': [field]})
    return schema


@pytest.fixture(scope='module')
def document():
    return Document()


# --- the document against the code ------------------------------------------
def documented_forms(template):
    """The document paths of a route template of the route table."""
    if template == '':
        return ['/v1', '/v1/']
    return ['/v1' + template, '/v1/{project_id}' + template]


def test_document_lists_exactly_the_routes(document):
    expected = {}
    for template, handlers in ROUTES.items():
        for path in documented_forms(template):
            expected[path] = {method.lower() for method in handlers}
    paths = document.doc['paths']
    documented = {path: {m for m in item if m in METHODS}
                  for path, item in paths.items()
                  if path.startswith('/v1')}
    assert sorted(documented) == sorted(expected)
    for path, methods in expected.items():
        assert documented[path] == methods, path
    # Outside /v1: the version list and the health check only.
    assert sorted(set(paths) - set(documented)) == ['/', '/healthcheck']


def test_path_parameters_are_declared(document):
    for path, item in document.doc['paths'].items():
        declared = {}
        for parameter in document.resolve(item.get('parameters', [])):
            declared[(parameter['name'], parameter['in'])] = parameter
        in_path = set(re.findall(r'\{(\w+)\}', path))
        assert {name for name, where in declared if where == 'path'} == \
            in_path, path
        for name in in_path:
            assert declared[(name, 'path')]['required'] is True
        if path.startswith('/v1'):
            assert ('OpenStack-API-Version', 'header') in declared, path


def test_every_operation_documents_its_faults(document):
    for path, item in document.doc['paths'].items():
        for method in set(item) & set(METHODS):
            responses = item[method]['responses']
            if path.startswith('/v1'):
                assert {'400', '406'} <= set(responses), (path, method)
            if method in ('post', 'put'):
                assert {'400', '413', '415'} <= set(responses), (path,
                                                                 method)
                assert item[method]['requestBody']['required'] is True
            if '{' in path.replace('{project_id}', ''):
                assert '404' in responses, (path, method)


@pytest.mark.parametrize('path,method,schema,before_1_2', [
    ('/v1/segments', 'post', segment_schemas.create_v12,
     segment_schemas.create),
    ('/v1/segments/{segment_id}', 'put', segment_schemas.update_v12,
     segment_schemas.update),
    ('/v1/segments/{segment_id}/hosts', 'post', host_schemas.create, None),
    ('/v1/segments/{segment_id}/hosts/{host_id}', 'put',
     host_schemas.update, None),
    ('/v1/notifications', 'post', notification_schemas.create, None),
])
def test_request_bodies_are_the_api_schemas(document, path, method, schema,
                                            before_1_2):
    body = document.operation(path, method)['requestBody']
    documented = _strip(document.resolve(
        body['content']['application/json']['schema']))
    assert documented == _strip(schema)
    if before_1_2 is not None:
        # ``enabled`` is the only difference the microversion makes.
        assert _without(documented, 'enabled') == _strip(before_1_2)


@pytest.mark.parametrize('name,notification_type', [
    ('ComputeHostPayload', 'COMPUTE_HOST'), ('ProcessPayload', 'PROCESS'),
    ('VMPayload', 'VM')])
def test_payload_schemas_are_the_api_schemas(document, name,
                                             notification_type):
    documented = document.resolve(document.doc['components']['schemas'][
        name])
    assert _strip(documented) == _strip(
        notification_schemas.PAYLOADS[notification_type])


def test_document_schemas_are_valid(document):
    for schema in document.doc['components']['schemas'].values():
        jsonschema.Draft202012Validator.check_schema(
            dict(schema, components=document.doc['components']))


# --- the document against the running API ----------------------------------
class Recorder:
    """Sends requests to the API and checks each answer is documented."""

    def __init__(self, base_url, document, project_id):
        self.base_url = base_url
        self.document = document
        self.project_id = project_id
        self.session = requests.Session()
        self.seen = set()

    def call(self, method, template, values=None, project=False,
             version=None, status=None, **kwargs):
        """``template`` is a path of the document below /v1 ('' for /v1);
        ``project`` sends it in its project-id form."""
        values = dict(values or {})
        path = '/v1' + ('/{project_id}' if project else '') + template
        values['project_id'] = self.project_id
        url = self.base_url + path.format(**values)
        headers = dict(kwargs.pop('headers', {}))
        headers.setdefault('X-Project-Id', self.project_id)
        if version:
            headers['OpenStack-API-Version'] = 'instance-ha %s' % version
        answer = self.session.request(method, url, headers=headers,
                                      timeout=30, **kwargs)
        if status is not None:
            assert answer.status_code == status, (method, url, answer.text)
        if answer.status_code == 405:
            self.document.validator(
                {'$ref': '#/components/schemas/BadMethodFault'}).validate(
                    answer.json())
        else:
            self.document.check(path, method, answer)
        self.seen.add((path, method.lower(), answer.status_code))
        return answer


@pytest.fixture
def stack(conf, tmp_path):
    from masakari.aio.stack import AllInOne

    options = {(None, 'periodic_enable'): False,
               (None, 'wait_period_after_service_update'): 5,
               (None, 'wait_period_after_evacuation'): 10,
               ('nova', 'call_retries'): 0}
    with AllInOne(str(tmp_path / 'state'), api_port=0,
                  simulator_settings={'evacuate_duration': 0.05,
                                      'stop_duration': 0.02,
                                      'start_duration': 0.02},
                  engine_options=options) as running:
        yield running
    rpc.cleanup()


SEGMENT = '/segments/{segment_id}'
HOSTS = SEGMENT + '/hosts'
HOST = HOSTS + '/{host_id}'
PREVIEW = HOST + '/recovery_preview'
PROTECTION = SEGMENT + '/protection'
NOTIFICATION = '/notifications/{notification_id}'
VMOVES = NOTIFICATION + '/vmoves'
VMOVE = VMOVES + '/{vmove_id}'
STORM_BRAKES = '/storm_brakes'
STORM_ACTION = STORM_BRAKES + '/{segment_id}/action'
PAUSES = '/recovery_pauses'
PAUSE = PAUSES + '/{pause_id}'


def _wait_final(api, uuid, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = api.call('GET', NOTIFICATION, {'notification_id': uuid},
                        status=200).json()['notification']
        if body['status'] not in ('new', 'running'):
            return body
        time.sleep(0.1)
    raise AssertionError('notification %s did not end' % uuid)


def _exercise(api, sim, project, tag):
    """Good and bad requests to every operation, in one path form."""
    def call(method, template, values=None, **kwargs):
        return api.call(method, template, values, project=project, **kwargs)

    hosts = ['%s-c%d' % (tag, i) for i in (1, 2, 3)]
    for name in hosts:
        sim.add_host(name)
    ha_ids = sim.add_servers(hosts[0], 2, metadata={'HA_Enabled': 'True'})
    new_segment = {'segment': {'name': tag, 'recovery_method': 'auto',
                               'service_type': 'COMPUTE'}}

    segment = call('POST', '/segments', json=new_segment,
                   status=201).json()['segment']
    sid = {'segment_id': segment['uuid']}
    call('POST', '/segments', json=new_segment, status=409)
    call('POST', '/segments', json={'segment': {'name': tag}}, status=400)
    with_enabled = {'segment': {
        'name': tag + '-e', 'recovery_method': 'rh_priority',
        'service_type': 'COMPUTE', 'enabled': 'no'}}
    call('POST', '/segments', json=with_enabled, status=400)
    extra = call('POST', '/segments', version='1.2', json=with_enabled,
                 status=201).json()['segment']
    eid = {'segment_id': extra['uuid']}
    call('POST', '/segments', data='{', status=400)
    call('POST', '/segments', data='{}', status=415,
         headers={'Content-Type': 'application/xml'})
    call('POST', '/segments', data='x' * 200000, status=413,
         headers={'Content-Type': 'application/json'})
    call('GET', '/segments', status=200)
    call('GET', '/segments', params={'enabled': 'maybe'}, status=400)
    call('GET', '/segments', params={'sort_key': 'nope'}, status=400)
    call('GET', '/segments', params={'limit': -1}, status=400)
    call('GET', '/segments', params={
        'limit': 1, 'sort_key': ['name', 'id'], 'sort_dir': 'asc',
        'recovery_method': 'auto', 'service_type': 'COMPUTE',
        'enabled': 'true', 'page_size': 5}, status=200)
    call('GET', '/segments', version='1.9', status=406)
    call('GET', '/segments', version='one', status=400)
    call('GET', SEGMENT, sid, status=200)
    call('GET', SEGMENT, {'segment_id': 'nope'}, status=404)
    call('PUT', SEGMENT, sid, json={'segment': {'description': 'd'}},
         status=200)
    call('PUT', SEGMENT, sid, json={'segment': {}}, status=400)
    call('PUT', SEGMENT, eid, version='1.2',
         json={'segment': {'enabled': True}}, status=200)
    call('POST', SEGMENT + '/action', sid, json={}, status=405)

    hid = []
    for index, name in enumerate(hosts):
        host = call('POST', HOSTS, sid, json={'host': {
            'name': name, 'type': 'COMPUTE', 'control_attributes': 'SSH',
            'reserved': index == 2}}, status=201).json()['host']
        hid.append(dict(sid, host_id=host['uuid']))
    known = {'host': {'name': hosts[0], 'type': 'COMPUTE',
                      'control_attributes': 'x'}}
    call('POST', HOSTS, sid, json=known, status=409)
    call('POST', HOSTS, {'segment_id': 'nope'}, json=known, status=404)
    call('POST', HOSTS, sid, json={'host': dict(
        known['host'], name=tag + '-unknown')}, status=400)
    call('GET', HOSTS, sid, status=200)
    call('GET', HOSTS, sid, params={'reserved': 'yes', 'on_maintenance': 'no',
                                    'type': 'COMPUTE'}, status=200)
    call('GET', HOSTS, sid, params={'reserved': 'perhaps'}, status=400)
    call('GET', HOSTS, {'segment_id': 'nope'}, status=404)
    call('GET', HOST, hid[0], status=200)
    call('GET', HOST, dict(sid, host_id='nope'), status=404)
    call('PUT', HOST, hid[1], json={'host': {'control_attributes': 'IPMI'}},
         status=200)
    call('PUT', HOST, hid[1], json={'host': {'type': None}}, status=400)
    preview = call('GET', PREVIEW, hid[0], version='1.4',
                   status=200).json()['recovery_preview']
    assert sorted(i['id'] for group in preview['evacuation_groups']
                  for i in group) == sorted(ha_ids)
    call('GET', PREVIEW, dict(sid, host_id='nope'), version='1.4',
         status=404)
    protection = call('GET', PROTECTION, sid, version='1.5',
                      status=200).json()['protection']
    assert {h['name'] for h in protection['hosts']} == set(hosts)
    call('GET', PROTECTION, sid, version='1.5',
         params={'host_failures': 2}, status=200)
    call('GET', PROTECTION, sid, version='1.5',
         params={'host_failures': 0}, status=400)
    call('GET', PROTECTION, {'segment_id': 'nope'}, version='1.5',
         status=404)

    sim.fail_host(hosts[0])
    generated = datetime.datetime.utcnow().isoformat()
    body = {'notification': {
        'type': 'COMPUTE_HOST', 'hostname': hosts[0],
        'generated_time': generated,
        'payload': {'event': 'STOPPED', 'host_status': 'NORMAL',
                    'cluster_status': 'OFFLINE'}}}
    host_down = call('POST', '/notifications', json=body,
                     status=202).json()['notification']
    call('POST', '/notifications', json=body, status=409)
    call('POST', '/notifications', json={'notification': dict(
        body['notification'], hostname=tag + '-unknown')}, status=400)
    call('POST', '/notifications', json={'notification': dict(
        body['notification'], payload={'event': 'stopped'})}, status=400)
    # Under recovery: its hosts cannot change.
    call('DELETE', HOST, hid[1], status=409)
    nid = {'notification_id': host_down['notification_uuid']}
    final = _wait_final(api, host_down['notification_uuid'])
    assert final['status'] == 'finished', final
    detail = call('GET', NOTIFICATION, nid, version='1.1',
                  status=200).json()['notification']
    assert detail['recovery_workflow_details']
    call('GET', NOTIFICATION, nid, status=200)
    call('GET', NOTIFICATION, {'notification_id': 'nope'}, status=404)
    call('PUT', NOTIFICATION, nid, json={}, status=405)
    call('POST', NOTIFICATION + '/action', nid, json={}, status=405)
    call('GET', '/notifications', status=200)
    call('GET', '/notifications', params={
        'status': 'finished', 'type': 'COMPUTE_HOST',
        'generated-since': generated,
        'source_host_uuid': hid[0]['host_id']}, status=200)
    call('GET', '/notifications', params={'generated-since': 'soon'},
         status=400)
    vmoves = call('GET', VMOVES, nid, version='1.3',
                  status=200).json()['vmoves']
    assert sorted(v['instance_uuid'] for v in vmoves) == sorted(ha_ids)
    call('GET', VMOVES, nid, params={'status': 'succeeded',
                                     'type': 'evacuation'}, status=200)
    call('GET', VMOVES, {'notification_id': 'nope'}, status=404)
    call('GET', VMOVE, dict(nid, vmove_id=vmoves[0]['uuid']), status=200)
    call('GET', VMOVE, dict(nid, vmove_id='nope'), status=404)

    vm = call('POST', '/notifications', json={'notification': {
        'type': 'VM', 'hostname': hosts[1], 'generated_time': generated,
        'payload': {'event': 'LIFECYCLE', 'instance_uuid': ha_ids[0],
                    'vir_domain_event': 'STOPPED_FAILED'}}},
        status=202).json()['notification']
    vid = {'notification_id': vm['notification_uuid']}
    _wait_final(api, vm['notification_uuid'])
    call('GET', VMOVES, vid, status=400)
    call('GET', VMOVE, dict(vid, vmove_id=vmoves[0]['uuid']), status=400)
    # The failed host is on maintenance now.
    call('POST', '/notifications', json=body, status=409)

    # The storm brake and recovery pauses (1.6).
    call('GET', STORM_BRAKES, version='1.6', status=200)
    call('POST', STORM_ACTION, sid, version='1.6', json={'release': {}},
         status=409)
    call('POST', STORM_ACTION, sid, version='1.6', json={'stop': {}},
         status=400)
    call('POST', STORM_ACTION, {'segment_id': 'nope'}, version='1.6',
         json={'cancel': {'reason': 'r'}}, status=404)
    pause = call('POST', PAUSES, version='1.6', json={'recovery_pause': {
        'reason': 'maintenance', 'segment_id': sid['segment_id']}},
        status=201).json()['recovery_pause']
    call('POST', PAUSES, version='1.6', json={'recovery_pause': {
        'reason': 'again', 'segment_id': sid['segment_id']}}, status=409)
    call('POST', PAUSES, version='1.6', json={'recovery_pause': {}},
         status=400)
    call('GET', PAUSES, version='1.6', status=200)
    pid = {'pause_id': pause['id']}
    call('GET', PAUSE, pid, version='1.6', status=200)
    call('DELETE', PAUSE, pid, version='1.6', status=202)
    call('DELETE', PAUSE, pid, version='1.6', status=404)
    call('GET', PAUSE, pid, version='1.6', status=404)

    call('GET', '/extensions', status=200)
    call('GET', '/extensions/{alias}', {'alias': 'vmoves'}, status=200)
    call('GET', '/extensions/{alias}', {'alias': 'nope'}, status=404)

    call('DELETE', SEGMENT, eid, status=204)
    call('DELETE', SEGMENT, eid, status=404)


def test_answers_match_the_document(stack, document):
    project_id = 'a1b2c3d4' * 4
    api = Recorder(stack.api_url, document, project_id)
    sim = stack.simulator.state

    for path in ('/', '/healthcheck'):
        answer = api.session.get(stack.api_url + path, timeout=30)
        document.check(path, 'get', answer)
    document.check('/', 'get', api.session.get(stack.api_url + '/x',
                                               timeout=30))
    for path in ('/v1', '/v1/'):
        document.check(path, 'get', api.session.get(stack.api_url + path,
                                                    timeout=30))
    _exercise(api, sim, False, 'plain')
    _exercise(api, sim, True, 'project')
    # A project id that is not the caller's.
    api.call('GET', '/segments', project=True, status=400,
             headers={'X-Project-Id': 'f' * 32})

    # Every documented operation was answered at least once, in both forms.
    answered = {(path, method) for path, method, _ in api.seen}
    for path, item in document.doc['paths'].items():
        if not path.startswith('/v1/') or path == '/v1/':
            continue
        for method in set(item) & set(METHODS):
            assert (path, method) in answered, (path, method)
