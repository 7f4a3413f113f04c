// Principal axes of the standardised training rows, so the forest cuts along the directions the data actually
// varies in. An isolation forest cuts parallel to the axes; a row that breaks a correlation (CPU busy, network
// idle) sits inside every axis' range and takes many such cuts to isolate. Along the principal axes the broken
// relation is a large value on a component that ordinarily barely moves, and one cut isolates it.

/** Eigenvalues and unit eigenvectors (rows of `vectors`) of a symmetric matrix, by cyclic Jacobi rotations. */
export function symmetricEigen(matrix: number[][]): { values: number[]; vectors: number[][] } {
  const n = matrix.length;
  const a = matrix.map((r) => [...r]);
  const v: number[][] = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p][q] ** 2;
    if (off < 1e-22) break;
    for (let p = 0; p < n; p++)
      for (let q = p + 1; q < n; q++) {
        if (Math.abs(a[p][q]) < 1e-300) continue;
        const theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k][p];
          const akq = a[k][q];
          a[k][p] = c * akp - s * akq;
          a[k][q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p][k];
          const aqk = a[q][k];
          a[p][k] = c * apk - s * aqk;
          a[q][k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vpk = v[p][k];
          const vqk = v[q][k];
          v[p][k] = c * vpk - s * vqk;
          v[q][k] = s * vpk + c * vqk;
        }
      }
  }
  return { values: a.map((r, i) => r[i]), vectors: v };
}

/** Standardised rows beyond this robust z on any feature stay out of the covariance (an outlier in the training
 *  window must not tilt the axes toward itself). */
const COVARIANCE_CLIP = 5;
/** A component's spread is floored at this share of the largest, so an exactly collinear pair does not divide
 *  by zero and the noise of a near-collinear one is not blown up past the forest's resolution. */
const MIN_COMPONENT_SHARE = 0.01;

/** The principal axes of the rows and each axis' standard deviation (floored). */
export function principalAxes(rows: number[][]): { axes: number[][]; spread: number[] } {
  const d = rows[0]?.length ?? 0;
  const kept = rows.filter((r) => r.every((x) => Math.abs(x) <= COVARIANCE_CLIP));
  const use = kept.length > d + 1 ? kept : rows;
  const cov = Array.from({ length: d }, () => new Array<number>(d).fill(0));
  for (const r of use) for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) cov[i][j] += r[i] * r[j];
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) cov[i][j] /= Math.max(1, use.length - 1);
  const { values, vectors } = symmetricEigen(cov);
  const order = values.map((_, i) => i).sort((x, y) => values[y] - values[x]);
  const largest = Math.max(values[order[0]] ?? 0, 1e-12);
  return {
    axes: order.map((i) => vectors[i]),
    spread: order.map((i) => Math.sqrt(Math.max(values[i], MIN_COMPONENT_SHARE * largest))),
  };
}
