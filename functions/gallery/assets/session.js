// Signing in and out with a token, and the line that says who is signed in.
import { api, token } from './api.js';
import { $, fill, h } from './dom.js';

export class Session {
  /**
   * `runList` gives the counts for the who-am-I line; `onSignedIn` loads what the signed-in person
   * may see; `onSigningOut` closes whatever is open before the sign-in view comes back.
   */
  constructor({ runList, onSignedIn, onSigningOut }) {
    this.me = null;
    this.runList = runList;
    this.onSignedIn = onSignedIn;
    this.onSigningOut = onSigningOut;
  }

  get signedIn() {
    return Boolean(this.me);
  }

  async signIn() {
    try {
      this.me = await api.me();
    } catch (error) {
      return this.showSignIn(error.status === 401 ? 'That token was not accepted.' : error.message);
    }
    this.renderWhoami();
    $('signin-view').hidden = true;
    $('app-view').hidden = $('sign-out').hidden = $('help-button').hidden = false;
    await this.onSignedIn();
  }

  /**
   * Fetches who-am-I again: starting a run books its images and a finished run gives back the ones
   * that failed, so the quota shown at sign-in goes stale. A failure keeps the last line shown.
   */
  async refresh() {
    if (!this.me) return;
    try {
      this.me = await api.me();
    } catch {
      return;
    }
    this.renderWhoami();
  }

  /** Who is signed in, and real counts: images made in the listed runs, and the quota where there is one. */
  renderWhoami() {
    if (!this.me) return;
    const { name, role, imageQuota, imagesUsed } = this.me;
    const statuses = [...this.runList.statuses.values()];
    const made = statuses.reduce((total, s) => total + s.counts.assessed + s.counts.generated, 0);
    const runs = `${statuses.length} run${statuses.length === 1 ? '' : 's'}, ${made} image${made === 1 ? '' : 's'} made`;
    const quota = imageQuota === null ? '' : ` · ${imagesUsed} of ${imageQuota} images of quota used`;
    fill($('whoami'), h('strong', { text: name }), ` · ${role} · ${runs}${quota}`);
  }

  showSignIn(message = '') {
    this.me = null;
    $('app-view').hidden = $('sign-out').hidden = $('help-button').hidden = true;
    $('signin-view').hidden = false;
    $('whoami').replaceChildren();
    $('signin-error').textContent = message;
    $('token-input').focus();
  }

  signOut(message = '') {
    if (!this.me && !token.get()) return;
    token.clear();
    this.onSigningOut();
    history.replaceState(null, '', location.pathname);
    this.showSignIn(message);
  }
}
