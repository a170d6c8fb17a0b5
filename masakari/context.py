"""The request context passed from the API through the engine."""

from oslo_context import context


class RequestContext(context.RequestContext):
    """oslo.context's context plus the service catalog masakari keeps."""

    def __init__(self, service_catalog=None, **kwargs):
        kwargs.setdefault('is_admin', False)
        super().__init__(**kwargs)
        # Only the entries masakari may call are kept, as upstream does.
        self.service_catalog = [
            entry for entry in (service_catalog or [])
            if entry.get('type') in ('compute', 'identity')]

    def to_dict(self):
        values = super().to_dict()
        values['service_catalog'] = self.service_catalog
        return values

    @classmethod
    def from_dict(cls, values):
        return super().from_dict(
            values, service_catalog=values.get('service_catalog'))


def get_admin_context():
    """A context for work the service does on its own behalf."""
    return RequestContext(is_admin=True, overwrite=False)
