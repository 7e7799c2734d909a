// The list of runs on the left: the newest 20, a page more on request, each with its progress.
// Statuses come from GET /v1/runs/{id}, four at a time; running runs are polled.
import { api, pool } from './api.js';
import { fill, formatTime, h } from './dom.js';

const PAGE = 20;
const BAR_PARTS = ['assessed', 'generated', 'generating', 'failed']; // the empty rest of the bar is "planned"

/** "running · 12/40 images · 1 failed" */
export function countsText({ state, counts, planned }) {
  const failed = counts.failed ? ` · ${counts.failed} failed` : '';
  return `${state.replace('_', ' ')} · ${counts.assessed + counts.generated}/${planned} images${failed}`;
}

export class RunList {
  statuses = new Map(); // runId → the latest GET /v1/runs/{runId}
  #runs = [];
  #next = null; // the next page's token
  #openRunId = null;
  #queue = pool(4);

  /** elements: { list, empty, more }; onOpen(runId) when a run is clicked; onStatus(status, changed) after each status fetch. */
  constructor(elements, { onOpen, onStatus }) {
    Object.assign(this, { elements, onOpen, onStatus });
  }

  /** (Re)loads the list; showOwner for the instructor, who sees everyone's runs. */
  async load({ showOwner = this.showOwner, more = false } = {}) {
    this.showOwner = showOwner;
    const page = await api.runs(PAGE, more ? this.#next : null);
    this.#runs = more ? [...this.#runs, ...page.runs] : page.runs;
    this.#next = page.nextPageToken ?? null;
    fill(this.elements.list, this.#runs.map((run) => this.#item(run)));
    this.elements.empty.hidden = this.#runs.length > 0;
    this.elements.more.hidden = !this.#next;
    await Promise.all(page.runs.map((run) => this.refresh(run.runId)));
  }

  clear() {
    this.#runs = [];
    this.#next = null;
    this.statuses.clear();
    fill(this.elements.list);
  }

  markOpen(runId) {
    this.#openRunId = runId;
    for (const li of this.elements.list.children) li.firstChild.toggleAttribute('aria-current', li.dataset.runId === runId);
  }

  /** Fetches one run's status; null if that failed (the next poll tries again). */
  async refresh(runId) {
    let status;
    try {
      status = await this.#queue(() => api.run(runId));
    } catch {
      return null;
    }
    const changed = JSON.stringify(this.statuses.get(runId)?.counts) !== JSON.stringify(status.counts);
    this.statuses.set(runId, status);
    const li = [...this.elements.list.children].find((item) => item.dataset.runId === runId);
    if (li) {
      progressBar(li.querySelector('.bar'), status);
      li.querySelector('.run-counts').textContent = countsText(status);
    }
    this.onStatus(status, changed);
    return status;
  }

  /** Refreshes the shown runs that are still running (and those whose status never arrived). */
  async poll() {
    const due = this.#runs.filter((run) => (this.statuses.get(run.runId)?.state ?? 'running') === 'running');
    await Promise.all(due.map((run) => this.refresh(run.runId)));
  }

  #item(run) {
    const owner = this.showOwner ? ` · ${run.ownerName ?? run.owner}` : '';
    return h('li', { dataset: { runId: run.runId } },
      h('button', { type: 'button', className: 'run-item', 'aria-current': run.runId === this.#openRunId, on: { click: () => this.onOpen(run.runId) } },
        h('span', { className: 'run-name', text: run.scenario }),
        // Runs of one scenario share a name, and two started within a minute share a time: the id tells them apart.
        h('span', { className: 'run-meta', text: `${formatTime(run.createdAt)} · ${run.runId}${owner}` }),
        h('span', { className: 'bar' }),
        h('span', { className: 'run-counts', text: `${run.planned} planned` })));
  }
}

/** One segment per state. Widths are set through the CSSOM, which the CSP allows (style="" it does not). */
function progressBar(bar, { counts, planned }) {
  fill(bar, BAR_PARTS.filter((part) => counts[part] > 0).map((part) => {
    const segment = h('span', { className: `seg ${part}`, title: `${counts[part]} ${part}` });
    segment.style.width = `${(100 * counts[part]) / Math.max(planned, 1)}%`;
    return segment;
  }));
}
