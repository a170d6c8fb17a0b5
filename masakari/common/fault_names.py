"""The fault body names OpenStack APIs (Nova, Masakari) give each status.

A fault body is ``{"<name>": {"code": N, "message": "..."}}``; codes not
listed here use the service's own catch-all name.
"""

FAULT_NAMES = {
    400: 'badRequest',
    401: 'unauthorized',
    403: 'forbidden',
    404: 'itemNotFound',
    405: 'badMethod',
    409: 'conflictingRequest',
    413: 'overLimit',
    415: 'badMediaType',
    429: 'overLimit',
    501: 'notImplemented',
    503: 'serviceUnavailable',
}
