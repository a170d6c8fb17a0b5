"""Base rules the API rules refer to."""

from oslo_policy import policy

MASAKARI_API = 'os_masakari_api'

RULE_ADMIN_OR_OWNER = 'rule:admin_or_owner'
RULE_ADMIN_API = 'rule:admin_api'
RULE_ANY = '@'

rules = [
    policy.RuleDefault(
        'context_is_admin', 'role:admin',
        description="Decides what is required for the 'is_admin:True' "
                    "check to succeed."),
    policy.RuleDefault(
        'admin_or_owner', 'is_admin:True or project_id:%(project_id)s',
        description='Default rule for most non-Admin APIs.'),
    policy.RuleDefault(
        'admin_api', 'is_admin:True',
        description='Default rule for most Admin APIs.'),
]


def api_rule(name, method, path, description, check_str=RULE_ADMIN_API):
    """The rule of one API operation: admin-only unless told otherwise."""
    return policy.DocumentedRuleDefault(
        name=name, check_str=check_str, description=description,
        operations=[{'method': method, 'path': path}])


def discoverable(alias, check_str=RULE_ADMIN_API):
    """The ``<alias>:discoverable`` rule that filters GET /extensions."""
    return policy.RuleDefault(
        '%s:%s:discoverable' % (MASAKARI_API, alias), check_str,
        description='%s API extensions to change the API.' % alias)


def list_rules():
    return rules
