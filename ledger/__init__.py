"""The ledger core: configuration, the store (imports, versions), and the figures.

Knows nothing of Streamlit; the pages and the command line both stand on it.
"""
