"""The only policy enforcer of masakari.

Handlers call ``authorize(context, RULE)``; the keystone context middleware
calls ``check_is_admin`` once per request to fill ``context.is_admin``, which
the custom ``is_admin:True`` check of the default rules compares against.
"""

import threading
import time

from oslo_config import cfg
from oslo_policy import policy

from masakari.conf import CONF
from masakari import exception
from masakari import policies

_ENFORCER = None
_LOCK = threading.Lock()
# How often an enforcement looks for a changed policy file.
POLICY_FILE_CHECK_INTERVAL = 1.0


class _Enforcer(policy.Enforcer):
    """Looks for changed policy files once a second, not at every check.

    oslo.policy stats the policy file and every policy directory at each
    ``enforce``: a quarter of the policy cost of a request. An edited file
    still applies within ``POLICY_FILE_CHECK_INTERVAL``.
    """

    _next_check = 0.0

    def load_rules(self, force_reload=False):
        now = time.monotonic()
        if force_reload or not self.rules or now >= self._next_check:
            super().load_rules(force_reload)
            self._next_check = now + POLICY_FILE_CHECK_INTERVAL

    def clear(self):
        super().clear()
        self._next_check = 0.0


@policy.register('is_admin')
class IsAdminCheck(policy.Check):
    """``is_admin:True`` (or False) compared with the context's is_admin."""

    def __init__(self, kind, match):
        self.expected = match.lower() == 'true'
        super().__init__(kind, str(self.expected))

    def __call__(self, target, creds, enforcer, current_rule=None):
        return creds.get('is_admin') == self.expected


def reset():
    """Forget the enforcer, e.g. when the configuration was reloaded."""
    global _ENFORCER
    with _LOCK:
        if _ENFORCER is not None:
            _ENFORCER.clear()
        _ENFORCER = None


def init(policy_file=None, rules=None, default_rule=None, use_conf=True):
    """Create the enforcer (once) and register masakari's default rules."""
    global _ENFORCER
    with _LOCK:
        if _ENFORCER is None:
            enforcer = _Enforcer(CONF, policy_file=policy_file,
                                       rules=rules, default_rule=default_rule,
                                       use_conf=use_conf)
            enforcer.register_defaults(policies.list_rules())
            _ENFORCER = enforcer
        return _ENFORCER


def get_enforcer():
    """Entry point ``oslo.policy.enforcer`` for the oslopolicy-* tools."""
    cfg.CONF([], project='masakari')
    return init()


def _credentials(context):
    credentials = dict(context.to_policy_values())
    credentials['is_admin'] = bool(context.is_admin)
    return credentials


def _target(context):
    return {'project_id': context.project_id, 'user_id': context.user_id}


def authorize(context, action, target=None):
    """Raise PolicyNotAuthorized (403) unless ``context`` may do ``action``."""
    return init().authorize(action, target or _target(context),
                            _credentials(context), do_raise=True,
                            exc=exception.PolicyNotAuthorized, action=action)


def check(context, action, target=None):
    """Like ``authorize`` but answers True or False."""
    return init().authorize(action, target or _target(context),
                            _credentials(context), do_raise=False)


def check_is_admin(context):
    """Whether the roles of ``context`` satisfy ``context_is_admin``."""
    credentials = _credentials(context)
    return init().authorize('context_is_admin', credentials, credentials,
                            do_raise=False)
