import { expect, test } from 'vitest';
import { RunProgress } from '../../src/cli/run-progress.js';
import type { SpeakOptions } from '../../src/cli/speak-options.js';
import type { Plan } from '../../src/plan/plan-requests.js';
import type { ProgressState, Reporter } from '../../src/ui/reporter.js';

/** The file each progress line names, in the order the lines were drawn. */
function batchProgress(labels: string[]): { progress: RunProgress; named: (string | undefined)[] } {
  const named: (string | undefined)[] = [];
  const reporter = { progress: (state: ProgressState) => named.push(state.current) } as unknown as Reporter;
  const progress = new RunProgress({} as SpeakOptions, reporter, { secretHeaders: [], totals: { chunks: 3, chars: 30, files: 3 }, labels });
  return { progress, named };
}

const plan = { items: [], requests: [], characters: 10, chapters: [] } as Plan;

test('in a batch, the line names the file being written, even when the one queued behind it is planned first', () => {
  const { progress, named } = batchProgress(['one.txt', 'two.txt', 'three.txt']);
  // Two jobs run at once; the second may finish cutting its text first.
  progress.events('two.txt').planned(plan);
  progress.events('one.txt').planned(plan);
  progress.fileDone('one.txt');
  progress.events('three.txt').planned(plan);
  progress.fileDone('two.txt');
  progress.fileDone('three.txt');
  expect(named).toEqual(['one.txt', 'one.txt', 'two.txt', 'two.txt', 'three.txt', undefined]);
});

test('a file that fails before it is planned hands the line to the next', () => {
  const { progress, named } = batchProgress(['one.txt', 'two.txt']);
  progress.events('two.txt').planned(plan);
  progress.fileDone('one.txt');
  expect(named).toEqual(['one.txt', 'two.txt']);
});
