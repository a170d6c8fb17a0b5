"""Render doc/source/openapi.yaml as reStructuredText, at build time.

Two directives, both reading the document named by ``openapi_document``
in conf.py (relative to the source directory) and nothing from the
network:

``.. openapi-overview::``
    The document's description: the rules every request follows.

``.. openapi-operations:: TAG``
    One section per operation tagged TAG: method and path (and its
    project-id form), description, parameters, request body fields and
    responses, with the fields of the success body. A path without
    operations (the ``/action`` paths) goes with the tag of the nearest
    path above it that has some.

``.. openapi-schema:: NAME``
    The fields of one schema of ``components/schemas`` (the notification
    payloads, which no operation references).

At the end of a build every tag that has operations must have been
rendered by some page, so an operation added to the document without a
page to show it fails ``sphinx-build -W``.
"""

import os
import re

import yaml
from docutils import nodes
from docutils.statemachine import StringList
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective
from sphinx.util.nodes import nested_parse_with_titles

LOG = logging.getLogger(__name__)
METHODS = ('get', 'put', 'post', 'delete', 'patch', 'head')
PROJECT = '/{project_id}'
_CACHE = {}


def load(path):
    """The parsed document (YAML anchors and merge keys resolved)."""
    mtime = os.path.getmtime(path)
    if _CACHE.get(path, (None,))[0] != mtime:
        with open(path) as handle:
            _CACHE[path] = (mtime, yaml.safe_load(handle))
    return _CACHE[path][1]


def rst_text(text):
    """Markdown code spans (`x`) as rst literals; whitespace tidied."""
    if not text:
        return ''
    text = str(text).strip()
    # A code span may continue on the next line, never past a paragraph.
    return re.sub(r'(?<![`\w])`((?:[^`\n]|\n(?![ \t]*\n))+?)`(?![`\w])',
                  r'``\1``', text)


def literal(value):
    return '``%s``' % value


class Resolver:
    def __init__(self, document):
        self.document = document

    def __call__(self, node):
        """Follow ``$ref`` (local references only); keep sibling keys."""
        seen = 0
        while isinstance(node, dict) and '$ref' in node:
            ref = node['$ref']
            if not ref.startswith('#/'):
                raise ValueError('only local references: %s' % ref)
            target = self.document
            for part in ref[2:].split('/'):
                target = target[part]
            extra = {k: v for k, v in node.items() if k != '$ref'}
            node = dict(target, **extra)
            seen += 1
            if seen > 20:
                raise ValueError('reference loop at %s' % ref)
        return node

    def merged(self, schema):
        """A schema with its ``allOf`` parts folded in."""
        schema = self(schema)
        if 'allOf' not in schema:
            return schema
        out = {k: v for k, v in schema.items() if k != 'allOf'}
        props = dict(out.get('properties', {}))
        required = list(out.get('required', []))
        for part in schema['allOf']:
            part = self.merged(part)
            for key, value in part.get('properties', {}).items():
                props[key] = dict(self(props.get(key, {})), **self(value))
            required += part.get('required', [])
            for key, value in part.items():
                if key not in ('properties', 'required'):
                    out.setdefault(key, value)
        out['properties'] = props
        out['required'] = required
        return out


def describe_type(schema, resolve):
    """A short type: ``string``, ``string or null``, one of an enum..."""
    schema = resolve.merged(schema)
    if 'const' in schema:
        return 'always %s' % literal(schema['const'])
    if 'enum' in schema:
        values = ', '.join('null' if v is None else literal(v)
                           for v in schema['enum'])
        return 'one of %s' % values
    if 'anyOf' in schema or 'oneOf' in schema:
        parts = schema.get('anyOf') or schema.get('oneOf')
        kinds = [describe_type(part, resolve) for part in parts]
        if all('type' not in resolve(p) and 'required' in p for p in parts):
            return 'object'
        return ' or '.join(dict.fromkeys(kinds))
    kind = schema.get('type', 'any')
    if isinstance(kind, list):
        kind = ' or '.join(kind)
    if kind == 'array' and 'items' in schema:
        kind = 'array of %s' % describe_type(schema['items'], resolve)
    if schema.get('format') in ('uuid', 'date-time'):
        kind += ' (%s)' % schema['format']
    return kind


def constraints(schema, resolve):
    schema = resolve.merged(schema)
    out = []
    if 'minLength' in schema or 'maxLength' in schema:
        out.append('length %s-%s' % (schema.get('minLength', 0),
                                     schema.get('maxLength', '')))
    if 'minimum' in schema or 'maximum' in schema:
        out.append('%s to %s' % (schema.get('minimum', ''),
                                 schema.get('maximum', '')))
    if 'pattern' in schema:
        out.append('matches %s' % literal(schema['pattern']))
    if 'x-min-microversion' in schema:
        out.append('from microversion %s' % schema['x-min-microversion'])
    return out


