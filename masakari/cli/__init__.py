"""OpenStackClient plugin of this project's own API (``instance_ha_ops``)."""
