"""Horizon with the Masakari panel (masakari-dashboard), installed and
served as an operator would, for the browser tests.

Horizon lives in a venv of its own (it pins Django and a long list of
clients that must not leak into masakari's), built once per set of pins
and Python version and reused: the versions are in
``tools/horizon/requirements.txt`` and ``constraints.txt``. The panel is
enabled the way its README says (its ``enabled`` file, its settings
snippet and its policy file copied into ``openstack_dashboard``), the
static files are collected and compressed offline at build time, and the
server is Django's ``runserver`` on 127.0.0.1 with ``--noreload``.

Everything that differs between runs (Keystone's URL) is read from the
environment by ``local_settings.py``, so that the built venv never
changes after its build. Run ``python -m
masakari.tests.e2e.openstack.horizon_site KEYSTONE_URL [PORT]`` to serve
it by hand.
"""

import fcntl
import hashlib
import os
import pathlib
import shutil
import subprocess
import sys
import time

REPO = pathlib.Path(__file__).resolve().parents[4]
PINS = REPO / 'tools' / 'horizon'
PYTHON = os.environ.get('MASAKARI_HORIZON_PYTHON', 'python3')
SETTINGS_MODULE = 'openstack_dashboard.settings'
KEYSTONE_ENV = 'MASAKARI_HORIZON_KEYSTONE_URL'
STATIC_URL_MODULE = 'masakari_e2e_horizon_urls'


def default_dir():
    base = '/tmp/masakari-horizon'
    return base if os.geteuid() == 0 else '%s-%d' % (base, os.geteuid())


# Read by Horizon at every start; only the Keystone URL comes from outside.
LOCAL_SETTINGS = '''\
# Written by masakari/tests/e2e/openstack/horizon_site.py.
import os

DEBUG = False
ALLOWED_HOSTS = ['127.0.0.1', 'localhost']
SECRET_KEY = 'masakari-e2e-horizon-not-secret'
OPENSTACK_KEYSTONE_URL = os.environ.get('%(keystone_env)s',
                                        'http://127.0.0.1:25000/v3')
OPENSTACK_KEYSTONE_DEFAULT_ROLE = 'member'
# One runserver process: its memory is cache and session store enough.
CACHES = {'default': {
    'BACKEND': 'django.core.cache.backends.locmem.LocMemCache'}}
SESSION_ENGINE = 'django.contrib.sessions.backends.cache'
# Compressed once at build time (``compress``), then served as files.
COMPRESS_OFFLINE = True
COMPRESS_ENABLED = True
STATIC_ROOT = %(static_root)r
ROOT_URLCONF = '%(urls)s'
AVAILABLE_THEMES = [('default', 'Default', 'themes/default')]
TIME_ZONE = 'UTC'
LOGGING = {
    'version': 1,
    'disable_existing_loggers': False,
    'handlers': {'console': {'class': 'logging.StreamHandler'}},
    'root': {'handlers': ['console'], 'level': 'INFO'},
}
'''

# runserver serves no static files with DEBUG off, and the compressed
# files exist only in STATIC_ROOT: serve that directory under /static/.
STATIC_URLS = '''\
# Written by masakari/tests/e2e/openstack/horizon_site.py.
from django.conf import settings
from django.urls import re_path
from django.views.static import serve

from openstack_dashboard.urls import urlpatterns

urlpatterns = [
    re_path(r'^static/(?P<path>.*)$', serve,
            {'document_root': settings.STATIC_ROOT}),
] + list(urlpatterns)
'''


