"""The cloud a load run works on, and the check of how it ended.

``build`` seeds the Nova simulator and masakari's API: ``failing`` compute
hosts, each with ``per_host`` HA instances, spread over ``segments`` auto
segments, plus roomy spare hosts (one per segment, two at least) for the
instances to land on. All failing hosts are failed in Nova up front (a rack
losing power): a host that is still up could otherwise receive instances
of another and then have them evacuated a second time when it fails.

``verify`` then reads the outcome where it is decided: masakari's
notifications (exactly one per failed host, ``finished``) and Nova's own
record of every HA instance (active elsewhere, evacuated exactly once).
"""

import collections
import dataclasses
import json
import time

import requests

from masakari.simulator.checks import evacuation_problems

SPARE_CAPACITY = {'vcpus': 100000, 'memory_mb': 100000000}
FINAL = ('finished', 'failed', 'ignored')


@dataclasses.dataclass
class Layout:
    """What ``build`` made: {segment uuid: {id, name, hosts: {name:
    uuid}}} and {failing host name: {uuid, segment, servers}}."""

    segments: dict
    failing: dict
    prefix: str

    def host_uuid(self, name):
        for segment in self.segments.values():
            if name in segment['hosts']:
                return segment['hosts'][name]
        raise KeyError(name)

    def ha_instances(self):
        return sum(len(h['servers']) for h in self.failing.values())


def _admin(api_url, token=None):
    session = requests.Session()
    session.headers['Accept'] = 'application/json'
    if token:
        session.headers['X-Auth-Token'] = token
    base = api_url.rstrip('/') + '/v1'

    def post(path, body):
        response = session.post(base + path, json=body, timeout=60)
        assert response.status_code in (200, 201), response.text
        return response.json()
    return post


def build(api_url, sim, failing=12, per_host=2, segments=3, prefix=None,
          token=None):
    """Seed Nova (``sim``: a ``SimulatorClient``) and masakari; returns
    the ``Layout``. Host names start with ``prefix`` (unique per run)."""
    prefix = prefix or 'load%d' % (time.time() * 1000 % 10**8)
    post = _admin(api_url, token)
    segments = max(1, min(segments, failing))
    spares = max(2, segments)
    layout = Layout({}, {}, prefix)
    uuids = []
    for index in range(segments):
        made = post('/segments', {'segment': {
            'name': '%s-seg%02d' % (prefix, index),
            'recovery_method': 'auto', 'service_type': 'COMPUTE'}})
        segment = made['segment']
        layout.segments[segment['uuid']] = {
            'id': segment['id'], 'name': segment['name'], 'hosts': {}}
        uuids.append(segment['uuid'])
    names = ['%s-spare%02d' % (prefix, i) for i in range(spares)]
    names += ['%s-c%03d' % (prefix, i) for i in range(failing)]
    for index, name in enumerate(names):
        spare = '-spare' in name
        segment = uuids[index % segments]
        sim.add_host(name, **(SPARE_CAPACITY if spare else
                              {'vcpus': 64, 'memory_mb': 131072}))
        host = post('/segments/%s/hosts' % segment, {'host': {
            'name': name, 'type': 'COMPUTE',
            'control_attributes': 'SSH'}})['host']
        layout.segments[segment]['hosts'][name] = host['uuid']
        if not spare:
            servers = sim.add_servers(name, per_host,
                                      name_prefix='ha-%s' % name,
                                      metadata={'HA_Enabled': 'True'})
            layout.failing[name] = {'uuid': host['uuid'],
                                    'segment': segment, 'servers': servers}
    return layout


def fail_all(sim, layout):
    for name in layout.failing:
        sim.fail_host(name)


def notifications_by_host(client, layout, since):
    """{failing host name: [notification rows]} of the notifications
    generated since ``since`` (ISO time), read page by page."""
    by_uuid = {h['uuid']: name for name, h in layout.failing.items()}
    found = collections.defaultdict(list)
    marker = None
    while True:
        path = ('/v1/notifications?limit=500&sort_key=id&sort_dir=asc'
                '&generated-since=%s' % since)
        if marker is not None:
            path += '&marker=%d' % marker
        status, text = client.request('GET', path)
        if status != 200:
            return None
        rows = json.loads(text)['notifications']
        for row in rows:
            name = by_uuid.get(row['source_host_uuid'])
            if name is not None:
                found[name].append(row)
        if len(rows) < 500:
            return found
        marker = rows[-1]['id']


def verify(sim, layout, found, accepted):
    """How the run ended: notification and evacuation figures, and the
    list of problems (empty when all is well). ``found`` is
    ``notifications_by_host``'s answer; ``accepted`` the hosts whose
    monitor had its notification stored."""
    problems = []
    statuses = collections.Counter()
    finished = lost = 0
    for name in layout.failing:
        rows = found.get(name, [])
        statuses.update(r['status'] for r in rows)
        if not rows:
            lost += 1
            problems.append('no notification of %s is stored (monitor '
                            '%s)' % (name, 'accepted' if name in accepted
                                     else 'gave up'))
        elif len(rows) > 1:
            problems.append('%s has %d notifications' % (name, len(rows)))
        if rows and all(r['status'] == 'finished' for r in rows):
            finished += 1
        elif rows:
            problems.append('the notification of %s is %s' % (
                name, [r['status'] for r in rows]))
    ids = set()
    for name, host in layout.failing.items():
        ids.update(host['servers'])
        problems.extend(evacuation_problems(
            [sim.server(i) for i in host['servers']], name))
    evacuations = collections.Counter(
        min(server['evacuations'], 2) for server in sim.servers()
        if server['id'] in ids)
    posted = len(layout.failing)
    return {
        'notifications': {
            'posted': posted, 'accepted': len(accepted),
            'finished': finished, 'lost': lost,
            'not_finished': posted - finished - lost,
            'statuses': dict(statuses)},
        'evacuations': {
            'instances': len(ids),
            'evacuated_once': evacuations[1],
            'not_evacuated': evacuations[0],
            'double': evacuations[2]},
        'all_finished': finished == posted,
        'problems': problems}


def outcome_figures(result):
    """The fields every fault scenario of the reliability figures shares
    (``emit_outcome`` of the tests' figures module), from a load run's
    result."""
    notes, moves = result['notifications'], result['evacuations']
    return {'posted': notes['posted'], 'accepted': notes['accepted'],
            'lost': notes['lost'] + notes['not_finished'],
            'instances': moves['instances'], 'double': moves['double']}
