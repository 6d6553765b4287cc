import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TrainedResult } from '../../../src/api/trial-result.js';
import { finalPanel, finalRows } from '../../../src/report/final-panel.js';
import { renderSearchReport, reportModel } from '../../../src/report/search-report.js';
import type { TrialRecord } from '../../../src/search/trial-records.js';
import { NASNET_A } from '../../../src/space/index.js';
import { trainedResult } from '../../helpers/trained-result.js';

const SEARCH = 'local/q/a';

const trained = (valAccuracy: number, params: number): TrainedResult =>
  trainedResult(valAccuracy, { params, multAdds: params * 10, testAccuracy: valAccuracy - 0.01 });

const other = { ...NASNET_A, normal: NASNET_A.reduction, reduction: NASNET_A.normal };
const record = (trialId: string, genotype: unknown, result?: TrainedResult): TrialRecord => ({
  trialId,
  space: 'nasnet',
  genotype,
  attempts: 1,
  ...(result ? { result } : {}),
});

const TRIALS: TrialRecord[] = [
  record(`${SEARCH}/0/0`, NASNET_A, trained(0.8, 1000)),
  record(`${SEARCH}/0/1`, other, trained(0.9, 1200)),
  record(`${SEARCH}/final/0`, other, trained(0.95, 5000)),
  record(`${SEARCH}/final/1`, NASNET_A),
];

void describe('search report: final training panel', () => {
  void it('pairs each final training with the search trial of the same genotype, search accuracy beside final accuracy', () => {
    assert.deepEqual(finalRows(TRIALS), [
      {
        trialId: `${SEARCH}/final/0`,
        sourceTrialId: `${SEARCH}/0/1`,
        searchAccuracy: 90,
        finalAccuracy: 95,
        finalTestAccuracy: 94,
        searchParams: 1200,
        finalParams: 5000,
      },
      { trialId: `${SEARCH}/final/1`, sourceTrialId: `${SEARCH}/0/0`, searchAccuracy: 80, searchParams: 1000 },
    ]);
  });

  void it("keeps final trainings out of the search's curve, front and table, and draws the panel only when there are some", () => {
    const m = reportModel({ searchId: SEARCH, generatedAt: 't', trials: TRIALS });
    assert.deepEqual(
      m.trials.map((t) => t.trialId),
      [`${SEARCH}/0/0`, `${SEARCH}/0/1`],
    );
    assert.equal(Math.max(...m.curve.map((p) => p.best)), 90, 'the 95% final training is not the search best');
    const page = renderSearchReport({ searchId: SEARCH, generatedAt: 't', trials: TRIALS });
    assert.match(page, /<h2>Final training<\/h2>/);
    assert.match(page, /<td>local\/q\/a\/final\/0<\/td><td>local\/q\/a\/0\/1<\/td><td>90\.00%<\/td><td>95\.00%<\/td><td>94\.00%<\/td><td>1,200 → 5,000<\/td>/);
    assert.equal(finalPanel(TRIALS.slice(0, 2)), '');
    assert.doesNotMatch(renderSearchReport({ searchId: SEARCH, generatedAt: 't', trials: TRIALS.slice(0, 2) }), /Final training/);
  });
});
