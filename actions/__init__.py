"""Rasa SDK custom actions, one module per feature.

Run with ``rasa run actions --actions actions``; the SDK imports every module
of this package and registers each ``Action`` subclass it finds. Modules must
do no work at import time (no I/O, no network, no heavy imports).

Actions send messages only as catalog keys, never resident-facing text::

    dispatcher.utter_message(json_message={"key": "...", "params": {...}})

The gateway (api/) renders the key with Babel in the resident's language.
"""
