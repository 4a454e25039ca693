import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LogRecord } from '../store/store.js';
import { LogBatch } from './log-batch.js';

const entry = (id: string): LogRecord => ({ id }) as unknown as LogRecord;

test('entries added together are written in one batch, in order, and flush waits for them', async () => {
  const writes: string[][] = [];
  const batch = new LogBatch(async (entries) => {
    writes.push(entries.map((e) => e.id));
  });
  for (const id of ['a', 'b', 'c']) await batch.add(entry(id));
  assert.deepEqual(writes, [], 'nothing is written on the request path');
  await batch.flush();
  assert.deepEqual(writes, [['a', 'b', 'c']]);
  await batch.flush();
  assert.equal(writes.length, 1, 'an empty flush writes nothing');
});

test('the batch is written by itself after its delay, without a flush', async () => {
  const written: string[] = [];
  const batch = new LogBatch(async (entries) => {
    written.push(...entries.map((e) => e.id));
  });
  await batch.add(entry('a'));
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.deepEqual(written, ['a']);
});

test('one entry the database refuses loses only itself, and is reported', async () => {
  const written: string[] = [];
  const failures: number[] = [];
  const batch = new LogBatch(async (entries) => {
    if (entries.some((e) => e.id === 'bad')) throw new Error('foreign key');
    written.push(...entries.map((e) => e.id));
  });
  batch.onWriteFailure((_error, lost) => failures.push(lost));
  for (const id of ['a', 'bad', 'c']) await batch.add(entry(id));
  await batch.flush();
  assert.deepEqual(written, ['a', 'c']);
  assert.deepEqual(failures, [1]);
});

test('a database slower than the traffic makes requests wait rather than the heap grow', async () => {
  let release: () => void = () => undefined;
  let writing = 0;
  const batch = new LogBatch(async () => {
    writing++;
    await new Promise<void>((resolve) => {
      release = resolve;
    });
  });
  // 500 entries start a write at once; it hangs. Requests go on adding until 10,000 wait besides.
  let waited = false;
  const adds: Promise<void>[] = [];
  for (let i = 0; i < 10_500; i++) adds.push(batch.add(entry(String(i))));
  const last = adds[adds.length - 1] as Promise<void>;
  void last.then(() => {
    waited = true;
  });
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(writing, 1);
  assert.equal(waited, false, 'the add that reached the bound waits for the write in progress');
  release();
  for (let i = 0; i < 5 && !waited; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    release();
  }
  await last;
  assert.equal(waited, true);
});
