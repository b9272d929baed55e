"""The store: the ledger's tables and how they are kept. Imports replace whole (sheet,
period) slices, every import and restore is a history entry, any earlier state can be
read again (``versions``) or restored (``history``), and a month's report is frozen
(``freezes``). The figures are defined here (``figures``) because the store keeps a
summary of each slice (``summaries``), written with the slice; how a figure is read,
formatted or shown is for the layers above."""

# The summaries' tables are part of every store (init_db creates them): registered with
# the schema's metadata whenever the store is imported.
from ledger.store import summaries  # noqa: E402,F401
