// The grid's filters: the choices each menu offers, with counts, and whether a prompt passes them.
import { $, fill, h } from './dom.js';
import { JUDGE_ISSUES } from './judge.js';
import { reviewOf } from './review.js';

export const ISSUES = ['dark', 'light', 'blurry', 'low_information', 'grayscale', 'odd_aspect_ratio', 'odd_size', 'exact_duplicate', 'near_duplicate', 'unreadable', ...JUDGE_ISSUES];
export const FILTERS = ['filter-category', 'filter-issue', 'filter-rating'];

/** Refills the menus with counts over these prompts, keeping each menu's choice if it is still offered. */
export function renderFilterOptions(prompts, categories) {
  const count = (test) => prompts.filter(test).length;
  const option = (value, label, n) => h('option', { value, text: n === undefined ? label : `${label} (${n})` });
  const choices = {
    'filter-category': [option('', 'all'), ...categories.map((c) => option(c, c, count((p) => p.category === c)))],
    'filter-issue': [option('', 'all'), option('any', 'any issue', count((p) => p.issues.length > 0)), option('none', 'no issue', count((p) => p.issues.length === 0)),
      ...ISSUES.map((issue) => option(issue, issue, count((p) => p.issues.includes(issue)))), option('failed', 'failed', count((p) => p.status === 'failed'))],
    'filter-rating': [option('', 'all'), option('unrated', 'unrated'), ...[1, 2, 3, 4, 5].map((n) => option(String(n), `relevance ${n}`)), option('inappropriate', 'inappropriate')],
  };
  for (const id of FILTERS) {
    const previous = $(id).value;
    fill($(id), choices[id]);
    $(id).value = [...$(id).options].some((o) => o.value === previous) ? previous : '';
  }
}

/** Whether a prompt passes the menus as they are set now. */
export function matchesFilters(prompt) {
  const [category, issue, rating] = FILTERS.map((id) => $(id).value);
  const review = reviewOf(prompt);
  if (category && prompt.category !== category) return false;
  if (issue === 'any' && prompt.issues.length === 0) return false;
  if (issue === 'none' && prompt.issues.length > 0) return false;
  if (issue === 'failed' && prompt.status !== 'failed') return false;
  if (ISSUES.includes(issue) && !prompt.issues.includes(issue)) return false;
  if (rating === 'unrated' && review.relevance !== null) return false;
  if (rating === 'inappropriate' && !review.inappropriate) return false;
  if (/^[1-5]$/.test(rating) && review.relevance !== Number(rating)) return false;
  return true;
}

export function clearFilters() {
  for (const id of FILTERS) $(id).value = '';
}
