"""The composite root of api-paste.ini: a URL prefix chooses the app.

``/`` serves the version document, ``/v1`` the API, ``/healthcheck`` the
health check. The longest matching prefix wins; it moves from PATH_INFO
to SCRIPT_NAME, so the chosen app sees paths relative to it.
"""

import webob.exc


class URLMap:
    def __init__(self, apps):
        # Longest prefix first; '' is the root.
        self._apps = sorted(((prefix.rstrip('/'), app)
                             for prefix, app in apps.items()),
                            key=lambda item: len(item[0]), reverse=True)

    def __call__(self, environ, start_response):
        path = environ.get('PATH_INFO', '') or ''
        for prefix, app in self._apps:
            if path == prefix or path.startswith(prefix + '/'):
                environ['SCRIPT_NAME'] = (environ.get('SCRIPT_NAME', '') +
                                          prefix)
                environ['PATH_INFO'] = path[len(prefix):]
                return app(environ, start_response)
        return webob.exc.HTTPNotFound()(environ, start_response)


def urlmap_factory(loader, global_conf, **local_conf):
    """paste ``composite`` factory: each ``/path = app`` line is a mapping."""
    apps = {}
    for path, app_name in local_conf.items():
        if not path.startswith('/'):
            continue
        apps[path] = loader.get_app(app_name, global_conf=global_conf)
    return URLMap(apps)
