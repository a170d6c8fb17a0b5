"""The BMC drivers, found through stevedore.

Each is an entry point of the ``masakari.fencing_drivers`` namespace
(``redfish``, ``ipmi``, ``noop`` in setup.cfg), so a deployment can add its
own without changing masakari. Drivers are stateless: one instance of each
serves every host.
"""

import threading

from stevedore import driver as stevedore_driver
from stevedore import extension

NAMESPACE = 'masakari.fencing_drivers'

_LOADED = {}
_LOCK = threading.Lock()


def names():
    """The driver names an inventory file may use."""
    manager = extension.ExtensionManager(NAMESPACE, invoke_on_load=False)
    return frozenset(manager.names())


def get(name):
    """The (shared) driver instance called ``name``."""
    with _LOCK:
        if name not in _LOADED:
            manager = stevedore_driver.DriverManager(
                NAMESPACE, name, invoke_on_load=True)
            _LOADED[name] = manager.driver
        return _LOADED[name]
