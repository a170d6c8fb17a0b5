"""Start-up shared by every console script: parse config, set up logging."""

from oslo_log import log as logging

from masakari.conf import CONF
from masakari import version

_LOGGING_REGISTERED = []


def _register_logging():
    if not _LOGGING_REGISTERED:
        logging.register_options(CONF)
        _LOGGING_REGISTERED.append(True)


def parse_args(argv, default_config_files=None, setup_logging=True):
    """Parse ``argv`` (without the program name) into the global CONF."""
    _register_logging()
    logging.set_defaults(default_log_levels=logging.get_default_log_levels() +
                         ['stevedore=WARN', 'taskflow=WARN', 'alembic=WARN',
                          'keystoneauth=WARN', 'novaclient=WARN'])
    CONF(argv, project='masakari', version=version.version_string(),
         default_config_files=default_config_files)
    if setup_logging:
        logging.setup(CONF, 'masakari')
