// The review gallery: sign in with a token, pick a run, go through its images and rate them.
// Every element is built with createElement/textContent (dom.js), so prompts, names and notes
// are always shown as text. All requests, images included, go through api.js with the token.
//   api.js     requests, the token, thumbnails as object URLs
//   dom.js     h() to build elements, formatting
//   runs.js    the list of runs on the left
//   review.js  saving reviews and the review controls
//   filters.js the filter menus
//   cards.js   the cards of the grid
//   detail.js  the detail view of one image
//   newrun.js  the New run form and its preview
//   regenerate.js  the run's lineage, the Regenerate buttons and their form
//   keys.js    the keyboard shortcuts
//   download.js  the dataset download; explain.js and legend.js what flags and metrics mean; usable.js the verdict
import { api, Thumbnails, token, whenUnauthorized } from './api.js';
import { Cards } from './cards.js';
import { DetailView } from './detail.js';
import { downloadDataset } from './download.js';
import { renderLegend } from './legend.js';
import { NewRunForm } from './newrun.js';
import { RegenerateForm, renderRevisions } from './regenerate.js';
import { usableVerdict } from './usable.js';
import { $, fill, h, notify } from './dom.js';
import { clearFilters, FILTERS, matchesFilters, renderFilterOptions } from './filters.js';
import { keyHandler } from './keys.js';
import { ReviewPanel, ReviewSaver, reviewOf } from './review.js';
import { countsText, RunList } from './runs.js';

const POLL_MS = 5000;

const state = {
  me: null,
  runId: null, // the open run
  run: null,
  prompts: [],
  visible: [], // the prompts that pass the filters, in grid order; only re-filtered when a filter changes
  selected: -1, // index into visible
  detailOpen: false,
  thresholds: {}, // the open run's quality thresholds, for the explanations
  lineage: null, // the open run's lineage (GET …/revisions): its first run and every revision
};

const runList = new RunList({ list: $('run-list'), empty: $('runs-empty'), more: $('more-runs') }, {
  onOpen: (runId) => openRun(runId),
  onStatus: (status, changed) => {
    renderWhoami();
    if (status.runId !== state.runId) return;
    renderRunHead();
    if (changed && state.run) loadPrompts(); // new images in the open run
  },
});

// Thumbnails are fetched with the token and shown as object URLs, revoked when the run closes.
const thumbs = new Thumbnails();

// ---- sign in / out ----

async function signIn() {
  try {
    state.me = await api.me();
  } catch (error) {
    return showSignIn(error.status === 401 ? 'That token was not accepted.' : error.message);
  }
  renderWhoami();
  $('signin-view').hidden = true;
  $('app-view').hidden = $('sign-out').hidden = $('help-button').hidden = false;
  await loadRuns();
  const fromHash = new URLSearchParams(location.hash.slice(1)).get('run');
  if (fromHash) openRun(fromHash);
}

/** Who is signed in, and real counts: images made in the listed runs, and the quota where there is one. */
function renderWhoami() {
  if (!state.me) return;
  const { name, role, imageQuota, imagesUsed } = state.me;
  const statuses = [...runList.statuses.values()];
  const made = statuses.reduce((total, s) => total + s.counts.assessed + s.counts.generated, 0);
  const runs = `${statuses.length} run${statuses.length === 1 ? '' : 's'}, ${made} image${made === 1 ? '' : 's'} made`;
  const quota = imageQuota === null ? '' : ` · ${imagesUsed} of ${imageQuota} images of quota used`;
  fill($('whoami'), h('strong', { text: name }), ` · ${role} · ${runs}${quota}`);
}

function showSignIn(message = '') {
  state.me = null;
  $('app-view').hidden = $('sign-out').hidden = $('help-button').hidden = true;
  $('signin-view').hidden = false;
  $('whoami').replaceChildren();
  $('signin-error').textContent = message;
  $('token-input').focus();
}

