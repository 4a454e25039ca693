/**
 * Service keys: the deployment-wide credentials of the event feed and snapshot (issue 10), hashed
 * like SCIM tokens. A key reads every organization, so it belongs to no organization.
 */
export interface ServiceKeyRecord {
  readonly id: string;
  /** SHA-256 of the secret (hex): the secret itself is never stored. */
  readonly keyHash: string;
  /** The first characters of the secret, enough to recognise a key in a list, never to use it. */
  readonly hint: string;
  readonly label: string | null;
  readonly createdAt: number;
  readonly expiresAt: number | null;
  readonly revokedAt: number | null;
  readonly lastUsedAt: number | null;
}

export interface ServiceKeyOps {
  /** Throws UniqueViolation on a hash clash (never in practice: 256 random bits). */
  insert(key: ServiceKeyRecord): Promise<void>;
  findByHash(keyHash: string): Promise<ServiceKeyRecord | undefined>;
  findById(id: string): Promise<ServiceKeyRecord | undefined>;
  /** Every key, oldest first (a deployment has a handful). */
  list(): Promise<ServiceKeyRecord[]>;
  /** Marks the key revoked at `at` unless it already is. */
  revoke(id: string, at: number): Promise<void>;
  /** Records the key's last use. */
  touch(id: string, at: number): Promise<void>;
}
