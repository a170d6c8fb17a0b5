"""masakari-status: pre-upgrade checks (oslo.upgradecheck)."""

import sys

from oslo_upgradecheck import common_checks
from oslo_upgradecheck import upgradecheck

from masakari.conf import CONF
from masakari.db import migration


class Checks(upgradecheck.UpgradeCommands):
    """Checks an operator runs before and after upgrading masakari."""

    def _check_database_at_head(self):
        from alembic import script

        try:
            current = migration.db_version()
        except Exception as exc:
            return upgradecheck.Result(
                upgradecheck.Code.FAILURE,
                'Cannot read the database schema version: %s' % exc)
        heads = script.ScriptDirectory.from_config(
            migration._alembic_config(None)).get_heads()
        if current in heads:
            return upgradecheck.Result(upgradecheck.Code.SUCCESS)
        return upgradecheck.Result(
            upgradecheck.Code.WARNING,
            'Database schema is at %s, expected %s: run "masakari-manage db '
            'sync".' % (current, ', '.join(heads)))

    _upgrade_checks = (
        ('Policy File JSON to YAML Migration',
         (common_checks.check_policy_json, {'conf': CONF})),
        ('Database schema', _check_database_at_head),
    )


def main():
    return upgradecheck.main(CONF, project='masakari',
                             upgrade_command=Checks())


if __name__ == '__main__':
    sys.exit(main())
