"""The request schemas and their shared parameter types."""

import pytest

from masakari.api.schemas import hosts
from masakari.api.schemas import notifications
from masakari.api.schemas import parameter_types
from masakari.api.schemas import segments
from masakari.api import validation
from masakari import exception


def _ok(schema, body):
    validation.validate(schema, body)


def _error(schema, body):
    with pytest.raises(exception.ValidationError) as info:
        validation.validate(schema, body)
    assert info.value.code == 400
    return info.value.format_message()


def _wrap(fragment):
    return {'type': 'object', 'properties': {'v': fragment},
            'additionalProperties': False}


NAME = _wrap(parameter_types.name)
DESCRIPTION = _wrap(parameter_types.description)
HOST_TYPE = _wrap(parameter_types.host_type)
BOOLEAN = _wrap(parameter_types.boolean)
HOSTNAME = _wrap(parameter_types.hostname)


@pytest.mark.parametrize('value', [
    'a', 'n' * 255, 'with space', 'Ünïcödé', 'x-y_z.1',
    'non\u00a0breaking', '中文'])
def test_valid_names(value):
    _ok(NAME, {'v': value})


@pytest.mark.parametrize('value', [
    ' lead', 'trail ', '\tlead', 'trail\n', 'ctl\x01', 'tab\tinside',
    'zero\u200bwidth',
    'line\u2028sep', 'emoji\U0001F600', '\u00a0nbsp'])
def test_invalid_names(value):
    assert _error(NAME, {'v': value}) == (
        "An invalid 'name' value was provided. The name must be: printable "
        "characters. Can not start or end with whitespace.")


@pytest.mark.parametrize('value', ['', 'n' * 256, 5, None, ['a']])
def test_name_type_and_length(value):
    message = _error(NAME, {'v': value})
    assert message.startswith('Invalid input for field/attribute v. Value: ')


def test_description():
    _ok(DESCRIPTION, {'v': None})
    _ok(DESCRIPTION, {'v': ''})
    _ok(DESCRIPTION, {'v': 'multi\nline text ' * 100})
    _error(DESCRIPTION, {'v': 'bell\x07'})
    _error(DESCRIPTION, {'v': 'tab\tis a control character'})
    _error(DESCRIPTION, {'v': 3})


def test_host_type():
    for value in ('COMPUTE', '', None, 'a' * 255, 'Type2'):
        _ok(HOST_TYPE, {'v': value})
    for value in ('COMPUTE_HOST', 'a' * 256, 'with space', 'dash-ed', 1):
        _error(HOST_TYPE, {'v': value})


@pytest.mark.parametrize('value', [
    True, False, 'True', 'TRUE', 'true', '1', 'ON', 'On', 'on', 'YES', 'Yes',
    'yes', 'False', 'FALSE', 'false', '0', 'OFF', 'Off', 'off', 'NO', 'No',
    'no'])
def test_valid_booleans(value):
    _ok(BOOLEAN, {'v': value})


@pytest.mark.parametrize('value', [
    1, 0, None, 't', 'y', 'tRUE', 'enabled', '', [True]])
def test_invalid_booleans(value):
    _error(BOOLEAN, {'v': value})


def test_hostname():
    for value in ('compute-1.example_org', 'a' * 255):
        _ok(HOSTNAME, {'v': value})
    for value in ('', 'h' * 256, 'with space', 'slash/ed', 'at@host'):
        _error(HOSTNAME, {'v': value})


def test_error_message_names_the_field():
    message = _error(segments.create, {'segment': {
        'name': 's', 'recovery_method': 'manual', 'service_type': 'C'}})
    assert message == (
        "Invalid input for field/attribute recovery_method. Value: manual. "
        "'manual' is not one of ['auto', 'reserved_host', 'auto_priority', "
        "'rh_priority']")
    assert _error(segments.create, {}) == "'segment' is a required property"
    assert _error(segments.create, None) == "None is not of type 'object'"


def test_segment_schemas():
    body = {'name': 's', 'recovery_method': 'auto', 'service_type': 'C'}
    _ok(segments.create, {'segment': body})
    _ok(segments.create, {'segment': dict(body, description=None)})
    _error(segments.create, {'segment': dict(body, enabled=True)})
    _ok(segments.create_v12, {'segment': dict(body, enabled='off')})
    for missing in body:
        partial = {k: v for k, v in body.items() if k != missing}
        _error(segments.create, {'segment': partial})
    _error(segments.update, {'segment': {}})
    _ok(segments.update, {'segment': {'description': None}})
    _error(segments.update, {'segment': {'enabled': False}})
    _ok(segments.update_v12, {'segment': {'enabled': False}})
    _error(segments.update_v12, {'segment': {'enabled': 'sometimes'}})
    # the 1.0 schemas are unchanged by building the 1.2 ones
    assert 'enabled' not in segments.create['properties']['segment'][
        'properties']


