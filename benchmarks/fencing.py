"""BMCs for the simulated hosts of the fenced recovery row.

One Redfish BMC emulator (``masakari.simulator.bmc``) per failed host, in
the benchmark's process, listed in the inventory file the engine reads
(``[fencing] bmc_inventory_file``). Powering a host off through its BMC
fails that host in the simulator: its compute stops then, not before.
"""

import os
import time

import requests
import yaml

from masakari.simulator.bmc.redfish import RedfishBMC


class Fencing:
    """The BMCs of one benchmark run and their inventory file."""

    def __init__(self, inventory_path):
        self.path = inventory_path
        self.bmcs = {}
        self._write()

    def _write(self):
        entries = {host: bmc.inventory_entry()
                   for host, bmc in self.bmcs.items()}
        temporary = self.path + '.tmp'
        with open(temporary, 'w') as handle:
            yaml.safe_dump({'hosts': entries}, handle)
        # A new inode: the engine sees the change even within one mtime.
        os.replace(temporary, self.path)

    def add(self, host, simulator_url):
        """Start ``host``'s BMC, list it; its power-off fails ``host`` in
        the simulator and records the wall-clock moment in ``failed_at``."""
        bmc = RedfishBMC(host)
        bmc.failed_at = None

        def power_off():
            bmc.failed_at = time.time()
            requests.post('%s/hosts/%s/fail' % (simulator_url, host),
                          timeout=30).raise_for_status()

        bmc.on_power_off = power_off
        bmc.start()
        self.bmcs[host] = bmc
        self._write()
        return bmc

    def remove(self, host):
        bmc = self.bmcs.pop(host, None)
        if bmc is not None:
            bmc.stop()
            self._write()

    @staticmethod
    def fence_seconds(bmc):
        """The BMC's own time to power off: from the (first) power-off
        request to the host off, as it recorded them; None if never."""
        if not bmc.power_off_requests or not bmc.powered_off_at:
            return None
        return bmc.powered_off_at[0] - bmc.power_off_requests[0]

    def stop(self):
        for host in list(self.bmcs):
            self.remove(host)
