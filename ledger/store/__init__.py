"""The store: the ledger's tables and how they are kept. Imports replace whole (sheet,
period) slices, every import and restore is a history entry, any earlier state can be
read again (``versions``) or restored (``history``), and a month's report is frozen
(``freezes``). Nothing here knows what a figure is."""
