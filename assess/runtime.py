"""The interpreter this app runs on: Python 3.12 or newer, refused below.

Why not 3.11 (3.11.2 and 3.11.7 both fail): up to 3.11 the cyclic garbage collector runs inside
object allocations. When CPython turns an object's inline attribute values into a real `__dict__`
(`make_dict_from_instance_attributes`, on the first attribute set that needs it), the new dict's
allocation can start a collection; if that collection frees a mapped object whose SQLAlchemy
`InstanceState` is the very object being changed, the weakref callback it runs
(`InstanceState._cleanup`) sets attributes on that state, resizes its values and frees the old
array, which the interrupted allocation then keeps using. Seen as SIGSEGV or SIGABRT
(`free(): invalid pointer`) in ordinary Python code, or as objects of the wrong type, under mixed
public traffic: valgrind shows the read of the freed values array in `dictresize`, freed by
`free_values` inside `handle_weakrefs` of a collection started from `new_dict`. Python 3.12 runs
the collector only at the evaluation loop's safe points (gh-97922), which closes the window.

`tests/test_no_crash.py` renders the mixed pages that crashed 3.11 within twenty renders.
"""

import sys

MINIMUM = (3, 12)


def check_interpreter(version: tuple = tuple(sys.version_info)) -> None:
    if tuple(version[:2]) < MINIMUM:
        raise RuntimeError(
            f"assess needs Python {MINIMUM[0]}.{MINIMUM[1]} or newer (this is "
            f"{'.'.join(str(part) for part in version[:3])}): on Python 3.11 the garbage collector "
            "can free memory that SQLAlchemy is still using, and workers crash. "
            "See assess/runtime.py."
        )
