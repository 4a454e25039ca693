/**
 * The one protocol error of the core. RFC 7644 §3.12 defines the body; `scimType` is set only for
 * the types the RFC lists for 400 (and `uniqueness` for 409).
 */
export type ScimType =
  | 'invalidFilter'
  | 'tooMany'
  | 'uniqueness'
  | 'mutability'
  | 'invalidSyntax'
  | 'invalidPath'
  | 'noTarget'
  | 'invalidValue'
  | 'invalidVers'
  | 'sensitive';

export class ScimError extends Error {
  readonly status: number;
  readonly scimType: ScimType | undefined;
  readonly detail: string;
  /** Stable id of the throw site, for logs (never shown as the only explanation). */
  readonly code: string;

  constructor(status: number, detail: string, scimType?: ScimType, code?: string) {
    super(detail);
    this.name = 'ScimError';
    this.status = status;
    this.detail = detail;
    this.scimType = scimType;
    this.code = code ?? (scimType ? `scim.${scimType}` : `scim.${status}`);
  }
}

export const invalidFilter = (detail: string, code = 'filter.invalid'): ScimError =>
  new ScimError(400, detail, 'invalidFilter', code);
export const invalidPath = (detail: string, code = 'path.invalid'): ScimError =>
  new ScimError(400, detail, 'invalidPath', code);
export const invalidSyntax = (detail: string, code = 'request.syntax'): ScimError =>
  new ScimError(400, detail, 'invalidSyntax', code);
export const invalidValue = (detail: string, code = 'value.invalid'): ScimError =>
  new ScimError(400, detail, 'invalidValue', code);
export const noTarget = (detail: string, code = 'path.noTarget'): ScimError =>
  new ScimError(400, detail, 'noTarget', code);
export const mutability = (detail: string, code = 'value.mutability'): ScimError =>
  new ScimError(400, detail, 'mutability', code);
export const uniqueness = (detail: string, code = 'value.uniqueness'): ScimError =>
  new ScimError(409, detail, 'uniqueness', code);
export const tooMany = (detail: string, code = 'request.tooMany'): ScimError =>
  new ScimError(400, detail, 'tooMany', code);
export const notFound = (detail: string, code = 'resource.notFound'): ScimError =>
  new ScimError(404, detail, undefined, code);
