"""Headless Chromium (Debian's) driven by Playwright through Horizon's
pages: what an operator clicks and reads, in a few verbs.

Horizon's conventions that the verbs rely on: a table is ``<table
id=NAME>`` whose rows carry ``data-object-id``; row and table actions are
links or buttons with ids ``NAME__action_ACTION`` (table) and
``NAME__row_ID__action_ACTION`` (row), the first row action shown and the
rest behind a drop-down; forms open in an ajax modal whose submit button
is the primary one in ``.modal-footer``; the outcome of a form or action
is a message (``.messages .alert-success`` or ``.alert-danger``) on the
page it leads to.
"""

import os
import pathlib
import shutil
import subprocess

import pytest

CHROMIUM_PATHS = ('chromium', 'chromium-browser', '/usr/bin/chromium')
TIMEOUT_MS = 60000      # a page of Horizon calls several APIs; a loaded
                        # 2-core machine can take seconds per page


def chromium_path():
    """Debian's chromium, installed with apt-get when root and missing."""
    for candidate in CHROMIUM_PATHS:
        found = shutil.which(candidate)
        if found:
            return found
    if os.geteuid() != 0:
        return None
    env = dict(os.environ, DEBIAN_FRONTEND='noninteractive')
    for argv in (['apt-get', 'update', '-qq'],
                 ['apt-get', 'install', '-y', '-qq',
                  '-o', 'DPkg::Lock::Timeout=600', 'chromium']):
        subprocess.run(argv, capture_output=True, env=env, timeout=900)
    return shutil.which('chromium')


def launch(playwright, executable):
    # Root cannot use Chromium's sandbox.
    return playwright.chromium.launch(
        executable_path=executable, headless=True,
        args=['--no-sandbox', '--disable-dev-shm-usage'])


