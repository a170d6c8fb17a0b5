"""Number formatting shared by the parts of the performance page."""

MIB = 1024 * 1024
# The recovery target: measured / bound at the largest N.
TARGET_RATIO = 1.10


def f(value, fmt='%.2f', missing='-'):
    return missing if value is None else fmt % value


def mib(value):
    return f(value / MIB if value else None, '%.0f MiB')
