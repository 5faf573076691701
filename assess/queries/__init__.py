"""The read side: what each audience's pages load, in a planned, fixed number of statements.

- `public`: the public site and the JSON API (published versions only);
- `staff`: the staff pages of a country or a version (only for users who may see them);
- `opendata`: the downloads (CSV, JSON) built from the published versions;
- `queues`, `coverage`, `audit_log`: the staff lists (work queues, coverage matrix, audit log).

Writes go through `assess.services`; nothing here changes a row."""
