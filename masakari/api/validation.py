"""JSON-schema (Draft 4) validation of request bodies.

Errors become ValidationError (400) with the upstream message:
``Invalid input for field/attribute <field>. Value: <value>. <message>``,
or the fixed name message for the ``name`` format.
"""

import unicodedata

import jsonschema
from oslo_utils import uuidutils

from masakari import exception
from masakari import utils

NAME_RULE = 'printable characters. Can not start or end with whitespace.'


class InvalidName(exception.Invalid):
    msg_fmt = ("An invalid 'name' value was provided. The name must be: "
               "%(reason)s")


def _printable(char, space_ok=True):
    """Letters, marks, numbers, punctuation, symbols and (maybe) spaces.

    Only the Basic Multilingual Plane is accepted, as upstream does (its
    character classes stop at U+FFFF); MySQL's utf8 tables could not store
    the rest anyway.
    """
    if ord(char) > 0xFFFF:
        return False
    category = unicodedata.category(char)
    if category.startswith('C'):
        return False
    if category.startswith('Z'):
        return space_ok and category == 'Zs'
    return True


def is_valid_name(value):
    if not value:
        return True  # minLength reports it
    return (all(_printable(c) for c in value) and
            _printable(value[0], space_ok=False) and
            _printable(value[-1], space_ok=False))


def is_valid_description(value):
    return all(c == '\n' or _printable(c) for c in value)


_FORMAT_CHECKER = jsonschema.FormatChecker(formats=())


@_FORMAT_CHECKER.checks('name', raises=InvalidName)
def _check_name(instance):
    if not isinstance(instance, str) or is_valid_name(instance):
        return True
    raise InvalidName(reason=NAME_RULE)


@_FORMAT_CHECKER.checks('description')
def _check_description(instance):
    return not isinstance(instance, str) or is_valid_description(instance)


@_FORMAT_CHECKER.checks('date-time')
def _check_date_time(instance):
    if not isinstance(instance, str):
        return True
    try:
        utils.parse_isotime(instance)
    except ValueError:
        return False
    return True


@_FORMAT_CHECKER.checks('uuid')
def _check_uuid(instance):
    return not isinstance(instance, str) or uuidutils.is_uuid_like(instance)


class Validator:
    """A compiled schema; ``validate(body)`` raises ValidationError."""

    def __init__(self, schema):
        jsonschema.Draft4Validator.check_schema(schema)
        self._validator = jsonschema.Draft4Validator(
            schema, format_checker=_FORMAT_CHECKER)

    def validate(self, instance):
        try:
            self._validator.validate(instance)
        except jsonschema.ValidationError as ex:
            if isinstance(ex.cause, InvalidName):
                detail = ex.cause.format_message()
            elif len(ex.path) > 0:
                detail = ('Invalid input for field/attribute %(path)s. '
                          'Value: %(value)s. %(message)s' % {
                              'path': ex.path.pop(), 'value': ex.instance,
                              'message': ex.message})
            else:
                detail = ex.message
            raise exception.ValidationError(detail=detail)
        except TypeError as ex:
            raise exception.ValidationError(detail=str(ex))


_CACHE = {}


def validate(schema, instance):
    """Validate ``instance`` against ``schema`` (validators are cached)."""
    key = id(schema)
    validator = _CACHE.get(key)
    if validator is None:
        validator = _CACHE[key] = Validator(schema)
    validator.validate(instance)