def ref_name(schema):
    """The component a ``$ref`` names (``Uuid``...), else None."""
    ref = schema.get('$ref', '') if isinstance(schema, dict) else ''
    return ref.rsplit('/', 1)[1] if ref.startswith('#/components/') else None


def sentence(text):
    text = text.strip()
    if text and text[-1] not in '.!?':
        text += '.'
    return text[:1].upper() + text[1:]


def fields(schema, resolve, prefix='', depth=0):
    """Rows (name, type, required, description) of an object's fields,
    nested objects and arrays of objects flattened as ``a.b`` and
    ``a[].b``."""
    schema = resolve.merged(schema)
    if depth > 6:
        return
    required = set(schema.get('required', []))
    for name, prop in schema.get('properties', {}).items():
        raw = prop
        prop = resolve.merged(prop)
        kind = describe_type(raw, resolve)
        named = ref_name(raw)
        notes = [rst_text(prop.get('description') or
                          resolve(raw).get('description'))]
        if named and prop.get('type') not in ('object', 'array') and (
                'enum' not in prop and 'const' not in prop):
            # A shared type (Uuid, Timestamp...): its name says enough.
            kind = '%s (%s)' % (kind, named)
            notes += [c for c in constraints(raw, resolve)
                      if not c.startswith('matches')]
        else:
            notes += constraints(raw, resolve)
        if prop.get('anyOf') and any('required' in p
                                     for p in prop['anyOf']):
            notes.append('at least one field')
        yield (prefix + name, kind, name in required,
               ' '.join(sentence(n) for n in notes if n))
        if prop.get('properties'):
            yield from fields(prop, resolve, prefix + name + '.', depth + 1)
        items = prop.get('items')
        if prop.get('type') == 'array' and items:
            if resolve.merged(items).get('properties'):
                yield from fields(items, resolve, prefix + name + '[].',
                                  depth + 1)


def body_table(schema, resolve, with_required):
    """The fields of a body, or one line for a body that is not an
    object."""
    rows = list(fields(schema, resolve))
    if not rows:
        return ['A %s.' % describe_type(schema, resolve), '']
    if with_required:
        return table(('Field', 'Type', 'Required', 'Description'),
                     [(literal(n), t, 'yes' if r else 'no', d)
                      for n, t, r, d in rows], (24, 22, 8, 46))
    return table(('Field', 'Type', 'Description'),
                 [(literal(n), t, d) for n, t, _r, d in rows],
                 (30, 25, 45))


def table(header, rows, widths):
    out = ['.. list-table::', '   :header-rows: 1',
           '   :widths: %s' % ' '.join(str(w) for w in widths), '']
    for row in [header] + rows:
        for i, cell in enumerate(row):
            lines = str(cell).splitlines() or ['']
            lead = '   * - ' if i == 0 else '     - '
            out.append(lead + lines[0])
            out.extend('       ' + line if line else '' for line in lines[1:])
    out.append('')
    return out


def fault_name(response, resolve):
    for media in (response.get('content') or {}).values():
        schema = resolve.merged(media.get('schema', {}))
        props = list(schema.get('properties', {}))
        if len(props) == 1 and 'Fault' in str(
                media.get('schema', {}).get('$ref', '')):
            return literal(props[0])
    return ''


