"""masakarimonitors.conf and process_list.yaml, as an operator writes them
for a compute host of this stack.

The ``[api]`` section is keystoneauth's: the monitors authenticate as the
``masakari`` service user (admin and service roles in project
``service``) and find the instance-ha endpoint in Keystone's catalog, by
region and interface. ``noauth_api`` is the laptop variant: keystoneauth's
``none`` plugin with a fixed endpoint, for an API run with
``auth_strategy = noauth2``.
"""

import json

from masakari.tests.e2e.conftest import write_ini

# Short periods so that a failure is reported within seconds; the
# defaults (5 s checks, 3 restarts 5 s apart, 10 s between API retries)
# only stretch the same sequence out.
FAST = {
    'process': {'check_interval': 1, 'restart_retries': 1,
                'restart_interval': 1, 'api_retry_max': 3,
                'api_retry_interval': 1},
    'callback': {'retry_max': 3, 'retry_interval': 1},
}


def keystone_api(facts, user='masakari'):
    """``[api]`` with the service user's password, as deployed."""
    account = facts['service_users'][user]
    return {
        'auth_type': 'password',
        'auth_url': facts['auth_url'],
        'username': account['username'],
        'password': account['password'],
        'project_name': account['project_name'],
        'user_domain_name': 'Default',
        'project_domain_name': 'Default',
        'region': facts['region'],
        'api_interface': 'public',
    }


def noauth_api(endpoint):
    """``[api]`` for an API in noauth2 mode: no Keystone at all."""
    return {'auth_type': 'none', 'endpoint': endpoint}


def write_conf(path, api, **sections):
    """Write masakarimonitors.conf: ``api`` is the ``[api]`` section,
    ``sections`` the others (merged over ``FAST``)."""
    content = {'DEFAULT': {'debug': True}, 'api': api}
    for name, options in FAST.items():
        content[name] = dict(options)
    for name, options in sections.items():
        content.setdefault(name, {}).update(options)
    return write_ini(path, content)


def write_process_list(path, process_name, restart_command):
    """One watched process. Its start command does nothing (the test
    starts the process itself); its restart command is the test's."""
    entry = {
        'process_name': process_name,
        'start_command': 'true',
        'pre_start_command': '',
        'post_start_command': '',
        'restart_command': restart_command,
        'pre_restart_command': '',
        'post_restart_command': '',
        'run_as_root': False,
    }
    # JSON is YAML: no YAML writer needed in the test venv.
    path.write_text(json.dumps([entry], indent=2) + '\n')
    return path
