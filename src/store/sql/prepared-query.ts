import type { Compilable, CompiledQuery, Kysely } from 'kysely';
import type { Database } from './db-schema.js';
import type { SqlDialectHooks } from './sql-dialect.js';

const SLOT = '\u0000prepared-slot:';

/**
 * The SQL text of every prepared query compiled in this process, to its statement name: a
 * PostgreSQL connection keeps these as named statements (open-postgres.ts), parsed and planned
 * once per connection. Only these texts: a name per ad-hoc filter would grow without bound.
 */
const statementNames = new Map<string, string>();

/** The statement name of a prepared query's SQL text; undefined for any other text. */
export function preparedStatementName(sqlText: string): string | undefined {
  return statementNames.get(sqlText);
}

/**
 * A hot query whose SQL text depends only on the dialect and a variant, never on its argument
 * values: Kysely builds and compiles it once per (dialect, variant), and each call only places its
 * arguments into the compiled parameters. Kysely otherwise rebuilds and recompiles the operation
 * tree on every call, which cost more than the indexed read itself on a GET by id. (The SQLite
 * driver then finds the statement already prepared, open-sqlite.ts.)
 */
export function preparedQuery<K extends string, V extends string, O>(
  names: readonly K[],
  build: (db: Kysely<Database>, hooks: SqlDialectHooks, variant: V, args: Record<K, never>) => Compilable<O>,
) {
  const compiled = new Map<string, { template: CompiledQuery<O>; slots: (K | undefined)[] }>();
  return (
    db: Kysely<Database>,
    hooks: SqlDialectHooks,
    variant: V,
    args: Readonly<Record<K, unknown>>,
  ): CompiledQuery<O> => {
    const key = `${hooks.name}:${variant}`;
    let entry = compiled.get(key);
    if (entry === undefined) {
      const sentinels = Object.fromEntries(names.map((name) => [name, `${SLOT}${name}`])) as Record<K, never>;
      const template = build(db, hooks, variant, sentinels).compile();
      const slots = template.parameters.map((p) =>
        typeof p === 'string' && p.startsWith(SLOT) ? (p.slice(SLOT.length) as K) : undefined,
      );
      for (const name of names) {
        // An argument the SQL does not carry as a parameter shaped the text: not preparable.
        if (!slots.includes(name)) throw new Error(`prepared query: ${name} is not a plain parameter`);
      }
      entry = { template, slots };
      compiled.set(key, entry);
      if (!statementNames.has(template.sql)) statementNames.set(template.sql, `pscim_${statementNames.size + 1}`);
    }
    const { template, slots } = entry;
    return {
      ...template,
      parameters: slots.map((slot, i) => (slot === undefined ? template.parameters[i] : args[slot])),
    };
  };
}
