// Health checks of `ip` targets (real probes at their address) and the health of `instance` targets (their
// instance's state: no guest exists to probe, and they receive no traffic). Thresholds as ELB counts them.
import { request } from 'node:http';
import { connect } from 'node:net';
import type { Row } from '../../platform/resources/repo.js';
import type { Health, TargetState } from './model.js';

type Outcome = { ok: true } | { ok: false; reason: string };

/** Whether `status` is one of the matcher's codes (`200`, `200,302`, `200-399`). */
export function codeMatches(matcher: string, status: number): boolean {
  return matcher.split(',').some((part) => {
    const [lo, hi] = part.split('-').map(Number);
    return hi === undefined ? status === lo : status >= lo! && status <= hi;
  });
}

/** One probe of a target, bounded by the group's timeout (a real network wait, not platform time). */
export function probe(tg: Row, t: TargetState): Promise<Outcome> {
  const port = tg.health_check_port ?? t.port;
  const timeoutMs = tg.health_check_timeout_seconds * 1000;
  return new Promise((resolve) => {
    let done = false;
    const finish = (o: Outcome) => {
      if (!done) ((done = true), resolve(o));
    };
    if (tg.health_check_protocol === 'TCP') {
      const s = connect({ host: t.address, port, timeout: timeoutMs });
      s.once('connect', () => (s.destroy(), finish({ ok: true })));
      s.once('timeout', () => (s.destroy(), finish({ ok: false, reason: 'Target.Timeout: the connection timed out' })));
      s.once('error', (e: NodeJS.ErrnoException) =>
        finish({ ok: false, reason: `Target.FailedHealthChecks: connection failed (${e.code ?? e.message})` }),
      );
      return;
    }
    const req = request({
      host: t.address,
      port,
      path: tg.health_check_path,
      method: 'GET',
      agent: false,
      timeout: timeoutMs,
    });
    req.setHeader('User-Agent', 'ATX-HealthChecker/1.0');
    req.once('response', (res) => {
      res.resume();
      const status = res.statusCode ?? 0;
      finish(
        codeMatches(tg.matcher, status)
          ? { ok: true }
          : { ok: false, reason: `Target.ResponseCodeMismatch: health checks failed with these codes: [${status}]` },
      );
    });
    req.once('timeout', () => {
      req.destroy();
      finish({ ok: false, reason: 'Target.Timeout: request timed out' });
    });
    req.once('error', (e: NodeJS.ErrnoException) =>
      finish({ ok: false, reason: `Target.FailedHealthChecks: connection failed (${e.code ?? e.message})` }),
    );
    req.end();
  });
}

function set(t: TargetState, health: Health, reason: string | null) {
  t.health = health;
  t.reason = reason;
}

/**
 * Counts a probe's outcome: a new target is healthy after one pass (as ALB has it) and unhealthy after
 * `unhealthy_threshold` failures in a row; a healthy one goes out after `unhealthy_threshold` failures, an unhealthy
 * one comes back after `healthy_threshold` passes.
 */
export function record(tg: Row, t: TargetState, o: Outcome): void {
  if (o.ok) {
    t.fails = 0;
    t.passes++;
    if (t.health === 'initial' || (t.health === 'unhealthy' && t.passes >= tg.healthy_threshold))
      set(t, 'healthy', null);
    return;
  }
  t.passes = 0;
  t.fails++;
  if (t.health === 'unhealthy') t.reason = o.reason;
  else if (t.fails >= tg.unhealthy_threshold) set(t, 'unhealthy', o.reason);
}

/** An instance target's health: its instance's status (undefined: the instance is gone). */
export function instanceHealth(t: TargetState, status: string | undefined): void {
  if (status === 'running')
    set(t, 'healthy', 'Target.NoGuest: follows the instance (running); no guest exists, so it receives no traffic');
  else if (status === undefined) set(t, 'unhealthy', 'Target.NotRegistered: the instance no longer exists');
  else set(t, 'unhealthy', `Target.InvalidState: the instance is ${status}`);
}

/** A target of a group no listener forwards to, or back in use. */
export function useChanged(t: TargetState, used: boolean, now: number): void {
  if (!used && t.health !== 'unused') set(t, 'unused', 'Target.NotInUse: no listener forwards to the target group');
  if (used && t.health === 'unused') {
    set(t, 'initial', 'Elb.RegistrationInProgress: the first health check is under way');
    t.passes = t.fails = 0;
    t.nextProbe = now;
  }
}
