// The gallery's only door to the server: every request carries the bearer token, and
// images arrive as blobs (never as URLs with a token in them).

const TOKEN_KEY = 'gallery.token';

export class ApiError extends Error {
  constructor(status, code, message, fields = []) {
    super(message);
    this.status = status;
    this.code = code;
    this.fields = fields; // [{ field, message, suggestion? }] for a form to show next to each field
  }
}

export const token = {
  get: () => sessionStorage.getItem(TOKEN_KEY),
  set: (value) => sessionStorage.setItem(TOKEN_KEY, value),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

/** Called with the error whenever the server rejects the token (401). */
let onUnauthorized = () => {};
export function whenUnauthorized(callback) {
  onUnauthorized = callback;
}

// JSON is never cached; images may be, and are revalidated on every view (the server's ETag
// answers 304, and a revoked token a 401).
async function request(method, path, { body, accept = 'application/json', cache = 'no-store' } = {}) {
  const headers = { Accept: accept, Authorization: `Bearer ${token.get() ?? ''}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache });
  } catch {
    throw new ApiError(0, 'NETWORK', 'the server could not be reached; check your connection and retry');
  }
  if (!response.ok) {
    const error = await errorFrom(response);
    if (error.status === 401) onUnauthorized(error);
    throw error;
  }
  return response;
}

async function errorFrom(response) {
  let code = `HTTP_${response.status}`;
  let message = `${response.status} ${response.statusText}`.trim();
  let fields = [];
  try {
    const detail = (await response.json())?.error;
    if (detail?.message) {
      code = detail.code ?? code;
      message = detail.message;
      fields = Array.isArray(detail.fields) ? detail.fields : [];
    }
  } catch {
    // Not JSON: keep the status line.
  }
  return new ApiError(response.status, code, message, fields);
}

const json = async (method, path, body) => (await request(method, path, { body })).json();
const id = (value) => encodeURIComponent(value);

export const api = {
  me: () => json('GET', '/v1/me'),
  /** One page of runs, newest first; pass the previous page's nextPageToken for the next. */
  runs: (pageSize, pageToken = null) => json('GET', `/v1/runs?pageSize=${pageSize}${pageToken ? `&pageToken=${id(pageToken)}` : ''}`),
  run: (runId) => json('GET', `/v1/runs/${id(runId)}`),
  /** Every prompt of a run, page after page; the run and thresholds come with the first. */
  async prompts(runId) {
    const first = await json('GET', `/v1/runs/${id(runId)}/prompts`);
    const prompts = [...first.prompts];
    for (let next = first.nextPageToken; next; ) {
      const page = await json('GET', `/v1/runs/${id(runId)}/prompts?pageToken=${id(next)}`);
      prompts.push(...page.prompts);
      next = page.nextPageToken;
    }
    return { run: first.run, thresholds: first.thresholds, prompts };
  },
  previewRun: (body) => json('POST', '/v1/runs:preview', body),
  createRun: (body) => json('POST', '/v1/runs', body),
  lineage: (runId) => json('GET', `/v1/runs/${id(runId)}/revisions`),
  previewRevision: (runId, body) => json('POST', `/v1/runs/${id(runId)}:regenerate:preview`, body),
  regenerate: (runId, body) => json('POST', `/v1/runs/${id(runId)}:regenerate`, body),
  datasetTicket: (runId) => json('POST', `/v1/runs/${id(runId)}/dataset:ticket`),
  saveReview: (runId, promptId, review) => json('PUT', `/v1/runs/${id(runId)}/prompts/${id(promptId)}/review`, review),
  /** Up to a page of reviews at once (review null clears one); answers { changed, previous }. */
  saveReviews: (runId, items) => json('POST', `/v1/runs/${id(runId)}/reviews`, { items }),
  cohortLabels: () => json('GET', '/v1/cohort/labels'),
  spotCheck: (runId) => json('GET', `/v1/runs/${id(runId)}/spot-check`),

  /** An object URL for a prompt's image; the caller revokes it with URL.revokeObjectURL. */
  async imageUrl(runId, promptId, { thumb = false } = {}) {
    const query = thumb ? '?size=thumb' : '';
    const response = await request('GET', `/v1/runs/${id(runId)}/images/${id(promptId)}${query}`, { accept: 'image/jpeg,image/png', cache: 'no-cache' });
    return URL.createObjectURL(await response.blob());
  },

  /** A reference photograph's stored copy, as a blob URL; 404 unless the viewer may see that reference. */
  async referenceImageUrl(referenceId) {
    const response = await request('GET', `/v1/references/${id(referenceId)}/image`, { accept: 'image/jpeg', cache: 'no-store' });
    return URL.createObjectURL(await response.blob());
  },
};

/** Runs at most `size` tasks at once, in the order they came. */
export function pool(size) {
  let active = 0;
  const waiting = [];
  const next = () => {
    while (active < size && waiting.length) {
      active += 1;
      waiting.shift()().finally(() => {
        active -= 1;
        next();
      });
    }
  };
  return (task) => new Promise((resolve, reject) => {
    waiting.push(() => task().then(resolve, reject));
    next();
  });
}

/** One run's thumbnails as object URLs: each fetched once, six at a time, all revoked by clear(). */
export class Thumbnails {
  #urls = new Map(); // promptId → Promise<object URL>
  #ready = new Map(); // promptId → object URL, once fetched
  #runId = null;
  #queue = pool(6);

  /** The URL at once if it is already fetched, so a re-rendered grid doesn't flicker. */
  ready(runId, promptId) {
    return runId === this.#runId ? this.#ready.get(promptId) : undefined;
  }

  url(runId, promptId) {
    if (runId !== this.#runId) this.clear(runId);
    let url = this.#urls.get(promptId);
    if (!url) {
      url = this.#queue(() => (this.#runId === runId ? api.imageUrl(runId, promptId, { thumb: true }) : Promise.reject(new Error('run closed'))));
      url.then(
        (ready) => this.#urls.get(promptId) === url && this.#ready.set(promptId, ready),
        () => this.#urls.get(promptId) === url && this.#urls.delete(promptId)); // fetched again next time
      this.#urls.set(promptId, url);
    }
    return url;
  }

  clear(runId = null) {
    for (const url of this.#urls.values()) url.then(URL.revokeObjectURL, () => {});
    this.#urls.clear();
    this.#ready.clear();
    this.#runId = runId;
  }
}
