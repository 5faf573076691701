"""The WSGI application for gunicorn: `gunicorn assess.wsgi:app`, from any directory once the
package is installed (`pip install .`)."""

import gc

from . import create_app

app = create_app()
# Everything loaded so far lives as long as the worker: keep it out of the garbage collector's
# full passes, which otherwise walk it all (~140,000 objects, tens of milliseconds) now and then
# in the middle of a request.
gc.freeze()
