"""reStructuredText pieces for the generated doc pages."""

import textwrap

WIDTH = 79


def title(text, char):
    return '%s\n%s\n' % (text, char * len(text))


def para(text):
    """A paragraph, whitespace normalised and wrapped."""
    return textwrap.fill(' '.join(text.split()), WIDTH,
                         break_on_hyphens=False,
                         break_long_words=False) + '\n'


def bullet(text):
    return textwrap.fill(' '.join(text.split()), WIDTH, initial_indent='* ',
                         subsequent_indent='  ', break_on_hyphens=False,
                         break_long_words=False)


def table(header, rows, widths=None):
    """A ``list-table`` with ``header`` as its first row."""
    lines = ['.. list-table::', '   :header-rows: 1']
    if widths:
        lines.append('   :widths: %s' % ' '.join(map(str, widths)))
    lines.append('')
    for row in [header] + rows:
        lines.append('   * - %s' % row[0])
        lines.extend('     - %s' % cell for cell in row[1:])
    return '\n'.join(lines) + '\n'
