"""Instance High Availability for OpenStack clouds.

masakari runs on native threads (contract decision 9): oslo.service, which
oslo.messaging imports, is told to use its threading backend before anything
can load its eventlet one.
"""

import warnings as _warnings

# futurist and oslo.utils import eventlet merely to detect it when the
# package happens to be installed (it is a dependency of some OpenStack
# libraries); masakari never uses it, so its deprecation banner is noise.
_warnings.filterwarnings('ignore', message=r'\s*Eventlet is deprecated')

from oslo_service import backend as _oslo_service_backend  # noqa: E402

if _oslo_service_backend.get_backend_type() is None:
    _oslo_service_backend.init_backend(
        _oslo_service_backend.BackendType.THREADING)
