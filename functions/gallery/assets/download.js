// "Download dataset": the browser saves the run's dataset.zip as it streams, straight to disk.
// A plain link cannot carry the bearer token, and a token never goes into a URL, so the gallery
// first asks for a single-use ticket that expires within a minute and links to that.
import { api } from './api.js';
import { h, notify } from './dom.js';

export async function downloadDataset(runId) {
  let ticket;
  try {
    ticket = await api.datasetTicket(runId);
  } catch (error) {
    notify(`Could not start the download: ${error.message}`);
    return;
  }
  const link = h('a', { href: ticket.url, download: `dataset-${runId}.zip`, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
}
