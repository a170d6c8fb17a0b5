"""The storm brake of each segment: /v1/storm_brakes (microversion 1.6).

``GET /storm_brakes`` lists the segments whose brake is on, with the host
failures it holds; ``POST /storm_brakes/{segment_id}/action`` with
``{"release": {}}`` recovers them (202: the engine runs them) or with
``{"cancel": {"reason": ...}}`` ends them ``ignored`` (200). Either may
name ``notifications`` to settle only some.
"""

from masakari.api.handlers import notifications
from masakari.api.schemas import holds as schemas
from masakari.api import validation
from masakari.ha import segments as ha_segments
from masakari.ha import storm_brakes as ha
from masakari.policies import holds as rules
from masakari import policy


def view(brake, version):
    segment = brake['segment']
    return {'segment_uuid': brake['segment_uuid'],
            'segment_name': segment.name if segment is not None else None,
            'hosts': brake['hosts'],
            'notifications': [notifications.view(row, version)
                              for row in brake['notifications']]}


def index(req):
    policy.authorize(req.context, rules.STORM_INDEX)
    return 200, {'storm_brakes': [view(brake, req.version)
                                  for brake in ha.get_all(req.context)]}


def action(req, segment_id):
    validation.validate(schemas.storm_brake_action, req.data)
    policy.authorize(req.context, rules.STORM_ACTION)
    segment = ha_segments.get(req.context, segment_id)
    name, args = next(iter(req.data.items()))
    args = args or {}
    if name == 'release':
        rows = ha.release(req.context, segment.uuid,
                          args.get('notifications'))
        status = 202
    else:
        rows = ha.cancel(req.context, segment.uuid, args['reason'],
                         args.get('notifications'))
        status = 200
    return status, {'storm_brake': {
        'segment_uuid': segment.uuid, 'action': name,
        'notifications': [notifications.view(row, req.version)
                          for row in rows]}}
