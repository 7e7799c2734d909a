// The review gallery: sign in with a token, pick a run, go through its images and rate them.
// Every element is built with createElement/textContent (dom.js), so prompts, names and notes
// are always shown as text. All requests, images included, go through api.js with the token.
// This file only wires the parts together and starts them:
//   api.js       requests, the token, thumbnails as object URLs
//   dom.js       h() to build elements, formatting
//   session.js   signing in and out, who is signed in
//   runs.js      the list of runs on the left
//   run-view.js  the open run: its grid, the selection, the detail view and help overlays
//   review.js    saving reviews and the review controls
//   review-checks.js  cultural sensitivity, scenario alignment and the cohort's labels in the review pane
//   spot-check.js  the Spot check view: the run's seeded sample first, and its estimate
//   filters.js   the filter menus
//   cards.js     the cards of the grid
//   detail.js    the detail view of one image
//   newrun.js    the New run form and its preview
//   regenerate.js  the run's lineage, the Regenerate buttons and their form
//   keys.js      the keyboard shortcuts
//   selection.js the cursor and the selected cards; grid-actions.js what the keys do with them;
//   bulk-review.js reviewing them at once, and undo; zoom.js the detail view's fit and zoom
//   download.js  the dataset download; explain.js and legend.js what flags and metrics mean; usable.js the verdict
import { api, token, whenUnauthorized } from './api.js';
import { $, notify } from './dom.js';
import { downloadDataset } from './download.js';
import { FILTERS } from './filters.js';
import { escape, extendSelection, focusNote, reviewEach, reviewSelected, selectAll } from './grid-actions.js';
import { keyHandler } from './keys.js';
import { NewRunForm } from './newrun.js';
import { RegenerateForm } from './regenerate.js';
import { setCohortLabels } from './review-checks.js';
import { RunView } from './run-view.js';
import { RunList } from './runs.js';
import { Session } from './session.js';

const POLL_MS = 5000;

const lastStates = new Map(); // runId → the state last seen, to notice a run finishing
const runList = new RunList({ list: $('run-list'), empty: $('runs-empty'), more: $('more-runs') }, {
  onOpen: (runId) => view.open(runId),
  onStatus: (status, changed) => {
    const finished = lastStates.get(status.runId) === 'running' && status.state !== 'running';
    lastStates.set(status.runId, status.state);
    if (finished) session.refresh(); // it gave back the images that failed
    else session.renderWhoami();
    if (status.runId !== view.runId) return;
    view.renderHead();
    if (changed && view.run) view.loadPrompts(); // new images in the open run
  },
});
const view = new RunView(runList, { onRegenerate: (select, count) => openRegenerate(select, count), who: () => session.me?.name ?? '' });
const session = new Session({
  runList,
  onSignedIn: async () => {
    await Promise.all([loadRuns(), loadCohortLabels()]);
    const fromHash = new URLSearchParams(location.hash.slice(1)).get('run');
    if (fromHash) view.open(fromHash);
  },
  onSigningOut: () => {
    view.closeOverlays();
    view.close();
    runList.clear();
  },
});

/** The cohort's labels for the review pane; without them the pane shows the four checks only. */
async function loadCohortLabels() {
  try {
    setCohortLabels((await api.cohortLabels()).labels);
    view.sidePanel.update();
    view.detailPanel.update();
  } catch (error) {
    notify(`Could not load the cohort's labels: ${error.message}`);
  }
}

async function loadRuns(options) {
  try {
    await runList.load({ showOwner: session.me.role === 'instructor', ...options });
  } catch (error) {
    notify(`Could not list the runs: ${error.message}`);
  }
}

