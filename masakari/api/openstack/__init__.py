"""Names an upstream api-paste.ini refers to, so an operator's existing
file keeps working. New files use masakari.api.middleware/router."""

from masakari.api.middleware import FaultWrapper

__all__ = ['FaultWrapper']
