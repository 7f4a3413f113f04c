// Diagnostics: what handlers return (or throw) to tell the user something, optionally pinned to an attribute.
import type { Diagnostic as ProtoDiagnostic, AttributePath as ProtoAttributePath } from './protocol-types.js';

/** A path step: an attribute name, a list index (number), or a map key ({ key }). */
export type PathStep = string | number | { readonly key: string };
export type AttributePath = readonly PathStep[];

export interface Diagnostic {
  severity: 'error' | 'warning';
  summary: string;
  detail?: string;
  /** Core underlines this attribute in the configuration when it can. */
  path?: AttributePath;
}

export function errorDiagnostic(summary: string, detail?: string, path?: AttributePath): Diagnostic {
  return { severity: 'error', summary, detail, path };
}

export function warningDiagnostic(summary: string, detail?: string, path?: AttributePath): Diagnostic {
  return { severity: 'warning', summary, detail, path };
}

export function hasErrors(diagnostics: readonly Diagnostic[] | undefined): boolean {
  return diagnostics?.some((d) => d.severity === 'error') ?? false;
}

/** Throw this from a handler to answer with exactly these diagnostics. */
export class DiagnosticsError extends Error {
  readonly diagnostics: Diagnostic[];
  constructor(diagnostics: Diagnostic | Diagnostic[]) {
    const list = Array.isArray(diagnostics) ? diagnostics : [diagnostics];
    super(list.map((d) => d.summary).join('; '));
    this.diagnostics = list;
  }
}

/** What a thrown value becomes: its diagnostics, or one error diagnostic with the message. */
export function diagnosticsFromError(error: unknown, summary = 'Provider error'): Diagnostic[] {
  if (error instanceof DiagnosticsError) return error.diagnostics;
  if (error instanceof Error && error.name === 'AbortError') {
    return [
      errorDiagnostic(
        'Operation cancelled',
        'The operation was stopped before it finished (Terraform asked the provider to stop).',
      ),
    ];
  }
  return [errorDiagnostic(summary, error instanceof Error ? error.message : String(error))];
}

export function toProtoPath(path: AttributePath): ProtoAttributePath {
  return {
    steps: path.map((step) =>
      typeof step === 'string'
        ? { attribute_name: step }
        : typeof step === 'number'
          ? { element_key_int: step }
          : { element_key_string: step.key },
    ),
  };
}

export function toProtoDiagnostic(d: Diagnostic): ProtoDiagnostic {
  return {
    severity: d.severity === 'error' ? 'ERROR' : 'WARNING',
    summary: d.summary,
    detail: d.detail ?? '',
    attribute: d.path && d.path.length > 0 ? toProtoPath(d.path) : undefined,
  };
}
