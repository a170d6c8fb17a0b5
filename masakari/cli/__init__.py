"""The ``openstack`` CLI plugin of this project's own API additions
(``instance_ha_ops``): commands that python-masakariclient does not have,
each in its own module."""
