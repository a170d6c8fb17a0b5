"""Which BMC powers which compute host: the operator's YAML inventory file.

The file is named by ``[fencing] bmc_inventory_file``; an empty value (the
default) means no host is fenced. Its format::

    hosts:
      compute1:            # the masakari / Nova compute host name
        driver: redfish    # redfish | ipmi | noop
        address: https://10.0.0.11     # redfish: base URL; ipmi: host or IP
        port: 623          # ipmi only, optional (default 623)
        username: admin
        password: secret
        verify: true       # redfish TLS: true | false | path to a CA bundle
        system_id: /redfish/v1/Systems/abc  # redfish, optional: else the
                                            # BMC's only system
        kdump_addresses: [10.0.1.11]  # optional: the addresses its kdump
                           # kernel sends fence_kdump messages from (else
                           # the host name's addresses; [] for none)
      compute2:
        driver: noop       # listed but not fenced (same as not listed)

A host that is not listed is not fenced. Unknown keys are refused, so a
misspelt ``pasword`` is found at once rather than at the first failure.

The file is the operator's and may change while the engine runs: every
lookup costs one ``stat``, and the file is parsed again when its mtime, size
or inode changed. A file that cannot be read or parsed fails every lookup
(fencing a host must never be skipped because its entry was unreadable); a
malformed entry fails the lookups of that host only. Error messages name the
file, the host and the key, never a value: values may be passwords.
"""

import dataclasses
import os
import threading

import yaml

from masakari.conf import CONF
from masakari.fencing import drivers
from masakari.fencing.errors import InventoryError
from masakari.fencing.errors import MASK
from masakari.fencing import kdump

_KEYS = {'driver', 'address', 'port', 'username', 'password', 'verify',
         'system_id', 'kdump_addresses'}
_NEEDS_ADDRESS = ('redfish', 'ipmi')
DEFAULT_IPMI_PORT = 623


@dataclasses.dataclass(frozen=True)
class BMC:
    """How to reach one host's BMC. Its repr and str mask the password, so
    a BMC can be logged or put in an exception without leaking it."""

    host: str
    driver: str
    address: str = ''
    username: str = ''
    password: str = ''
    port: int = DEFAULT_IPMI_PORT
    verify: bool | str = True
    system_id: str | None = None
    #: None: those of the host name (``fencing.api``); () for none.
    kdump_addresses: tuple | None = None

    def __repr__(self):
        fields = ', '.join(
            '%s=%r' % (field.name, MASK if field.name == 'password'
                       else getattr(self, field.name))
            for field in dataclasses.fields(self))
        return 'BMC(%s)' % fields

    def __str__(self):
        return '%s BMC of host %r at %s' % (self.driver, self.host,
                                             self.address)


def lookup(host_name):
    """The BMC of ``host_name``, or None when it is not to be fenced.

    Raises InventoryError when the configured file, or this host's entry,
    cannot be used.
    """
    path = CONF.fencing.bmc_inventory_file
    if not path:
        return None
    return _inventory(path).lookup(host_name)


_INVENTORIES = {}
_INVENTORIES_LOCK = threading.Lock()


def _inventory(path):
    with _INVENTORIES_LOCK:
        if path not in _INVENTORIES:
            _INVENTORIES[path] = Inventory(path)
        return _INVENTORIES[path]


class Inventory:
    """One inventory file, parsed again whenever it changes on disk."""

    def __init__(self, path):
        self.path = path
        self._lock = threading.Lock()
        self._signature = None
        self._entries = {}

    def lookup(self, host_name):
        entries = self._current_entries()
        entry = entries.get(host_name)
        if isinstance(entry, InventoryError):
            raise entry
        return entry

    def _current_entries(self):
        try:
            stat = os.stat(self.path)
        except OSError as exc:
            raise InventoryError(self.path, 'cannot be read (%s)'
                                 % exc.strerror)
        signature = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
        with self._lock:
            if signature != self._signature:
                self._entries = _parse_file(self.path)
                self._signature = signature
            return self._entries


def _parse_file(path):
    """host name → BMC, or → InventoryError for a malformed entry."""
    try:
        with open(path) as handle:
            document = yaml.safe_load(handle)
    except OSError as exc:
        raise InventoryError(path, 'cannot be read (%s)' % exc.strerror)
    except yaml.YAMLError as exc:
        # The YAML error's own text quotes the offending line, which may
        # hold a password: give only its position and the problem.
        mark = getattr(exc, 'problem_mark', None)
        where = ' at line %d' % (mark.line + 1) if mark else ''
        problem = getattr(exc, 'problem', None) or 'invalid YAML'
        raise InventoryError(path, 'is not valid YAML%s: %s'
                             % (where, problem))
    if document is None:
        return {}
    if not isinstance(document, dict) or not isinstance(
            document.get('hosts', {}), dict):
        raise InventoryError(path, "must be a mapping with a 'hosts' mapping")
    known = drivers.names()
    entries = {}
    for host, entry in (document.get('hosts') or {}).items():
        host = str(host)
        try:
            entries[host] = parse_entry(host, entry, known)
        except ValueError as exc:
            entries[host] = InventoryError(path, str(exc), host=host)
    return entries


def parse_entry(host, entry, known_drivers):
    """The BMC record of one host's mapping; ValueError names the problem
    without quoting any value."""
    if not isinstance(entry, dict):
        raise ValueError('the entry must be a mapping')
    unknown = sorted(str(key) for key in set(entry) - _KEYS)
    if unknown:
        raise ValueError('unknown keys %s (known: %s)'
                         % (', '.join(unknown), ', '.join(sorted(_KEYS))))
    driver = entry.get('driver')
    if driver not in known_drivers:
        raise ValueError("'driver' must be one of %s"
                         % ', '.join(sorted(known_drivers)))
    fields = {'host': host, 'driver': driver}
    for key in ('address', 'username', 'password', 'system_id'):
        if key in entry:
            fields[key] = _string(entry[key], key)
    if driver in _NEEDS_ADDRESS and not fields.get('address'):
        raise ValueError("driver %s needs an 'address'" % driver)
    if 'port' in entry:
        fields['port'] = _port(entry['port'])
    if 'verify' in entry:
        fields['verify'] = _verify(entry['verify'])
    if 'kdump_addresses' in entry:
        fields['kdump_addresses'] = _addresses(entry['kdump_addresses'])
    return BMC(**fields)


def _string(value, key):
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ValueError("'%s' must be a string" % key)
    return str(value)


def _port(value):
    if isinstance(value, bool) or not isinstance(value, int) or not (
            0 < value < 65536):
        raise ValueError("'port' must be an integer from 1 to 65535")
    return value


def _addresses(value):
    complaint = "'kdump_addresses' must be a list of IP addresses"
    if not isinstance(value, list) or not all(
            isinstance(item, str) for item in value):
        raise ValueError(complaint)
    try:
        return tuple(kdump.normal_address(item) for item in value)
    except ValueError:
        raise ValueError(complaint) from None


def _verify(value):
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value:
        return value
    raise ValueError("'verify' must be true, false or the path of a CA "
                     "bundle")
