"""Policy names and defaults (contract 3.1) and the enforcer."""

import pytest

from masakari import context
from masakari import exception
from masakari import policies
from masakari import policy

EXPECTED = {
    'context_is_admin': 'role:admin',
    'admin_or_owner': 'is_admin:True or project_id:%(project_id)s',
    'admin_api': 'is_admin:True',
    'os_masakari_api:versions:index': '@',
    'os_masakari_api:versions:discoverable': '@',
}
ADMIN_ONLY = [
    'os_masakari_api:%s' % name for name in (
        'extensions:index', 'extensions:detail', 'extensions:discoverable',
        'segments:index', 'segments:detail', 'segments:create',
        'segments:update', 'segments:delete', 'segments:protection',
        'segments:discoverable',
        'os-hosts:index', 'os-hosts:detail', 'os-hosts:create',
        'os-hosts:update', 'os-hosts:delete', 'os-hosts:recovery_preview',
        'os-hosts:discoverable',
        'notifications:index', 'notifications:detail',
        'notifications:create', 'notifications:discoverable',
        'vmoves:index', 'vmoves:detail', 'vmoves:discoverable',
        'storm_brakes:index', 'storm_brakes:action',
        'recovery_pauses:index', 'recovery_pauses:detail',
        'recovery_pauses:create', 'recovery_pauses:delete')]


def test_rule_names_and_defaults():
    rules = {rule.name: rule.check_str for rule in policies.list_rules()}
    expected = dict(EXPECTED, **{name: 'rule:admin_api'
                                 for name in ADMIN_ONLY})
    assert rules == expected
    for rule in policies.list_rules():
        assert not rule.scope_types


@pytest.fixture
def enforcer(conf):
    policy.reset()
    yield policy.init()
    policy.reset()


def _context(roles, is_admin=None, project_id='p1'):
    ctx = context.RequestContext(user_id='u1', project_id=project_id,
                                 roles=roles)
    ctx.is_admin = (policy.check_is_admin(ctx) if is_admin is None
                    else is_admin)
    return ctx


def test_admin_role_makes_is_admin(enforcer):
    assert _context(['admin']).is_admin is True
    assert _context(['member', 'reader']).is_admin is False


def test_authorize(enforcer):
    admin = _context(['admin'])
    member = _context(['member'])
    for name in ADMIN_ONLY:
        assert policy.authorize(admin, name)
        assert policy.check(member, name) is False
    with pytest.raises(exception.PolicyNotAuthorized) as info:
        policy.authorize(member, 'os_masakari_api:segments:create')
    assert info.value.code == 403
    assert info.value.format_message() == (
        "Policy doesn't allow os_masakari_api:segments:create to be "
        "performed.")
    assert policy.authorize(member, 'os_masakari_api:versions:index')


def test_is_admin_check_reads_the_context(enforcer):
    # is_admin comes from the context, not from the roles at check time
    assert policy.check(_context(['member'], is_admin=True),
                        'os_masakari_api:segments:index')
    assert not policy.check(_context(['admin'], is_admin=False),
                            'os_masakari_api:segments:index')


def test_admin_or_owner(enforcer):
    owner = _context(['member'], project_id='p1')
    assert policy.check(owner, 'admin_or_owner',
                        target={'project_id': 'p1'})
    assert not policy.check(owner, 'admin_or_owner',
                            target={'project_id': 'p2'})


def test_policy_file_overrides(conf, tmp_path):
    policy_file = tmp_path / 'policy.yaml'
    policy_file.write_text('"os_masakari_api:segments:index": "role:reader"\n')
    conf.set_override('policy_file', str(policy_file), 'oslo_policy')
    policy.reset()
    try:
        policy.init()
        assert policy.check(_context(['reader']),
                            'os_masakari_api:segments:index')
        assert not policy.check(_context(['reader']),
                                'os_masakari_api:segments:create')
    finally:
        policy.reset()
