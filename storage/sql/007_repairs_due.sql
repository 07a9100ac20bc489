-- Repairs a cycle found due and cannot make itself (they take long on a large store): each cycle
-- warns of them in its run log until the command named in `detail` has made them.
CREATE TABLE store.repairs_due (
    name        TEXT PRIMARY KEY,      -- band_keys
    noticed_at  TIMESTAMPTZ NOT NULL,
    detail      TEXT NOT NULL
);
