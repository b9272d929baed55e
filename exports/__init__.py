"""Server-side exports of the dashboard: chart images (``exports.images``) and the
documents built from them."""
