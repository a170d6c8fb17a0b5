"""Every configuration option masakari reads, registered on one global CONF.

Each module of this package holds one option group (or one concern of
``[DEFAULT]``) and exposes ``register_opts(conf)`` and ``list_opts()``.
"""

from oslo_config import cfg

from masakari.conf import api
from masakari.conf import base
from masakari.conf import coordination
from masakari.conf import database
from masakari.conf import engine
from masakari.conf import fencing
from masakari.conf import messaging
from masakari.conf import metrics
from masakari.conf import nova
from masakari.conf import nova_events
from masakari.conf import osapi_v1
from masakari.conf import protection
from masakari.conf import recovery_flows
from masakari.conf import return_to_service
from masakari.conf import storm_brake
from masakari.conf import taskflow
from masakari.conf import wsgi

CONF = cfg.CONF

MODULES = (api, base, coordination, database, engine, fencing, messaging,
           metrics, nova, nova_events, osapi_v1, protection, recovery_flows,
           return_to_service, storm_brake, taskflow, wsgi)

for _module in MODULES:
    _module.register_opts(CONF)