def test_host_schemas():
    body = {'name': 'compute1', 'type': 'COMPUTE',
            'control_attributes': 'ssh'}
    _ok(hosts.create, {'host': body})
    _ok(hosts.create, {'host': dict(body, reserved='True',
                                    on_maintenance=False)})
    for field in ('type', 'control_attributes'):
        _error(hosts.create, {'host': dict(body, **{field: None})})
        _error(hosts.update, {'host': {field: None}})
    _error(hosts.create, {'host': dict(body, failover_segment_id='x')})
    _error(hosts.update, {'host': {}})
    _ok(hosts.update, {'host': {'on_maintenance': 'no'}})


def _notification(**fields):
    body = {'type': 'COMPUTE_HOST', 'hostname': 'compute1',
            'generated_time': '2026-01-02T03:04:05.123456',
            'payload': {'event': 'STOPPED'}}
    body.update(fields)
    return {'notification': body}


@pytest.mark.parametrize('generated_time', [
    '2026-01-02T03:04:05', '2026-01-02 03:04:05', '2026-01-02T03:04:05Z',
    '2026-01-02T03:04:05.5+09:00', '2026-01-02T03:04:05.123456'])
def test_generated_time_formats(generated_time):
    _ok(notifications.create, _notification(generated_time=generated_time))


@pytest.mark.parametrize('generated_time', [
    'yesterday', '2026-13-02T03:04:05', '', '2026/01/02 03:04'])
def test_invalid_generated_time(generated_time):
    _error(notifications.create, _notification(generated_time=generated_time))


def test_notification_payload_keys_and_values():
    _ok(notifications.create, _notification(payload={
        'a-b_c:d. e': 'x' * 255}))
    _ok(notifications.create, _notification(payload={}))
    for payload in ({'event': 1}, {'event': None}, {'event': ['STOPPED']},
                    {'bad@key': 'x'}, {'k' * 256: 'x'}, {'event': 'x' * 256},
                    {'': 'x'}):
        _error(notifications.create, _notification(payload=payload))
    for field in ('type', 'hostname', 'generated_time', 'payload'):
        body = _notification()
        del body['notification'][field]
        _error(notifications.create, body)


def test_compute_host_payload():
    schema = notifications.PAYLOADS['COMPUTE_HOST']
    _ok(schema, {'event': 'STOPPED', 'host_status': 'NORMAL',
                 'cluster_status': 'OFFLINE'})
    _ok(schema, {'event': 'STARTED'})
    for payload in ({'event': 'stopped'}, {}, {'event': 'STOPPED',
                                                'host_status': 'normal'},
                    {'event': 'STOPPED', 'cluster_status': 'UP'},
                    {'event': 'STOPPED', 'extra': 'x'}):
        _error(schema, payload)
    assert _error(schema, {'event': 'stopped'}) == (
        "Invalid input for field/attribute event. Value: stopped. "
        "'stopped' is not one of ['STARTED', 'STOPPED']")


def test_process_payload():
    schema = notifications.PAYLOADS['PROCESS']
    _ok(schema, {'event': 'STOPPED', 'process_name': 'nova-compute'})
    _ok(schema, {'event': 'STARTED', 'process_name': 'p' * 4096})
    for payload in ({'event': 'STOPPED'}, {'process_name': 'x'},
                    {'event': 'STOPPED', 'process_name': ''},
                    {'event': 'STOPPED', 'process_name': 'p' * 4097},
                    {'event': 'stopped', 'process_name': 'x'}):
        _error(schema, payload)


def test_vm_payload():
    schema = notifications.PAYLOADS['VM']
    good = {'event': 'LIFECYCLE', 'vir_domain_event': 'STOPPED_FAILED',
            'instance_uuid': 'a3a3a3a3-1111-4222-8333-444455556666'}
    _ok(schema, good)
    # any event name the instance monitor sends, and dashless uuids
    _ok(schema, dict(good, event='WATCHDOG',
                     instance_uuid='a3a3a3a311114222833344445555666f'))
    _error(schema, dict(good, instance_uuid='not-a-uuid'))
    _error(schema, dict(good, event=''))
    _error(schema, dict(good, extra='x'))
    for field in good:
        _error(schema, {k: v for k, v in good.items() if k != field})
