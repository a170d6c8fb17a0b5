"""Rules of /notifications."""

from masakari.policies import base

NOTIFICATIONS = base.MASAKARI_API + ':notifications:%s'
INDEX = NOTIFICATIONS % 'index'
DETAIL = NOTIFICATIONS % 'detail'
CREATE = NOTIFICATIONS % 'create'

_COLLECTION = '/notifications'

rules = [
    base.api_rule(INDEX, 'GET', _COLLECTION,
                  'Lists IDs, notification types, host_name, generated '
                  'time, payload and status for all notifications.'),
    base.api_rule(DETAIL, 'GET', _COLLECTION + '/{notification_id}',
                  'Shows details for a notification.'),
    base.api_rule(CREATE, 'POST', _COLLECTION, 'Creates a notification.'),
    base.discoverable('notifications'),
]


def list_rules():
    return rules
