"""Rules of the storm brake and of recovery pauses (microversion 1.6);
admin only by default: they decide whether instances are evacuated."""

from masakari.policies import base

STORM_BRAKES = base.MASAKARI_API + ':storm_brakes:%s'
STORM_INDEX = STORM_BRAKES % 'index'
STORM_ACTION = STORM_BRAKES % 'action'
PAUSES = base.MASAKARI_API + ':recovery_pauses:%s'
PAUSE_INDEX = PAUSES % 'index'
PAUSE_DETAIL = PAUSES % 'detail'
PAUSE_CREATE = PAUSES % 'create'
PAUSE_DELETE = PAUSES % 'delete'

rules = [
    base.api_rule(STORM_INDEX, 'GET', '/storm_brakes',
                  'Lists the segments whose storm brake holds host '
                  'failures, with the held notifications.'),
    base.api_rule(STORM_ACTION, 'POST', '/storm_brakes/{segment_id}/action',
                  'Releases (recovers) or cancels the host failures the '
                  'storm brake of a segment holds.'),
    base.api_rule(PAUSE_INDEX, 'GET', '/recovery_pauses',
                  'Lists the pauses of automatic recovery.'),
    base.api_rule(PAUSE_DETAIL, 'GET', '/recovery_pauses/{pause_id}',
                  'Shows a pause of automatic recovery.'),
    base.api_rule(PAUSE_CREATE, 'POST', '/recovery_pauses',
                  'Pauses automatic recovery of all segments or of one.'),
    base.api_rule(PAUSE_DELETE, 'DELETE', '/recovery_pauses/{pause_id}',
                  'Resumes automatic recovery: ends a pause and recovers '
                  'what it held.'),
]


def list_rules():
    return rules