function signOut(message = '') {
  if (!state.me && !token.get()) return;
  token.clear();
  closeOverlays();
  closeRun();
  runList.clear();
  history.replaceState(null, '', location.pathname);
  showSignIn(message);
}

// ---- runs ----

async function loadRuns(options) {
  try {
    await runList.load({ showOwner: state.me.role === 'instructor', ...options });
  } catch (error) {
    notify(`Could not list the runs: ${error.message}`);
  }
}

// ---- one run: filters and the grid ----

async function openRun(runId) {
  if (runId !== state.runId) closeRun();
  state.runId = runId;
  history.replaceState(null, '', `#run=${encodeURIComponent(runId)}`);
  runList.markOpen(runId);
  $('newrun-view').hidden = $('regen-view').hidden = true;
  $('run-empty').hidden = true;
  $('run-view').hidden = false;
  $('run-title').textContent = 'Loading…';
  $('grid').focus({ preventScroll: true }); // so the shortcuts act on the images, not on the run's button
  await Promise.all([loadPrompts(), runList.statuses.has(runId) || runList.refresh(runId)]);
}

function closeRun() {
  thumbs.clear();
  Object.assign(state, { runId: null, run: null, prompts: [], visible: [], selected: -1, lineage: null });
  fill($('grid'));
  $('run-view').hidden = true;
  $('run-empty').hidden = false;
  select(-1);
}

/** (Re)loads the open run's prompts, keeping the selection and any review not yet saved. */
async function loadPrompts() {
  const runId = state.runId;
  let answer;
  try {
    [answer, state.lineage] = await Promise.all([api.prompts(runId), api.lineage(runId).catch(() => null)]);
  } catch (error) {
    if (runId === state.runId) $('run-title').textContent = `Could not open run ${runId}: ${error.message}`;
    return;
  }
  if (runId !== state.runId) return;
  const local = new Map(state.prompts.map((p) => [p.promptId, p]));
  for (const prompt of answer.prompts) {
    prompt.runId = runId;
    prompt.issues ??= [];
    const unsaved = saver.state(prompt).status;
    if (unsaved === 'saving' || unsaved === 'error') prompt.review = local.get(prompt.promptId).review;
  }
  state.run = answer.run;
  state.prompts = answer.prompts;
  state.thresholds = answer.thresholds ?? {};
  renderRunHead();
  renderFilterOptions(state.prompts, state.run?.categories ?? [...new Set(state.prompts.map((p) => p.category))]);
  applyFilters();
}

function renderRunHead() {
  const status = runList.statuses.get(state.runId);
  $('run-title').textContent = state.run?.scenario?.name ?? status?.scenario ?? state.runId;
  const parts = [state.runId];
  if (status) parts.push(countsText(status), `${status.provider} ${status.model}`, `seed ${status.seed}`);
  const assessed = state.prompts.filter((p) => p.status === 'assessed');
  const usable = assessed.filter((p) => usableVerdict({ issues: p.issues, review: reviewOf(p) }).usable).length;
  if (assessed.length) parts.push(`${usable} of ${assessed.length} usable`);
  $('run-meta').textContent = parts.join(' · ');
  const failures = status?.failures ?? [];
  fill($('run-failures'), failures.map((f) => h('li', {}, h('span', { className: 'pid', text: f.promptId }), ` ${f.category}: `, h('span', { className: 'error', text: f.reason }))));
  $('run-failures').hidden = failures.length === 0;
  renderLegend($('legend'), state.thresholds);
  renderRevisions($('run-revisions'), {
    runId: state.runId, lineage: state.lineage, prompts: state.prompts, completed: status?.state === 'completed',
    onRegenerate: (select, count) => openRegenerate(select, count), onOpen: (runId) => openRun(runId),
  });
}

