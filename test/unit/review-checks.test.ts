import { describe, expect, it } from 'vitest';

type Review = Record<string, unknown>;
type Change = (review: Review) => Review;
const { paneChangeFor, setCohortLabels } = (await import(new URL('../../functions/gallery/assets/review-checks.js', import.meta.url).href)) as {
  paneChangeFor: (key: string) => Change | undefined;
  setCohortLabels: (labels: unknown[]) => void;
};

describe("the review pane's keys for the checks and the cohort labels", () => {
  it('c toggles cultural sensitivity concern/ok and a toggles alignment yes/no, starting from unset', () => {
    expect(paneChangeFor('c')!({})).toEqual({ culturalSensitivity: 'concern' });
    expect(paneChangeFor('c')!({ culturalSensitivity: 'concern' })).toEqual({ culturalSensitivity: 'ok' });
    expect(paneChangeFor('a')!({ scenarioAligned: null })).toEqual({ scenarioAligned: true });
    expect(paneChangeFor('a')!({ scenarioAligned: true })).toEqual({ scenarioAligned: false });
  });

  it('gives declared labels keys in order: yes/no toggles, a choice steps through its choices to unset, other labels stay', () => {
    setCohortLabels([{ key: 'stereotype', name: 'Shows a stereotype', type: 'yesno' }, { key: 'scene', type: 'choice', choices: ['street', 'market'] }]);
    expect(paneChangeFor('b')!({ labels: { scene: 'street' } })).toEqual({ labels: { scene: 'street', stereotype: true } });
    expect(paneChangeFor('d')!({ labels: { scene: 'street' } })).toEqual({ labels: { scene: 'market' } });
    expect(paneChangeFor('d')!({ labels: { scene: 'market' } })).toEqual({ labels: { scene: null } });
    expect(paneChangeFor('e')).toBeUndefined();
    expect(paneChangeFor('constructor')).toBeUndefined();
  });
});