const onKey = keyHandler({
  isSignedIn: () => session.signedIn,
  isFormOpen: () => !$('newrun-view').hidden || !$('regen-view').hidden,
  isHelpOpen: () => !$('help').hidden,
  isDetailOpen: () => view.detailOpen,
  selected: () => view.selectedPrompt(),
  move: (step) => view.move(step),
  extend: (step) => extendSelection(view, step),
  selectAll: () => selectAll(view),
  review: (change) => reviewSelected(view, change),
  reviewEach: (change) => reviewEach(view, change),
  undo: () => view.bulk.undo(),
  gridColumns: () => view.gridColumns(),
  saver: view.saver,
  focusNote: () => focusNote(view),
  openDetail: () => view.openDetail(),
  escape: () => escape(view),
  zoom: (direction) => view.detailOpen && view.detail.zoom.step(direction),
  toggleHelp: (show) => view.toggleHelp(show),
});

// ---- a new run ----

const newRun = new NewRunForm($('newrun-view'), {
  onStarted: async (runId) => {
    closeNewRun();
    session.refresh(); // the run booked its images
    await loadRuns();
    view.open(runId);
  },
  onClose: () => closeNewRun(),
});

function openNewRun() {
  $('run-view').hidden = $('run-empty').hidden = true;
  newRun.show();
}

function closeNewRun() {
  $('newrun-view').hidden = true;
  if (view.runId) $('run-view').hidden = false;
  else $('run-empty').hidden = false;
}

// ---- a revision ----

const regenerateForm = new RegenerateForm($('regen-view'), {
  onStarted: async (runId) => {
    await loadRuns();
    view.open(runId);
  },
  onClose: () => {
    $('regen-view').hidden = true;
    $('run-view').hidden = !view.runId;
  },
});

function openRegenerate(select, count) {
  $('run-view').hidden = true;
  regenerateForm.show({ runId: view.runId, select, count, categories: view.run?.categories ?? [] });
}

// ---- start ----

function start() {
  const { saver, sidePanel } = view;
  whenUnauthorized(() => session.signOut('Your token is no longer accepted; sign in again.'));
  $('signin-form').addEventListener('submit', (event) => {
    event.preventDefault();
    token.set($('token-input').value.trim());
    $('token-input').value = '';
    session.signIn();
  });
  $('sign-out').addEventListener('click', () => {
    if (!saver.unsaved || confirm('Some reviews are not saved yet. Sign out anyway?')) session.signOut();
  });
  $('runs-refresh').addEventListener('click', () => loadRuns());
  $('new-run').addEventListener('click', () => openNewRun());
  $('run-download').addEventListener('click', () => downloadDataset(view.runId, $('run-download')));
  $('run-spot-check').addEventListener('click', () => view.spotCheck.toggle(view.runId));
  $('more-runs').addEventListener('click', () => loadRuns({ more: true }));
  $('run-reload').addEventListener('click', () => Promise.all([runList.refresh(view.runId), view.loadPrompts()]));
  for (const id of FILTERS) $(id).addEventListener('change', () => { view.applyFilters(); $('grid').focus({ preventScroll: true }); });
  $('side-review').append(sidePanel.element, view.bulkPanel.element);
  sidePanel.show(null);
  $('help-button').addEventListener('click', () => view.toggleHelp(true));
  $('help-close').addEventListener('click', () => view.toggleHelp(false));
  $('detail-close').addEventListener('click', () => view.closeOverlays());
  $('detail-prev').addEventListener('click', () => view.move(-1));
  $('detail-next').addEventListener('click', () => view.move(1));
  $('zoom-in').addEventListener('click', () => view.detail.zoom.step(1));
  $('zoom-out').addEventListener('click', () => view.detail.zoom.step(-1));
  $('zoom-fit').addEventListener('click', () => view.detail.zoom.fit());
  $('detail').addEventListener('click', (event) => event.target === $('detail') && view.closeOverlays());
  document.addEventListener('keydown', onKey);
  window.addEventListener('beforeunload', (event) => saver.unsaved && event.preventDefault());
  setInterval(() => session.signedIn && !document.hidden && runList.poll(), POLL_MS);
  if (token.get()) session.signIn();
  else session.showSignIn();
}

start();
