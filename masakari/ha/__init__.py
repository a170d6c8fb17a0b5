"""Business rules of masakari, one module per resource.

The API handlers authorize, validate, call a function of this package and
build the view; the engine calls the functions meant for it (marked so in
each module). A function here takes the request context first, asks
``masakari.db.api`` for rows, sends the versioned notifications of the
writes it makes and raises the ``masakari.exception`` error the API maps
to a status code.

``masakari.db.api`` keeps the queries only. Where a rule needs atomicity
(a segment under recovery must not change; two API workers must not both
store the same notification) the database does the check in the
transaction that writes and returns a ``db_api.Refused`` member; the
module here decides what that means and raises the error.

Decisions that need no database are plain functions, tested without one.
"""
