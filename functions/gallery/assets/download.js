// "Download dataset": the browser saves the run's dataset.zip as it streams, straight to disk.
// A plain link cannot carry the bearer token, and a token never goes into a URL, so the gallery
// first asks for a single-use ticket that expires within a minute and links to that.
// The zip is built while it streams, so there is no total size to show a percentage of; the
// button says what is happening instead, and the browser's own download bar shows the bytes.
import { api } from './api.js';
import { h, notify } from './dom.js';

const LABEL = 'Download dataset';

export async function downloadDataset(runId, button) {
  button.disabled = true;
  button.textContent = 'Preparing download…';
  let ticket;
  try {
    ticket = await api.datasetTicket(runId);
  } catch (error) {
    notify(`Could not start the download: ${error.message}`);
    button.disabled = false;
    button.textContent = LABEL;
    return;
  }
  const name = `dataset-${runId}.zip`;
  const link = h('a', { href: ticket.url, download: name, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  button.textContent = 'Download started';
  notify(`Downloading ${name}: your browser saves it as it arrives (see its downloads).`);
  setTimeout(() => {
    button.disabled = false;
    button.textContent = LABEL;
  }, 3000);
}
