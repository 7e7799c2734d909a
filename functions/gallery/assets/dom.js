// DOM helpers. Text always goes in as text nodes, so data can never become markup.

/**
 * h('li', { className: 'card', dataset: { id }, on: { click } }, 'text', childNode)
 * Other props are set with setAttribute (fixed names from our code, never from data).
 */
export function h(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'className') element.className = value;
    else if (name === 'text') element.textContent = String(value);
    else if (name === 'dataset') Object.assign(element.dataset, value);
    else if (name === 'on') for (const [event, handler] of Object.entries(value)) element.addEventListener(event, handler);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces an element's children. */
export function fill(element, ...children) {
  element.replaceChildren();
  append(element, children);
  return element;
}

export const $ = (id) => document.getElementById(id);

export function formatNumber(value) {
  if (typeof value !== 'number') return String(value);
  return Number.isInteger(value) ? String(value) : value.toFixed(3);
}

export function formatTime(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? String(iso ?? '') : date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** A message in the bar under the header, for a few seconds. */
export function notify(message) {
  $('notice').textContent = message;
  $('notice').hidden = false;
  clearTimeout(notify.timer);
  notify.timer = setTimeout(() => { $('notice').hidden = true; }, 8000);
}
