"""Signals of the participants app, for the apps above it that hold data about a participant.

The participants app may not import them (DESIGN.md §3): they connect a receiver in their
``AppConfig.ready()`` instead.
"""

from django.dispatch import Signal

# Sent by ``services.participant_erase`` inside its transaction, after the participant's own row is
# anonymised, with ``participant``, ``by`` (who erases) and ``former_user_id`` (the account the
# participant had, or None). A receiver removes or anonymises what its app holds about the person and
# returns the names of the fields it erased (a list, possibly empty): they are added to the erasure's
# entry in the access log. An exception in a receiver rolls the whole erasure back.
participant_erased = Signal()
