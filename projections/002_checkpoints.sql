-- Where each projection stopped: written in the same transaction as the rows it covers.
CREATE TABLE IF NOT EXISTS projection_checkpoints (
  name        text PRIMARY KEY,
  position    bigint NOT NULL,
  events      bigint NOT NULL
);
