// The content judge's verdict in the detail view, beside the human review: relevance, reason, caption.
import { h } from './dom.js';

/** The judge's flags, offered by the Issue filter with the pixel ones. */
export const JUDGE_ISSUES = ['off_prompt', 'missing_elements', 'artifacts', 'inappropriate_content'];

/** A section for the detail view, or null when the image was not judged. All text goes in as text, never as HTML. */
export function judgeSection(prompt) {
  const judge = prompt.judge;
  if (!judge) return null;
  const title = h('h3', { text: `Judge (${judge.model})` });
  if (judge.status === 'judging') return h('section', { className: 'judge' }, title, h('p', { className: 'muted', text: 'being judged…' }));
  if (judge.status === 'failed' || !judge.answer) return h('section', { className: 'judge' }, title, h('p', { className: 'error', text: `no verdict: ${judge.reason ?? 'unknown'}` }));
  const answer = judge.answer;
  const human = prompt.review?.relevance;
  const missing = answer.elements.filter((element) => !element.present).map((element) => element.variable);
  return h('section', { className: 'judge' }, title,
    h('p', { className: 'judge-score', text: `relevance ${answer.relevance}/5${human != null ? ` · human ${human}/5` : ''}` }),
    h('p', { text: answer.reason }),
    h('p', { className: 'caption', text: `Caption: ${answer.caption}` }),
    missing.length ? h('p', { className: 'error', text: `missing: ${missing.join(', ')}` }) : null,
    answer.artifacts.length ? h('p', { className: 'error', text: `artifacts: ${answer.artifacts.join(', ')}` }) : null,
    answer.inappropriate || answer.concerns.length ? h('p', { className: 'error', text: `${answer.inappropriate ? 'inappropriate' : 'concerns'}: ${answer.concerns.join(', ') || 'unspecified'}` }) : null);
}

/** Flags the scenario expected for this prompt (a night scene's dark): shown apart from issues. */
export function expectedNote(prompt) {
  return prompt.expected?.length ? h('p', { className: 'muted', text: `expected by the scenario: ${prompt.expected.join(', ')}` }) : null;
}
