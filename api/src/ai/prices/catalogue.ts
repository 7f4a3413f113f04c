// Looking prices up for a recommendation's savings: the entry for (resource type, name), or why there is none.
import type { Knex } from 'knex';
import { prices } from './index.js';

export interface PriceUsed {
  id: string;
  resource_type: string;
  name: string;
  unit: string;
  price: number;
  currency: string;
}

/** The catalogue as it is now, keyed `resource_type:name` (read once per refresh). */
export class Catalogue {
  private constructor(private readonly entries: Map<string, PriceUsed>) {}

  static async load(db: Knex): Promise<Catalogue> {
    const rows: PriceUsed[] = await db(prices.table).select('id', 'resource_type', 'name', 'unit', 'price', 'currency');
    return new Catalogue(new Map(rows.map((r) => [`${r.resource_type}:${r.name}`, { ...r, price: Number(r.price) }])));
  }

  find(resourceType: 'flavor' | 'volume_type' | 'storage_class', name: string): PriceUsed | undefined {
    return this.entries.get(`${resourceType}:${name}`);
  }
}

export interface Savings {
  monthly_savings: number | null;
  currency: string | null;
  savings: { formula: string; prices: PriceUsed[]; reason: string | null };
}

/** Hours in the month the savings are stated for (365 × 24 / 12). */
export const HOURS_PER_MONTH = 730;

/**
 * Savings from the prices `needed` (each looked up by the caller; undefined when missing): `compute` gets them all
 * found and in one currency, else the figure is null with the reason.
 */
export function savingsOf(
  needed: { what: string; price: PriceUsed | undefined }[],
  formula: string,
  compute: (found: PriceUsed[]) => number,
): Savings {
  const missing = needed.filter((n) => !n.price).map((n) => n.what);
  const found = needed.flatMap((n) => (n.price ? [n.price] : []));
  if (missing.length)
    return {
      monthly_savings: null,
      currency: null,
      savings: { formula, prices: found, reason: `the price catalogue has no price for ${missing.join(', ')}` },
    };
  const currencies = [...new Set(found.map((p) => p.currency))];
  if (currencies.length > 1)
    return {
      monthly_savings: null,
      currency: null,
      savings: { formula, prices: found, reason: `the prices are in different currencies (${currencies.join(', ')})` },
    };
  const value = Math.round(compute(found) * 100) / 100;
  return { monthly_savings: value, currency: currencies[0] ?? null, savings: { formula, prices: found, reason: null } };
}

/** No figure for a reason other than a missing price (what is not priced at all). */
export const unpriced = (formula: string, reason: string): Savings => ({
  monthly_savings: null,
  currency: null,
  savings: { formula, prices: [], reason },
});