function applyFilters() {
  const selectedId = state.visible[state.selected]?.promptId;
  state.visible = state.prompts.filter(matchesFilters);
  fill($('grid'), state.visible.map((prompt, index) => cards.card(prompt, index)));
  const shown = state.visible.length === state.prompts.length ? `${state.prompts.length} images` : `${state.visible.length} of ${state.prompts.length} images`;
  $('filter-count').textContent = shown;
  if (state.visible.length === 0) $('grid').append(h('li', { className: 'placeholder', text: 'No image matches these filters.' }));
  const again = state.visible.findIndex((p) => p.promptId === selectedId);
  select(again >= 0 ? again : state.visible.length ? 0 : -1, { scroll: again >= 0 });
}

function cardOf(prompt) {
  return [...$('grid').children].find((li) => li.dataset.promptId === prompt.promptId);
}

// ---- selection, review and the detail view ----

const saver = new ReviewSaver({
  save: async (prompt, review) => (await api.saveReview(prompt.runId, prompt.promptId, review)).review,
  onChange: (prompt) => {
    if (prompt.runId !== state.runId) return; // a late answer for a run that was closed
    cardOf(prompt)?.querySelector('.card-review').replaceWith(cards.reviewLine(prompt));
    renderRunHead(); // the usable count follows the ratings
    sidePanel.update();
    detailPanel.update();
  },
});
// Leaving a note (Enter or Esc) gives the keyboard back to the grid, or to the detail view.
const sidePanel = new ReviewPanel(saver, { onLeave: () => $('grid').focus({ preventScroll: true }) });
const detailPanel = new ReviewPanel(saver, { onLeave: () => $('detail').firstElementChild.focus() });
const cards = new Cards({ thumbs, saver, onSelect: (index) => select(index), onOpen: () => openDetail(), thresholds: () => state.thresholds });
const detail = new DetailView({ panel: detailPanel, cards, onOpenPrompt: (promptId) => openPrompt(promptId) });

const selectedPrompt = () => state.visible[state.selected] ?? null;

function select(index, { scroll = true } = {}) {
  $('grid').querySelector('[aria-selected="true"]')?.setAttribute('aria-selected', 'false');
  state.selected = index;
  const prompt = selectedPrompt();
  const element = prompt && cardOf(prompt);
  element?.setAttribute('aria-selected', 'true');
  if (element && scroll) element.scrollIntoView({ block: 'nearest' });
  sidePanel.show(prompt);
  fill($('side-summary'), prompt ? [
    h('p', { className: 'side-title', text: `${prompt.promptId} · ${prompt.category}` }),
    h('p', { className: 'prompt-text clamp', text: prompt.prompt }),
  ] : h('p', { className: 'muted', text: 'Select an image.' }));
  if (state.detailOpen && prompt) renderDetail(prompt);
  else if (state.detailOpen) closeOverlays();
}

function move(step) {
  if (state.visible.length) select(Math.min(Math.max(state.selected + step, 0), state.visible.length - 1));
}

const gridColumns = () => getComputedStyle($('grid')).gridTemplateColumns.split(' ').length;

function openDetail() {
  const prompt = selectedPrompt();
  if (!prompt) return;
  state.detailOpen = true;
  $('detail').hidden = false;
  $('app-view').inert = true;
  renderDetail(prompt);
  $('detail').firstElementChild.focus(); // the dialog itself, so Enter and Space don't press a button
}

function renderDetail(prompt) {
  detail.show(prompt, {
    position: `${state.selected + 1} of ${state.visible.length}`,
    original: prompt.duplicateOf && state.prompts.find((p) => p.promptId === prompt.duplicateOf),
    isCurrent: () => state.detailOpen && selectedPrompt()?.promptId === prompt.promptId,
    thresholds: state.thresholds,
  });
}

/** Selects a prompt by id (clearing the filters if they hide it), e.g. a duplicate's original. */
function openPrompt(promptId) {
  if (!state.visible.some((p) => p.promptId === promptId)) {
    clearFilters();
    applyFilters();
  }
  select(state.visible.findIndex((p) => p.promptId === promptId));
}