class Document:
    def __init__(self, data):
        self.data = data
        self.resolve = Resolver(data)

    def plain_paths(self):
        return [p for p in self.data['paths'] if PROJECT not in p]

    def tags(self):
        found = set()
        for path in self.plain_paths():
            for method in METHODS:
                op = self.data['paths'][path].get(method)
                if op:
                    found.update(op.get('tags', []))
        return found

    def tag_of(self, path):
        item = self.data['paths'][path]
        for method in METHODS:
            if method in item:
                return item[method].get('tags', [None])[0]
        parent = path.rsplit('/', 1)[0]
        while parent:
            if parent in self.data['paths']:
                return self.tag_of(parent)
            parent = parent.rsplit('/', 1)[0]
        return None

    def twin(self, path):
        """The project-id form of a ``/v1/...`` path, if the document has
        it."""
        if path.startswith('/v1/'):
            other = '/v1' + PROJECT + path[3:]
            if other in self.data['paths']:
                return other
        return None

    def render_tag(self, tag, level_char):
        out = []
        for path in self.plain_paths():
            if path == '/v1/' or self.tag_of(path) != tag:
                continue
            item = self.data['paths'][path]
            ops = [(m, item[m]) for m in METHODS if m in item]
            if not ops:
                out += self.render_bare(path, item, level_char)
            for method, op in ops:
                out += self.render_operation(path, item, method, op,
                                             level_char)
        return out

    def call_line(self, label, path):
        line = '**%s** %s' % (label, literal(path))
        twin = self.twin(path)
        if twin:
            line += ', also %s' % literal(twin)
        if path == '/v1':
            line += ' and %s' % literal('/v1/')
        return [line, '']

    def render_bare(self, path, item, level_char):
        title = literal(path)
        out = [title, level_char * len(title), '']
        out += self.call_line('Any method', path)
        out += [rst_text(item.get('description')), '']
        return out

    def render_operation(self, path, item, method, op, level_char):
        title = rst_text(op.get('summary')) or '%s %s' % (method.upper(),
                                                          path)
        if method == 'head':
            title += ' (HEAD)'
        out = [title, level_char * len(title), '']
        out += self.call_line(method.upper(), path)
        if op.get('description'):
            out += [rst_text(op['description']), '']
        if op.get('security') == []:
            out += ['No token needed.', '']
        params = [self.resolve(p) for p in item.get('parameters', [])]
        params += [self.resolve(p) for p in op.get('parameters', [])]
        if params:
            rows = []
            for param in params:
                kind = describe_type(param.get('schema', {}), self.resolve)
                text = rst_text(param.get('description'))
                rows.append((literal(param['name']), param['in'], kind,
                             'yes' if param.get('required') else 'no',
                             text))
            out += ['.. rubric:: Parameters', '']
            out += table(('Name', 'In', 'Type', 'Required', 'Description'),
                         rows, (18, 8, 20, 8, 46))
        body = op.get('requestBody')
        if body:
            for media, content in body.get('content', {}).items():
                out += ['.. rubric:: Request body (%s)' % media, '']
                out += body_table(content['schema'], self.resolve, True)
        out += ['.. rubric:: Responses', '']
        rows = []
        success = []
        for status, response in op.get('responses', {}).items():
            response = self.resolve(response)
            rows.append((literal(status), rst_text(response['description']),
                         fault_name(response, self.resolve)))
            if str(status).startswith('2'):
                for media, content in (response.get('content')
                                       or {}).items():
                    success.append((status, media, content['schema']))
        out += table(('Status', 'Meaning', 'Fault'), rows, (10, 70, 20))
        for status, media, schema in success:
            out += ['.. rubric:: Response body (%s, %s)' % (status, media),
                    '']
            out += body_table(schema, self.resolve, False)
        return out

    def render_schema(self, name):
        schema = self.data['components']['schemas'][name]
        out = []
        if schema.get('description'):
            out += [sentence(rst_text(schema['description'])), '']
        out += body_table(schema, self.resolve, True)
        return out


def _parse(directive, chunks):
    """Parse generated rst (chunks may hold several lines)."""
    lines = [line for chunk in chunks for line in str(chunk).split('\n')]
    node = nodes.container()
    nested_parse_with_titles(directive.state, StringList(
        lines, source=directive.env.config.openapi_document), node)
    return node.children


def _document(env):
    path = os.path.join(env.srcdir, env.config.openapi_document)
    env.note_dependency(path)
    return Document(load(path))


class OverviewDirective(SphinxDirective):
    has_content = False

    def run(self):
        doc = _document(self.env)
        info = doc.data['info']
        lines = [rst_text(info.get('summary')), '',
                 rst_text(info.get('description')), '']
        return _parse(self, lines)


class OperationsDirective(SphinxDirective):
    required_arguments = 1
    option_spec = {'level': lambda arg: arg.strip()}

    def run(self):
        tag = self.arguments[0]
        doc = _document(self.env)
        if tag not in doc.tags():
            raise self.error('no operation of %s is tagged %r'
                             % (self.env.config.openapi_document, tag))
        rendered = self.env.__dict__.setdefault('masakari_openapi_tags', {})
        rendered.setdefault(self.env.docname, set()).add(tag)
        return _parse(self, doc.render_tag(tag,
                                           self.options.get('level', '-')))


class SchemaDirective(SphinxDirective):
    required_arguments = 1

    def run(self):
        doc = _document(self.env)
        name = self.arguments[0]
        if name not in doc.data['components'].get('schemas', {}):
            raise self.error('%s has no schema %r'
                             % (self.env.config.openapi_document, name))
        return _parse(self, doc.render_schema(name))


def _purge(app, env, docname):
    getattr(env, 'masakari_openapi_tags', {}).pop(docname, None)


def _merge(app, env, docnames, other):
    mine = env.__dict__.setdefault('masakari_openapi_tags', {})
    mine.update(getattr(other, 'masakari_openapi_tags', {}))


def _check(app, env):
    path = os.path.join(env.srcdir, env.config.openapi_document)
    rendered = set()
    for tags in getattr(env, 'masakari_openapi_tags', {}).values():
        rendered |= tags
    for tag in sorted(Document(load(path)).tags() - rendered):
        LOG.warning('%s: no page renders the operations tagged %r',
                    env.config.openapi_document, tag)


def setup(app):
    app.add_config_value('openapi_document', 'openapi.yaml', 'env')
    app.add_directive('openapi-overview', OverviewDirective)
    app.add_directive('openapi-operations', OperationsDirective)
    app.add_directive('openapi-schema', SchemaDirective)
    app.connect('env-purge-doc', _purge)
    app.connect('env-merge-info', _merge)
    app.connect('env-check-consistency', _check)
    return {'version': '1', 'parallel_read_safe': True,
            'parallel_write_safe': True}