class Panel:
    """One logged-in (or not yet) browser page on Horizon."""

    def __init__(self, page, base_url, shots_dir):
        self.page = page
        self.base_url = base_url.rstrip('/')
        self.shots_dir = pathlib.Path(shots_dir)
        self.shots_dir.mkdir(parents=True, exist_ok=True)
        page.set_default_timeout(TIMEOUT_MS)
        page.set_default_navigation_timeout(TIMEOUT_MS)

    # ----------------------------------------------------------- pages
    def goto(self, path):
        self.page.goto(self.base_url + path)
        self.page.wait_for_load_state('load')

    def login(self, username, password, next_path):
        self.goto('/auth/login/?next=' + next_path)
        self.page.fill('#id_username', username)
        self.page.fill('#id_password', password)
        with self.page.expect_navigation():
            self.page.click('#loginBtn')
        self.page.wait_for_load_state('load')

    def path(self):
        return self.page.url[len(self.base_url):]

    def heading(self):
        # A list page's title is an h1, a detail page's a span.h1.
        return self.page.locator('.page-header h1, .page-header .h1') \
            .first.inner_text().strip()

    def detail_fields(self):
        """``{term: value}`` of a detail page's overview (its ``dl``)."""
        return self.page.locator('.detail dl').first.evaluate(
            """dl => Object.fromEntries(Array.from(dl.querySelectorAll('dt'))
                .map(dt => [dt.innerText.trim(),
                            dt.nextElementSibling.innerText.trim()]))""")

    def screenshot(self, name):
        path = self.shots_dir / ('%s.png' % name)
        self.page.screenshot(path=str(path))
        return path

    # -------------------------------------------------------- messages
    def messages(self, kind=None):
        """The texts of the messages on the page (``success``, ``error``
        as Horizon's ``alert-danger``...), and removes them so that they
        do not cover what is clicked next."""
        selector = '.messages .alert'
        if kind:
            selector += '.alert-%s' % ('danger' if kind == 'error' else kind)
        texts = [' '.join(t.split()) for t in
                 self.page.locator(selector).all_inner_texts()]
        self.clear_messages()
        return texts

    def clear_messages(self):
        self.page.evaluate(
            "document.querySelectorAll('.messages .alert')"
            ".forEach(function (e) { e.remove(); })")

    # ---------------------------------------------------------- tables
    def table_ids(self, table):
        return self.page.locator('#%s tbody tr[data-object-id]' % table) \
            .evaluate_all('rows => rows.map(r => r.dataset.objectId)')

    def row(self, table, object_id):
        return self.page.locator('#%s tbody tr[data-object-id="%s"]'
                                 % (table, object_id))

    def row_cells(self, table, object_id):
        """``{column heading: text}`` of one row."""
        headings = [' '.join(h.split()) for h in self.page.locator(
            '#%s thead tr.table_column_header th' % table).all_inner_texts()]
        cells = [' '.join(c.split()) for c in
                 self.row(table, object_id).locator('td').all_inner_texts()]
        return dict(zip(headings, cells, strict=False))

    def row_action(self, table, object_id, action):
        """Click a row action, opening the drop-down when it hides it."""
        row = self.row(table, object_id)
        link = row.locator('[id$="__action_%s"]' % action)
        if not link.is_visible():
            row.locator('.dropdown-toggle').click()
        link.click()

    def filter(self, table, field, value):
        """Filter a table on the server side, as its filter bar does."""
        bar = self.page.locator('#%s .table_search' % table)
        self._choose(bar, bar.locator('select[name="%s__filter__q_field"]'
                                      % table), field)
        bar.locator('input[name="%s__filter__q"]' % table).fill(value)
        with self.page.expect_navigation():
            self.page.click('#%s__action_filter' % table)
        self.page.wait_for_load_state('load')

    def delete_rows(self, table, object_ids):
        """Tick the rows, click the table's delete action and confirm."""
        for object_id in object_ids:
            cell = self.row(table, object_id).locator(
                'td.multi_select_column')
            self._tick(cell, cell.locator('input[type=checkbox]'), True)
        self.page.click('#%s__action_delete' % table)
        confirm = self.page.locator('.modal.in .modal-footer .btn-danger')
        with self.page.expect_navigation():
            confirm.click()
        self.page.wait_for_load_state('load')

    # ----------------------------------------------------------- forms
    def wait_modal(self):
        self.page.wait_for_selector('.modal.in form', state='visible')
        return self.page.locator('.modal.in form')

    def fill(self, fields):
        """``{field name: value}`` in the open modal: text for inputs and
        text areas, an option's value for selects, a bool for checkboxes,
        set as a user does: Horizon hides selects and checkboxes behind
        themed widgets (a drop-down button, a label), which are clicked."""
        form = self.page.locator('.modal.in form')
        for name, value in fields.items():
            field = form.locator('[name="%s"]' % name)
            tag = field.evaluate('e => e.tagName.toLowerCase()')
            kind = field.get_attribute('type')
            if tag == 'select':
                self._choose(form, field, value)
            elif kind == 'checkbox':
                self._tick(form, field, bool(value))
            else:
                field.fill(value)

    @staticmethod
    def _tick(scope, checkbox, value):
        """Horizon's checkboxes are drawn by their label: click that."""
        if checkbox.is_checked() != value:
            scope.locator('label[for="%s"]'
                          % checkbox.get_attribute('id')).click()
        assert checkbox.is_checked() == value

    @staticmethod
    def _choose(form, field, value):
        themed = form.locator('.themable-select:has(select[name="%s"])'
                              % field.get_attribute('name'))
        if themed.count() and themed.locator('button').is_visible():
            themed.locator('button.dropdown-toggle').click()
            themed.locator('a[data-select-value="%s"]' % value).click()
        else:
            field.select_option(value)
        assert field.input_value() == value

    def field_value(self, name):
        return self.page.locator('.modal.in form [name="%s"]'
                                 % name).input_value()

    def select_options(self, name):
        return self.page.locator(
            '.modal.in form select[name="%s"] option' % name).evaluate_all(
                'opts => opts.map(o => o.value)')

    def submit(self):
        """Submit the modal's form; Horizon then loads the success page."""
        with self.page.expect_navigation():
            self.page.click('.modal.in .modal-footer [type=submit]')
        self.page.wait_for_load_state('load')

    def submit_refused(self, expected):
        """Submit a form that the server refuses without a new page:
        Horizon shows the messages of the answer instead. Waits for one
        that contains ``expected``; returns all their texts, closing the
        modal if it is still open."""
        self.page.click('.modal.in .modal-footer [type=submit]')
        toasts = self.page.locator('.messages .alert')
        toasts.filter(has_text=expected).first.wait_for(state='visible')
        texts = [' '.join(t.split()) for t in toasts.all_inner_texts()]
        modal = self.page.locator('.modal.in')
        if modal.count():
            modal.locator('.modal-footer .cancel').click()
            modal.wait_for(state='detached')
        return texts

    # ------------------------------------------------------------ tabs
    def open_tab(self, title):
        self.page.click('.nav-tabs a:text-is("%s")' % title)
        pane = self.page.locator('.tab-content .tab-pane.active')
        pane.wait_for(state='visible')
        # Tabs that are not preloaded fetch their table when shown.
        self.page.wait_for_function(
            "() => !document.querySelector('.tab-pane.active .loader')")
        return pane


def cannot_run(message):
    if os.environ.get('MASAKARI_TEST_REQUIRE_SERVERS') == '1':
        pytest.fail(message + ' (MASAKARI_TEST_REQUIRE_SERVERS=1)')
    pytest.skip(message)