function closeOverlays() {
  const wasOpen = state.detailOpen;
  state.detailOpen = false;
  $('detail').hidden = $('help').hidden = true;
  $('app-view').inert = false;
  if (wasOpen) $('grid').focus({ preventScroll: true });
  detail.clear();
}

function toggleHelp(show = $('help').hidden) {
  $('help').hidden = !show;
  $('app-view').inert = show || state.detailOpen;
  if (show) $('help-close').focus();
}

// ---- keyboard ----

const onKey = keyHandler({
  isSignedIn: () => Boolean(state.me),
  isFormOpen: () => !$('newrun-view').hidden || !$('regen-view').hidden,
  isHelpOpen: () => !$('help').hidden,
  isDetailOpen: () => state.detailOpen,
  selected: selectedPrompt,
  move,
  gridColumns,
  saver,
  focusNote: () => (state.detailOpen ? detailPanel : sidePanel).focusNote(),
  openDetail,
  closeOverlays,
  toggleHelp,
});

// ---- a new run ----

const newRun = new NewRunForm($('newrun-view'), {
  onStarted: async (runId) => {
    closeNewRun();
    await loadRuns();
    openRun(runId);
  },
  onClose: () => closeNewRun(),
});

function openNewRun() {
  $('run-view').hidden = $('run-empty').hidden = true;
  newRun.show();
}

function closeNewRun() {
  $('newrun-view').hidden = true;
  if (state.runId) $('run-view').hidden = false;
  else $('run-empty').hidden = false;
}

// ---- a revision ----

const regenerateForm = new RegenerateForm($('regen-view'), {
  onStarted: async (runId) => {
    await loadRuns();
    openRun(runId);
  },
  onClose: () => {
    $('regen-view').hidden = true;
    $('run-view').hidden = !state.runId;
  },
});

function openRegenerate(select, count) {
  $('run-view').hidden = true;
  regenerateForm.show({ runId: state.runId, select, count, categories: state.run?.categories ?? [] });
}

// ---- start ----

function start() {
  whenUnauthorized(() => signOut('Your token is no longer accepted; sign in again.'));
  $('signin-form').addEventListener('submit', (event) => {
    event.preventDefault();
    token.set($('token-input').value.trim());
    $('token-input').value = '';
    signIn();
  });
  $('sign-out').addEventListener('click', () => {
    if (!saver.unsaved || confirm('Some reviews are not saved yet. Sign out anyway?')) signOut();
  });
  $('runs-refresh').addEventListener('click', () => loadRuns());
  $('new-run').addEventListener('click', () => openNewRun());
  $('run-download').addEventListener('click', () => downloadDataset(state.runId));
  $('more-runs').addEventListener('click', () => loadRuns({ more: true }));
  $('run-reload').addEventListener('click', () => Promise.all([runList.refresh(state.runId), loadPrompts()]));
  for (const id of FILTERS) $(id).addEventListener('change', () => { applyFilters(); $('grid').focus({ preventScroll: true }); });
  $('side-review').append(sidePanel.element);
  sidePanel.show(null);
  $('help-button').addEventListener('click', () => toggleHelp(true));
  $('help-close').addEventListener('click', () => toggleHelp(false));
  $('detail-close').addEventListener('click', closeOverlays);
  $('detail-prev').addEventListener('click', () => move(-1));
  $('detail-next').addEventListener('click', () => move(1));
  $('detail').addEventListener('click', (event) => event.target === $('detail') && closeOverlays());
  document.addEventListener('keydown', onKey);
  window.addEventListener('beforeunload', (event) => saver.unsaved && event.preventDefault());
  setInterval(() => state.me && !document.hidden && runList.poll(), POLL_MS);
  if (token.get()) signIn();
  else showSignIn();
}

start();
