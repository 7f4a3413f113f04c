// What the data plane holds of one served load balancer: its rows as last read, and per target the health the
// checks have seen and the traffic in flight (which outlive every re-read of the rows).
import { Agent } from 'node:http';
import type { Server } from 'node:http';
import type { Server as NetServer, Socket } from 'node:net';
import type { Row } from '../../platform/resources/repo.js';

export type Health = 'initial' | 'healthy' | 'unhealthy' | 'draining' | 'unused';

export interface TargetState {
  id: string;
  address: string;
  port: number;
  instance: boolean;
  health: Health;
  reason: string | null;
  /** what the row says, so only changes are written */
  written: { health: string; reason: string | null };
  passes: number;
  fails: number;
  /** requests or connections in flight (least outstanding requests; draining waits for them) */
  outstanding: number;
  /** keep-alive connections to the target, its own so a drained target's can be cut */
  agent: Agent;
  /** TCP connections spliced to it */
  sockets: Set<Socket>;
  /** platform time of its next probe */
  nextProbe: number;
}

export interface GroupState {
  row: Row;
  targets: Map<string, TargetState>;
  /** round robin position */
  rr: number;
  /** some listener or rule forwards here (else its targets are `unused`) */
  used: boolean;
}

export interface ListenerState {
  row: Row;
  /** its rules, lowest priority first */
  rules: Row[];
  server?: Server | NetServer;
  /** TCP: client sockets, destroyed when the listener goes */
  clients: Set<Socket>;
  /** smooth weighted round robin state per action (the default's key is the listener id, a rule's its id) */
  weights: Map<string, { spec: string; current: number[] }>;
}

export interface ServedLb {
  id: string;
  row: Row;
  groups: Map<string, GroupState>;
  listeners: Map<string, ListenerState>;
}

export function newTarget(row: Row, instance: boolean, now: number): TargetState {
  const health = (row.deregistered_at ? 'draining' : row.health) as Health;
  return {
    id: row.id,
    address: row.target_id,
    port: row.port,
    instance,
    health,
    reason: row.health_reason,
    written: { health: row.health, reason: row.health_reason },
    passes: 0,
    fails: 0,
    outstanding: 0,
    agent: new Agent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 64 }),
    sockets: new Set(),
    nextProbe: now,
  };
}

/** Cuts whatever still runs to a target that is gone (drained, or its group or load balancer deleted). */
export function cutTarget(t: TargetState): void {
  t.agent.destroy();
  for (const s of t.sockets) s.destroy();
}

/** The target groups an action forwards to (none for fixed responses and redirects). */
export const forwardsTo = (action: Row | null | undefined): string[] =>
  action?.type === 'forward' ? (action.target_groups ?? []).map((g: Row) => g.target_group_id as string) : [];
