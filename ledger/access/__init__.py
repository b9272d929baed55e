"""Who may see what: accounts and their roles, the scope of townships every query is
limited to, the one masking policy for personal data, and the audit trail. Below the
query layer, so a page cannot ask past it."""