class HorizonSite:
    """Horizon's venv (built on demand) and the server run from it."""

    def __init__(self, base=None):
        self.base = pathlib.Path(base or os.environ.get(
            'MASAKARI_HORIZON_DIR', default_dir()))
        self.venv = self.base / 'venv'
        self.python = self.venv / 'bin' / 'python'
        self.build_seconds = None

    # ----------------------------------------------------------- build
    def stamp(self):
        """What the built venv depends on: a change rebuilds it."""
        digest = hashlib.sha256()
        digest.update(subprocess.run([PYTHON, '-VV'], capture_output=True,
                                     check=True).stdout)
        for name in ('requirements.txt', 'constraints.txt'):
            digest.update((PINS / name).read_bytes())
        digest.update(LOCAL_SETTINGS.encode())
        digest.update(STATIC_URLS.encode())
        return digest.hexdigest()

    def ensure_built(self):
        """Build the venv unless one with the same stamp exists; returns
        the seconds spent (0 when reused). A file lock keeps two sessions
        from building it at once."""
        self.base.mkdir(parents=True, exist_ok=True)
        with open(self.base / 'build.lock', 'w') as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            stamp_file = self.venv / '.masakari-stamp'
            want = self.stamp()
            if self.python.exists() and stamp_file.exists() and \
                    stamp_file.read_text() == want:
                self.build_seconds = 0.0
                return self.build_seconds
            t0 = time.monotonic()
            shutil.rmtree(self.venv, ignore_errors=True)
            self._run([PYTHON, '-m', 'venv', str(self.venv)], 'venv')
            self._run([str(self.python), '-m', 'pip', 'install', '-q',
                       '-c', str(PINS / 'constraints.txt'),
                       '-r', str(PINS / 'requirements.txt')], 'pip install')
            self._enable_panel()
            self._django('collectstatic', '--noinput', '-v', '0')
            self._django('compress', '--force', '-v', '0')
            stamp_file.write_text(want)
            self.build_seconds = round(time.monotonic() - t0, 1)
            return self.build_seconds

    def site_packages(self):
        out = subprocess.run(
            [str(self.python), '-c',
             'import sysconfig; print(sysconfig.get_paths()["purelib"])'],
            capture_output=True, text=True, check=True).stdout
        return pathlib.Path(out.strip())

    def _enable_panel(self):
        """What masakari-dashboard's README asks of an operator."""
        site = self.site_packages()
        dashboard = site / 'openstack_dashboard'
        plugin = site / 'masakaridashboard'
        shutil.copy(plugin / 'local' / 'enabled' / '_50_masakaridashboard.py',
                    dashboard / 'local' / 'enabled')
        shutil.copy(plugin / 'local' / 'local_settings.d' / '_50_masakari.py',
                    dashboard / 'local' / 'local_settings.d')
        shutil.copy(plugin / 'conf' / 'masakari_policy.yaml',
                    dashboard / 'conf')
        static_root = self.venv / 'static'
        (dashboard / 'local' / 'local_settings.py').write_text(
            LOCAL_SETTINGS % {'keystone_env': KEYSTONE_ENV,
                              'static_root': str(static_root),
                              'urls': STATIC_URL_MODULE})
        (site / (STATIC_URL_MODULE + '.py')).write_text(STATIC_URLS)

    def _django(self, *args, env=None):
        self._run([str(self.venv / 'bin' / 'django-admin'), *args],
                  'django-admin %s' % args[0], env=env)

    def _run(self, argv, what, env=None):
        result = subprocess.run(
            argv, capture_output=True, text=True, timeout=900,
            env=dict(os.environ, DJANGO_SETTINGS_MODULE=SETTINGS_MODULE,
                     **(env or {})))
        if result.returncode:
            tail = '\n'.join(line for line in
                             (result.stdout + result.stderr).splitlines()
                             if not line.startswith('WARNING: Location'))
            raise RuntimeError('%s failed (%d):\n%s' % (
                what, result.returncode, tail[-4000:]))

    # ----------------------------------------------------------- serve
    def server_argv(self, port):
        return [str(self.venv / 'bin' / 'django-admin'), 'runserver',
                '--noreload', '127.0.0.1:%d' % port]

    def server_env(self, keystone_url):
        return {'DJANGO_SETTINGS_MODULE': SETTINGS_MODULE,
                KEYSTONE_ENV: keystone_url,
                'PYTHONUNBUFFERED': '1'}


def main(argv):
    site = HorizonSite()
    print('building (or reusing) %s' % site.venv, flush=True)
    site.ensure_built()
    port = int(argv[2]) if len(argv) > 2 else 28080
    os.execve(site.server_argv(port)[0], site.server_argv(port),
              dict(os.environ, **site.server_env(argv[1])))


if __name__ == '__main__':
    main(sys.argv)
