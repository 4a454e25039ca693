/** Types of build-stamp.js for the TypeScript that reads it (bench/support.ts). */
export type DistState = { kind: 'none' } | { kind: 'fresh' } | { kind: 'stale'; reason: string };
export function distState(root: string): DistState;
