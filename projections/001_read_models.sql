-- Read models of the run log (src/projections/projectEvent.ts fills them). Unqualified names: the
-- writer sets search_path to the projection schema. Times are µs since the epoch; money is numeric
-- (exact, the ledger's decimal strings stored as they are); prices/sizes also in ticks/lots.
CREATE TABLE IF NOT EXISTS runs (
  run_id          text PRIMARY KEY,
  stream_id       text    NOT NULL,
  mode            text,
  scenario        text,
  seed            bigint,
  config_hash     text,
  code_version    text,
  first_ts_us     bigint  NOT NULL,
  last_ts_us      bigint  NOT NULL,
  events          integer NOT NULL,
  decisions       integer NOT NULL,
  orders          integer NOT NULL,
  fills           integer NOT NULL,
  denials         integer NOT NULL,
  completed       boolean NOT NULL,
  summary         jsonb,
  last_position   bigint  NOT NULL
);

CREATE TABLE IF NOT EXISTS decisions (
  event_id        text PRIMARY KEY,
  run_id          text   NOT NULL,
  position        bigint NOT NULL,
  strategy_id     text   NOT NULL,
  trigger         text   NOT NULL,
  ts_event_us     bigint NOT NULL,
  ts_recv_us      bigint NOT NULL,
  inputs          jsonb  NOT NULL,
  intents         jsonb  NOT NULL
);

-- Current state of every order.
CREATE TABLE IF NOT EXISTS orders (
  run_id            text    NOT NULL,
  client_order_id   text    NOT NULL,
  strategy_id       text    NOT NULL,
  instrument        text    NOT NULL,
  side              text    NOT NULL,
  order_type        text    NOT NULL,
  time_in_force     text    NOT NULL,
  price_ticks       bigint  NOT NULL,
  size_lots         bigint  NOT NULL,
  status            text    NOT NULL,
  filled_lots       bigint  NOT NULL,
  fills             integer NOT NULL,
  venue_order_id    text,
  decision_id       text,
  requested_ts_us   bigint  NOT NULL,
  submitted_ts_us   bigint,
  accepted_ts_us    bigint,
  first_fill_ts_us  bigint,
  ended_ts_us       bigint,
  end_reason        text,
  last_position     bigint  NOT NULL,
  PRIMARY KEY (run_id, client_order_id)
);
CREATE INDEX IF NOT EXISTS orders_client_order_id ON orders (client_order_id);

-- Full history: one row per order event, in log order.
CREATE TABLE IF NOT EXISTS order_events (
  position          bigint PRIMARY KEY,
  run_id            text   NOT NULL,
  client_order_id   text   NOT NULL,
  event_id          text   NOT NULL,
  type              text   NOT NULL,
  ts_event_us       bigint NOT NULL,
  ts_recv_us        bigint NOT NULL,
  status_after      text   NOT NULL,
  detail            jsonb  NOT NULL
);
CREATE INDEX IF NOT EXISTS order_events_order ON order_events (client_order_id, position);

-- A simulated venue numbers its trades per run, so the run is part of the venue's identity here.
CREATE TABLE IF NOT EXISTS fills (
  run_id            text    NOT NULL,
  instrument        text    NOT NULL,
  venue_trade_id    text    NOT NULL,
  client_order_id   text    NOT NULL,
  strategy_id       text    NOT NULL,
  side              text    NOT NULL,
  price_ticks       bigint  NOT NULL,
  size_lots         bigint  NOT NULL,
  leaves_lots       bigint  NOT NULL,
  liquidity         text    NOT NULL,
  price             numeric NOT NULL,
  size              numeric NOT NULL,
  fee               numeric NOT NULL,
  fee_currency      text    NOT NULL,
  ts_event_us       bigint  NOT NULL,
  ts_recv_us        bigint  NOT NULL,
  position          bigint  NOT NULL,
  PRIMARY KEY (run_id, instrument, venue_trade_id)
);

-- Cumulative per strategy and instrument, as the ledger reported it last (position.changed).
CREATE TABLE IF NOT EXISTS positions (
  run_id            text    NOT NULL,
  strategy_id       text    NOT NULL,
  instrument        text    NOT NULL,
  quantity          numeric NOT NULL,
  avg_entry_price   numeric NOT NULL,
  realized_pnl      numeric NOT NULL,
  fees              numeric NOT NULL,
  funding           numeric NOT NULL,
  currency          text    NOT NULL,
  ts_us             bigint  NOT NULL,
  last_position     bigint  NOT NULL,
  PRIMARY KEY (run_id, strategy_id, instrument)
);

-- Changes of the cumulative ledger figures within each UTC day (by event time).
CREATE TABLE IF NOT EXISTS pnl_daily (
  run_id            text    NOT NULL,
  strategy_id       text    NOT NULL,
  instrument        text    NOT NULL,
  day               date    NOT NULL,
  currency          text    NOT NULL,
  realized_pnl      numeric NOT NULL,
  fees              numeric NOT NULL,
  funding           numeric NOT NULL,
  fills             integer NOT NULL,
  volume            numeric NOT NULL,
  PRIMARY KEY (run_id, strategy_id, instrument, day)
);

-- Realized equity per settle currency after each ledger change: initial balance + realized - fees +
-- funding. (Unrealized P&L needs marks from the market tier, which the run log does not hold.)
CREATE TABLE IF NOT EXISTS equity_curve (
  run_id            text    NOT NULL,
  position          bigint  NOT NULL,
  currency          text    NOT NULL,
  ts_us             bigint  NOT NULL,
  realized_equity   numeric NOT NULL,
  PRIMARY KEY (run_id, position, currency)
);

CREATE TABLE IF NOT EXISTS risk_denials (
  position          bigint PRIMARY KEY,
  run_id            text   NOT NULL,
  client_order_id   text   NOT NULL,
  strategy_id       text,
  instrument        text,
  rule              text   NOT NULL,
  reason            text   NOT NULL,
  rule_values       jsonb  NOT NULL,
  ts_event_us       bigint NOT NULL
);

CREATE TABLE IF NOT EXISTS risk_states (
  position          bigint PRIMARY KEY,
  run_id            text   NOT NULL,
  from_state        text   NOT NULL,
  to_state          text   NOT NULL,
  reason            text   NOT NULL,
  ts_event_us       bigint NOT NULL
);
