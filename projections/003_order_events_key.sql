-- order_events: one index instead of two. The history is read per order (`hft audit order`, the
-- server's order view: WHERE run_id = … AND client_order_id = … ORDER BY position), so the key leads
-- with the order. Each log event (one position) still makes at most one history row, so the key
-- refuses the same repeats as the position alone did.
-- Measured on the demo run's 15,601 history rows (COPY, server CPU): primary key (position) plus an
-- index (client_order_id, position) 10.4 µs a row; primary key (client_order_id, position) alone
-- 7.9 µs (pg 15). Catch-up stores one history row per order event, so this is most of its rows.
ALTER TABLE order_events DROP CONSTRAINT IF EXISTS order_events_pkey;
DROP INDEX IF EXISTS order_events_order;
ALTER TABLE order_events ADD PRIMARY KEY (client_order_id, position);
