/**
 * What the simulated venue sends back to the strategy side. Every response carries the venue time it
 * was produced at (`tsVenue`, exchange clock) and the local time the strategy sees it (`tsLocal` =
 * tsVenue + response latency, never before an earlier response: the pipe is FIFO). Plain objects, so
 * they serialize as they are into `order.*` / `funding.settled` events.
 */
import type { Liquidity } from '../model/events.ts';

interface OrderResponseBase {
  readonly clientOrderId: string;
  readonly tsVenue: number;
  readonly tsLocal: number;
}

export interface AcceptedResponse extends OrderResponseBase { readonly kind: 'accepted'; readonly venueOrderId: string }
export interface RejectedResponse extends OrderResponseBase { readonly kind: 'rejected'; readonly reason: string }
export interface FilledResponse extends OrderResponseBase {
  readonly kind: 'filled';
  readonly venueOrderId: string;
  readonly venueTradeId: string;
  readonly priceTicks: number;
  readonly sizeLots: number;
  /** Lots still open after this fill. */
  readonly leavesLots: number;
  readonly liquidity: Liquidity;
  /** Exact decimal strings: price, size, fee (> 0 paid, < 0 rebate) in `feeCurrency`. */
  readonly price: string;
  readonly size: string;
  readonly fee: string;
  readonly feeCurrency: string;
}
export interface CanceledResponse extends OrderResponseBase { readonly kind: 'canceled'; readonly leavesLots: number; readonly reason: string }
export interface CancelRejectedResponse extends OrderResponseBase { readonly kind: 'cancel-rejected'; readonly reason: string }
export interface UpdatedResponse extends OrderResponseBase { readonly kind: 'updated'; readonly priceTicks: number; readonly sizeLots: number; readonly leavesLots: number; readonly keptQueue: boolean }
export interface UpdateRejectedResponse extends OrderResponseBase { readonly kind: 'update-rejected'; readonly reason: string }
/** IOC / FOK / market remainder the book could not fill. */
export interface ExpiredResponse extends OrderResponseBase { readonly kind: 'expired'; readonly leavesLots: number }

/** Funding settled on the venue's position at a funding timestamp (perpetuals). */
export interface FundingSettlement {
  readonly kind: 'funding';
  readonly instrument: string;
  readonly fundingTimeUs: number;
  readonly tsVenue: number;
  readonly tsLocal: number;
  readonly positionLots: number;
  readonly markPriceTicks: number;
  /** Exact decimal strings; amount is the balance change (negative = paid) in `currency`. */
  readonly rate: string;
  readonly position: string;
  readonly markPrice: string;
  readonly amount: string;
  readonly currency: string;
}

export type OrderResponse =
  | AcceptedResponse | RejectedResponse | FilledResponse | CanceledResponse | CancelRejectedResponse
  | UpdatedResponse | UpdateRejectedResponse | ExpiredResponse;

export type VenueResponse = OrderResponse | FundingSettlement;
