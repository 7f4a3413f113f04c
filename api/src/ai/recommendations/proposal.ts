// What a recommender proposes for one resource, before the refresh gives it an identity and a row.
import type { Savings } from '../prices/catalogue.js';

export interface Step {
  operation_id: string;
  params?: Record<string, string>;
  body?: unknown;
}

export interface Proposal extends Savings {
  type: 'rightsizing' | 'idle_resource' | 'storage_lifecycle' | 'schedule' | 'predictive_scaling';
  resource_kind: string;
  resource_id: string;
  summary: string;
  evidence: Record<string, unknown>;
  method: string;
  action: { description: string; steps: Step[]; precondition: string | null };
  confidence: number;
  confidence_method: string;
}

export const DAY = 86_400_000;
export const round = (v: number, places = 2) => Math.round(v * 10 ** places) / 10 ** places;
export const iso = (t: number) => new Date(t).toISOString();
