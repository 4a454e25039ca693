/**
 * An attribute path as written by the client: `urn:...:User:name.givenName` gives
 * `{ uri: 'urn:...:User', attr: 'name', sub: 'givenName' }`. Names keep the client's spelling;
 * resolving them (case-insensitively) against the schema is the checker's job.
 */
export interface AttrPath {
  readonly uri?: string;
  readonly attr: string;
  readonly sub?: string;
}
