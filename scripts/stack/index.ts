// The local stack's public face: start the emulators and functions, and stop them on a signal.
export { freePort, httpOk, waitUntil } from './net.js';
export { startProcess, stopOnSignals, type ManagedProcess } from './processes.js';
export { GENERATION_TOPIC, startStack, type Stack, type StackOptions } from './stack.js';
