// Nelder-Mead simplex minimisation (standard coefficients: reflection 1, expansion 2, contraction 0.5, shrink
// 0.5), unconstrained: callers keep parameters in range by reparametrising. Bounded by `maxEvals`.
export interface Minimum {
  x: number[];
  f: number;
  evals: number;
}

export function nelderMead(
  f: (x: number[]) => number,
  x0: number[],
  opts: { step?: number; maxEvals?: number; tol?: number } = {},
): Minimum {
  const d = x0.length;
  const step = opts.step ?? 0.5;
  const maxEvals = opts.maxEvals ?? 200 * d;
  const tol = opts.tol ?? 1e-10;
  let evals = 0;
  const ev = (x: number[]) => {
    evals++;
    const v = f(x);
    return Number.isFinite(v) ? v : Infinity;
  };
  const pts: number[][] = [x0.slice()];
  for (let i = 0; i < d; i++) {
    const p = x0.slice();
    p[i] += step;
    pts.push(p);
  }
  const vals = pts.map(ev);
  const order = () => {
    const idx = pts.map((_, i) => i).sort((a, b) => vals[a] - vals[b]);
    const p2 = idx.map((i) => pts[i]);
    const v2 = idx.map((i) => vals[i]);
    for (let i = 0; i <= d; i++) {
      pts[i] = p2[i];
      vals[i] = v2[i];
    }
  };
  const along = (c: number[], w: number[], t: number) => c.map((ci, i) => ci + t * (w[i] - ci));
  while (evals < maxEvals) {
    order();
    if (Math.abs(vals[d] - vals[0]) <= tol * (Math.abs(vals[0]) + tol)) break;
    const c = new Array<number>(d).fill(0);
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) c[j] += pts[i][j] / d;
    const xr = along(c, pts[d], -1);
    const fr = ev(xr);
    if (fr < vals[0]) {
      const xe = along(c, pts[d], -2);
      const fe = ev(xe);
      if (fe < fr) [pts[d], vals[d]] = [xe, fe];
      else [pts[d], vals[d]] = [xr, fr];
    } else if (fr < vals[d - 1]) {
      [pts[d], vals[d]] = [xr, fr];
    } else {
      const outside = fr < vals[d];
      const xc = along(c, outside ? xr : pts[d], 0.5);
      const fc = ev(xc);
      if (fc < (outside ? fr : vals[d])) [pts[d], vals[d]] = [xc, fc];
      else {
        for (let i = 1; i <= d; i++) {
          pts[i] = along(pts[0], pts[i], 0.5);
          vals[i] = ev(pts[i]);
        }
      }
    }
  }
  order();
  return { x: pts[0], f: vals[0], evals };
}
