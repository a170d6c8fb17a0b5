"""How the engine (and the API's host-name check) reach Nova.

The ``[nova]`` group holds standard keystoneauth1 auth, session and adapter
options, so service credentials, region, interface, TLS and an optional
``endpoint_override`` are configured as for any OpenStack client. The
legacy ``[DEFAULT] os_privileged_user_*`` options of upstream are still
honoured when ``[nova] auth_type`` is unset.
"""

from keystoneauth1 import loading as ks_loading
from oslo_config import cfg

NOVA_GROUP = 'nova'
nova_group = cfg.OptGroup(NOVA_GROUP, title='Nova client options')

nova_opts = [
    cfg.StrOpt('api_microversion', default='2.53',
               help='Compute API microversion used for every Nova call. '
                    '2.53 is the lowest that addresses services by id and '
                    'can force a service down; a value above 2.94 is '
                    'capped at 2.94, since from 2.95 Nova leaves an '
                    'evacuated active server stopped.'),
    cfg.FloatOpt('call_timeout', default=30.0, min=0.1,
                 help='HTTP timeout, in seconds, of one Nova call.'),
    cfg.IntOpt('call_retries', default=3, min=0,
               help='Retries, with growing back-off, of a Nova call that '
                    'failed to connect or timed out.'),
]

legacy_opts = [
    cfg.StrOpt('nova_catalog_admin_info', default='compute:nova:publicURL',
               help='How to find Nova in the catalog, as '
                    '<service_type>:<service_name>:<endpoint_type>.'),
    cfg.StrOpt('os_region_name', help='Region of the Nova endpoint.'),
    cfg.StrOpt('nova_ca_certificates_file',
               help='CA certificates file for TLS connections to Nova.'),
    cfg.BoolOpt('nova_api_insecure', default=False,
                help='Do not verify Nova TLS certificates.'),
    cfg.StrOpt('os_privileged_user_name',
               help='User name of the service user that talks to Nova.'),
    cfg.StrOpt('os_privileged_user_password', secret=True,
               help='Password of that user.'),
    cfg.StrOpt('os_privileged_user_tenant',
               help='Project name of that user.'),
    cfg.URIOpt('os_privileged_user_auth_url',
               help='Keystone URL used to authenticate that user.'),
    cfg.StrOpt('os_user_domain_name', default='default',
               help='Domain of that user.'),
    cfg.StrOpt('os_project_domain_name', default='default',
               help='Domain of that project.'),
    cfg.StrOpt('os_system_scope',
               help='System scope to authenticate with, instead of a '
                    'project.'),
]


def register_opts(conf):
    conf.register_group(nova_group)
    conf.register_opts(nova_opts, group=nova_group)
    conf.register_opts(legacy_opts)
    ks_loading.register_session_conf_options(conf, NOVA_GROUP)
    ks_loading.register_auth_conf_options(conf, NOVA_GROUP)
    ks_loading.register_adapter_conf_options(conf, NOVA_GROUP)
    conf.set_default('service_type', 'compute', group=NOVA_GROUP)


def list_opts():
    ks_opts = (ks_loading.get_session_conf_options() +
               ks_loading.get_auth_common_conf_options() +
               ks_loading.get_adapter_conf_options(include_deprecated=False))
    return {'DEFAULT': legacy_opts, nova_group: nova_opts + ks_opts}
