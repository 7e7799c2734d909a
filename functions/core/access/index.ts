/** Access and limits: participants and quotas, tokens, the sign-in throttle, per-caller write limits and list cursors. */
export * from './auth-throttle.js';
export * from './participants.js';
export * from './token-bucket.js';
export * from './tokens.js';
export * from './write-limits.js';
export * from './pages.js';
