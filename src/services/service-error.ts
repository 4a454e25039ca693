/**
 * Errors of the admin side (CLI, console): a missing organization or token, a bad argument.
 * SCIM requests never see these; they get ScimError.
 */
export class ServiceError extends Error {
  readonly code: 'notFound' | 'invalid' | 'conflict';
  constructor(code: 'notFound' | 'invalid' | 'conflict', message: string) {
    super(message);
    this.name = 'ServiceError';
    this.code = code;
  }
}
