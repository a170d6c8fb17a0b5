"""Pauses of automatic recovery: /v1/recovery_pauses (microversion 1.6).

``POST`` pauses all segments (no ``segment_id``) or one; ``DELETE`` of a
pause resumes: the notifications it held go to the engine, oldest first
(202, with their uuids).
"""

from masakari.api.schemas import holds as schemas
from masakari.api import validation
from masakari.db import models
from masakari.ha import pauses as ha
from masakari.ha import segments as ha_segments
from masakari.policies import holds as rules
from masakari import policy
from masakari import utils


def view(pause):
    return {'id': pause.uuid,
            'segment_id': (None if pause.scope == models.GLOBAL_SCOPE
                           else pause.scope),
            'reason': pause.reason,
            'created_at': utils.isotime(pause.created_at),
            'held_notifications': ha.held_count(pause)}


def index(req):
    policy.authorize(req.context, rules.PAUSE_INDEX)
    return 200, {'recovery_pauses': [view(pause) for pause in
                                     ha.get_all(req.context)]}


def show(req, pause_id):
    policy.authorize(req.context, rules.PAUSE_DETAIL)
    return 200, {'recovery_pause': view(ha.get(req.context, pause_id))}


def create(req):
    validation.validate(schemas.create_pause, req.data)
    policy.authorize(req.context, rules.PAUSE_CREATE)
    data = req.data['recovery_pause']
    segment_uuid = None
    if data.get('segment_id'):
        segment_uuid = ha_segments.get(req.context, data['segment_id']).uuid
    pause = ha.pause(req.context, data['reason'], segment_uuid)
    return 201, {'recovery_pause': view(pause)}


def delete(req, pause_id):
    policy.authorize(req.context, rules.PAUSE_DELETE)
    rows = ha.resume(req.context, pause_id)
    return 202, {'resumed_notifications': [row.notification_uuid
                                           for row in rows]}
